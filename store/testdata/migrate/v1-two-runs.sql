-- A benchdb store at schema version 1 (before skipped_lines and the views),
-- as benchdb of that version wrote it: testdata/roundtrip/basic.txt ingested
-- as run 1 (labels branch=main commit=abc123) and config-change.txt as run 2
-- (branch=main commit=def456). Loaded by TestDB_Open_migrate (reliability tests; v1.sql is the store's own one-run fixture).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (
	version INTEGER NOT NULL
);
INSERT INTO schema_version VALUES(1);
CREATE TABLE run (
	id           INTEGER PRIMARY KEY,
	time         TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	content_hash TEXT    NOT NULL,
	results      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO run VALUES(1,'2026-01-02T03:04:05.000000000Z','store/testdata/roundtrip/basic.txt','94f2aff5f39006905f5694df7f7c882a72d53643081157dee72c38c1ced43d67',9);
INSERT INTO run VALUES(2,'2026-01-03T03:04:05.000000000Z','store/testdata/roundtrip/config-change.txt','9b720175e8712075e83e634bf560b2de2598f4dd32a30de05eb68cf7535694c6',9);
CREATE TABLE label (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
);
INSERT INTO label VALUES(1,'branch','main');
INSERT INTO label VALUES(1,'commit','abc123');
INSERT INTO label VALUES(2,'branch','main');
INSERT INTO label VALUES(2,'commit','def456');
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
CREATE TABLE config_set (
	id   INTEGER PRIMARY KEY,
	body TEXT    NOT NULL UNIQUE
);
INSERT INTO config_set VALUES(1,replace('goos: linux\ngoarch: amd64\npkg: example.com/fib\ncpu: Intel(R) Xeon(R) CPU @ 2.20GHz\n','\n',char(10)));
INSERT INTO config_set VALUES(2,replace('goos: linux\ngoarch: amd64\npkg: example.com/a\nnote: first\n','\n',char(10)));
INSERT INTO config_set VALUES(3,replace('goos: linux\ngoarch: amd64\npkg: example.com/b\ncommit: abc123\n','\n',char(10)));
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
CREATE TABLE unit_set (
	id    INTEGER PRIMARY KEY,
	units TEXT    NOT NULL UNIQUE
);
INSERT INTO unit_set VALUES(1,'["ns/op","B/op","allocs/op"]');
INSERT INTO unit_set VALUES(2,'["ns/op","MB/s","B/op","allocs/op"]');
INSERT INTO unit_set VALUES(3,'["ns/op","scanned/op"]');
INSERT INTO unit_set VALUES(4,'["ns/op","sec/thing","B/op"]');
INSERT INTO unit_set VALUES(5,'["ns/op","peak-B","runaway"]');
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
COMMIT;
