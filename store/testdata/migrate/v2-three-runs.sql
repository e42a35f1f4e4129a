-- A benchdb store at schema version 2, as benchdb of that version wrote it:
-- testdata/roundtrip/basic.txt (run 1), testdata/roundtrip/config-change.txt
-- (run 2) and testdata/migrate/churn.txt (run 3: keys deleted, re-added and
-- changed), labels branch=main n=1..3. Loaded by TestDB_Open_migrateV2.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (
	version INTEGER NOT NULL
);
INSERT INTO schema_version VALUES(2);
CREATE TABLE run (
	id           INTEGER PRIMARY KEY,
	time         TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	content_hash TEXT    NOT NULL,
	results      INTEGER NOT NULL DEFAULT 0
, skipped_lines INTEGER NOT NULL DEFAULT 0);
INSERT INTO run VALUES(1,'2026-01-02T03:04:05.000000000Z','testdata/roundtrip/basic.txt','94f2aff5f39006905f5694df7f7c882a72d53643081157dee72c38c1ced43d67',9,0);
INSERT INTO run VALUES(2,'2026-01-03T03:04:05.000000000Z','testdata/roundtrip/config-change.txt','9b720175e8712075e83e634bf560b2de2598f4dd32a30de05eb68cf7535694c6',9,0);
INSERT INTO run VALUES(3,'2026-01-04T03:04:05.000000000Z','testdata/migrate/churn.txt','01cd0253ee3092982b649c4fbdb6f94f27cf637475db0939668187ac0152addd',6,0);
CREATE TABLE label (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
);
INSERT INTO label VALUES(1,'branch','main');
INSERT INTO label VALUES(1,'n','1');
INSERT INTO label VALUES(2,'branch','main');
INSERT INTO label VALUES(2,'n','2');
INSERT INTO label VALUES(3,'branch','main');
INSERT INTO label VALUES(3,'n','3');
CREATE TABLE run_config (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
);
INSERT INTO run_config VALUES(1,'goos','linux');
INSERT INTO run_config VALUES(1,'goarch','amd64');
INSERT INTO run_config VALUES(1,'pkg','example.com/fib');
INSERT INTO run_config VALUES(1,'cpu','Intel(R) Xeon(R) CPU @ 2.20GHz');
INSERT INTO run_config VALUES(2,'goos','linux');
INSERT INTO run_config VALUES(2,'goarch','amd64');
INSERT INTO run_config VALUES(2,'pkg','example.com/a');
INSERT INTO run_config VALUES(2,'note','first');
INSERT INTO run_config VALUES(2,'commit','abc123');
INSERT INTO run_config VALUES(3,'goos','linux');
INSERT INTO run_config VALUES(3,'goarch','amd64');
INSERT INTO run_config VALUES(3,'pkg','example.com/a');
INSERT INTO run_config VALUES(3,'k1','a');
INSERT INTO run_config VALUES(3,'k2','b');
INSERT INTO run_config VALUES(3,'k3','c');
CREATE TABLE name (
	id   INTEGER PRIMARY KEY,
	name TEXT    NOT NULL UNIQUE
);
INSERT INTO name VALUES(1,'Fib/n=10-2');
INSERT INTO name VALUES(2,'Fib/n=20-2');
INSERT INTO name VALUES(3,'Copy-2');
INSERT INTO name VALUES(4,'Scan/depth=100-2');
INSERT INTO name VALUES(5,'Scan/depth=1000-2');
INSERT INTO name VALUES(6,'Other-2');
INSERT INTO name VALUES(7,'Peak-2');
INSERT INTO name VALUES(8,'A-2');
INSERT INTO name VALUES(9,'B-2');
CREATE TABLE config_set (
	id   INTEGER PRIMARY KEY,
	body TEXT    NOT NULL UNIQUE
);
INSERT INTO config_set VALUES(1,replace('goos: linux\ngoarch: amd64\npkg: example.com/fib\ncpu: Intel(R) Xeon(R) CPU @ 2.20GHz\n','\n',char(10)));
INSERT INTO config_set VALUES(2,replace('goos: linux\ngoarch: amd64\npkg: example.com/a\nnote: first\n','\n',char(10)));
INSERT INTO config_set VALUES(3,replace('goos: linux\ngoarch: amd64\npkg: example.com/b\ncommit: abc123\n','\n',char(10)));
INSERT INTO config_set VALUES(4,replace('goos: linux\ngoarch: amd64\npkg: example.com/a\nk1: a\n','\n',char(10)));
INSERT INTO config_set VALUES(5,replace('goos: linux\ngoarch: amd64\npkg: example.com/a\nk1: a\nk2: b\n','\n',char(10)));
INSERT INTO config_set VALUES(6,replace('k2: b\ngoarch: amd64\npkg: example.com/a\nk1: a\n','\n',char(10)));
INSERT INTO config_set VALUES(7,replace('k2: b\ngoarch: amd64\npkg: example.com/a\nk1: z\ngoos: darwin\n','\n',char(10)));
INSERT INTO config_set VALUES(8,replace('k2: b\ngoos: darwin\npkg: example.com/b\nk1: z\nk3: c\n','\n',char(10)));
CREATE TABLE config (
	set_id INTEGER NOT NULL REFERENCES config_set (id),
	pos    INTEGER NOT NULL,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (set_id, pos)
);
INSERT INTO config VALUES(1,0,'goos','linux');
INSERT INTO config VALUES(1,1,'goarch','amd64');
INSERT INTO config VALUES(1,2,'pkg','example.com/fib');
INSERT INTO config VALUES(1,3,'cpu','Intel(R) Xeon(R) CPU @ 2.20GHz');
INSERT INTO config VALUES(2,0,'goos','linux');
INSERT INTO config VALUES(2,1,'goarch','amd64');
INSERT INTO config VALUES(2,2,'pkg','example.com/a');
INSERT INTO config VALUES(2,3,'note','first');
INSERT INTO config VALUES(3,0,'goos','linux');
INSERT INTO config VALUES(3,1,'goarch','amd64');
INSERT INTO config VALUES(3,2,'pkg','example.com/b');
INSERT INTO config VALUES(3,3,'commit','abc123');
INSERT INTO config VALUES(4,0,'goos','linux');
INSERT INTO config VALUES(4,1,'goarch','amd64');
INSERT INTO config VALUES(4,2,'pkg','example.com/a');
INSERT INTO config VALUES(4,3,'k1','a');
INSERT INTO config VALUES(5,0,'goos','linux');
INSERT INTO config VALUES(5,1,'goarch','amd64');
INSERT INTO config VALUES(5,2,'pkg','example.com/a');
INSERT INTO config VALUES(5,3,'k1','a');
INSERT INTO config VALUES(5,4,'k2','b');
INSERT INTO config VALUES(6,0,'k2','b');
INSERT INTO config VALUES(6,1,'goarch','amd64');
INSERT INTO config VALUES(6,2,'pkg','example.com/a');
INSERT INTO config VALUES(6,3,'k1','a');
INSERT INTO config VALUES(7,0,'k2','b');
INSERT INTO config VALUES(7,1,'goarch','amd64');
INSERT INTO config VALUES(7,2,'pkg','example.com/a');
INSERT INTO config VALUES(7,3,'k1','z');
INSERT INTO config VALUES(7,4,'goos','darwin');
INSERT INTO config VALUES(8,0,'k2','b');
INSERT INTO config VALUES(8,1,'goos','darwin');
INSERT INTO config VALUES(8,2,'pkg','example.com/b');
INSERT INTO config VALUES(8,3,'k1','z');
INSERT INTO config VALUES(8,4,'k3','c');
CREATE TABLE unit_set (
	id    INTEGER PRIMARY KEY,
	units TEXT    NOT NULL UNIQUE
);
INSERT INTO unit_set VALUES(1,'["ns/op","B/op","allocs/op"]');
INSERT INTO unit_set VALUES(2,'["ns/op","MB/s","B/op","allocs/op"]');
INSERT INTO unit_set VALUES(3,'["ns/op","scanned/op"]');
INSERT INTO unit_set VALUES(4,'["ns/op","sec/thing","B/op"]');
INSERT INTO unit_set VALUES(5,'["ns/op","peak-B","runaway"]');
INSERT INTO unit_set VALUES(6,'["ns/op"]');
INSERT INTO unit_set VALUES(7,'["ns/op","B/op"]');
CREATE TABLE result_group (
	run_id      INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line        INTEGER NOT NULL,
	name_id     INTEGER NOT NULL, -- name (id)
	config_id   INTEGER NOT NULL, -- config_set (id)
	unit_set_id INTEGER NOT NULL, -- unit_set (id)
	n           INTEGER NOT NULL,
	iters       TEXT    NOT NULL, -- JSON array of n integers
	vals        TEXT    NOT NULL, -- JSON array of n arrays of numbers
	PRIMARY KEY (run_id, line)
) WITHOUT ROWID;
INSERT INTO result_group VALUES(1,5,1,1,1,3,'[3804562,3815233,3790012]','[[314.2,0,0],[312.9,0,0],[318,0,0]]');
INSERT INTO result_group VALUES(1,8,2,1,1,3,'[30980,31002,30911]','[[38712,0,0],[38650,0,0],[38901,0,0]]');
INSERT INTO result_group VALUES(1,11,3,1,2,3,'[500000,500000,500000]','[[2310,443.3,1024,1],[2290,447.17,1024,1],[2350,435.74,1024,1]]');
INSERT INTO result_group VALUES(2,6,4,2,3,2,'[10000,10000]','[[1200,100],[1210,100]]');
INSERT INTO result_group VALUES(2,8,5,2,3,2,'[1000,1000]','[[12000,1000],[12100,1000]]');
INSERT INTO result_group VALUES(2,13,6,3,4,3,'[2000,2000,2000]','[[700.5,1.5e-07,12],[701.5,1.7e-07,12],[0,0,12]]');
INSERT INTO result_group VALUES(2,17,7,3,5,2,'[1,1]','[[1e+09,3.5e+08,1],[1.1e+09,3.6e+08,0]]');
INSERT INTO result_group VALUES(3,5,8,4,6,1,'[10]','[[100]]');
INSERT INTO result_group VALUES(3,7,8,5,6,1,'[10]','[[101]]');
INSERT INTO result_group VALUES(3,9,8,6,6,1,'[10]','[[102]]');
INSERT INTO result_group VALUES(3,12,9,7,7,1,'[10]','[[103,5]]');
INSERT INTO result_group VALUES(3,16,9,8,6,2,'[10,10]','[[104],[105]]');
CREATE TABLE unit_metadata (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line   INTEGER NOT NULL,
	unit   TEXT    NOT NULL,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, line, key)
);
INSERT INTO unit_metadata VALUES(2,5,'scanned/op','assume','exact');
INSERT INTO unit_metadata VALUES(2,5,'scanned/op','better','lower');
INSERT INTO unit_metadata VALUES(2,16,'peak-B','better','lower');
CREATE UNIQUE INDEX run_content_hash ON run (content_hash);
CREATE INDEX run_time ON run (time, id);
CREATE INDEX label_key_value ON label (key, value);
CREATE INDEX result_group_name ON result_group (name_id);
CREATE VIEW result_line AS
SELECT g.run_id                      AS run_id,
       g.line + r.key                AS line,
       g.name_id                     AS name_id,
       g.config_id                   AS config_id,
       g.unit_set_id                 AS unit_set_id,
       g.iters ->> r.key             AS iters,
       r.value                       AS vals
  FROM result_group g, json_each(g.vals) r;
CREATE VIEW sample AS
SELECT rl.run_id           AS run_id,
       run.time            AS time,
       rl.line             AS line,
       (SELECT c.value FROM config c
         WHERE c.set_id = rl.config_id AND c.key = 'pkg') AS pkg,
       n.name              AS name,
       rl.iters            AS iters,
       u.value             AS unit,
       v.value             AS value
  FROM result_line rl
  JOIN run           ON run.id = rl.run_id
  JOIN name n        ON n.id = rl.name_id
  JOIN unit_set us   ON us.id = rl.unit_set_id,
       json_each(rl.vals) v,
       json_each(us.units) u
 WHERE u.key = v.key;
CREATE VIEW run_summary AS
SELECT run.id            AS run_id,
       run.time          AS time,
       run.source        AS source,
       run.results       AS results,
       run.skipped_lines AS skipped_lines,
       (SELECT group_concat(l.key || '=' || l.value, ' ')
          FROM (SELECT key, value FROM label
                 WHERE run_id = run.id ORDER BY key) l) AS labels
  FROM run;
COMMIT;
