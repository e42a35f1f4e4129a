-- Schema version 1 of the benchdb store, as Open created it, with one
-- run in it. Kept as it was: TestOpen_migrate opens it with the current
-- code, which must migrate it.

CREATE TABLE schema_version (
	version INTEGER NOT NULL
);
INSERT INTO schema_version (version) VALUES (0);

CREATE TABLE run (
	id           INTEGER PRIMARY KEY,
	time         TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	content_hash TEXT    NOT NULL,
	results      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX run_content_hash ON run (content_hash);
CREATE INDEX run_time ON run (time, id);

CREATE TABLE label (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
);
CREATE INDEX label_key_value ON label (key, value);

CREATE TABLE run_config (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, key)
);

CREATE TABLE name (
	id   INTEGER PRIMARY KEY,
	name TEXT    NOT NULL UNIQUE
);

CREATE TABLE config_set (
	id   INTEGER PRIMARY KEY,
	body TEXT    NOT NULL UNIQUE
);

CREATE TABLE config (
	set_id INTEGER NOT NULL REFERENCES config_set (id),
	pos    INTEGER NOT NULL,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (set_id, pos)
);

CREATE TABLE unit_set (
	id    INTEGER PRIMARY KEY,
	units TEXT    NOT NULL UNIQUE
);

-- One row for each group of consecutive result lines of one benchmark
-- with the same configuration and units (the repetitions of go test
-- -count), at most 100: result k of the group (from 0) is on input line
-- line + k, ran iters[k] iterations and measured vals[k], one value per
-- unit of the unit set. The result_line and sample views unpack them.
-- WITHOUT ROWID is SQLite's clustered primary key: a run's results are
-- stored together, in order. PostgreSQL would drop the clause.
-- name_id, config_id and unit_set_id are not declared as foreign keys:
-- Ingest sets them from rows it finds or inserts in the same
-- transaction.
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
CREATE INDEX result_group_name ON result_group (name_id);

CREATE TABLE unit_metadata (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	line   INTEGER NOT NULL,
	unit   TEXT    NOT NULL,
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	PRIMARY KEY (run_id, line, key)
);

-- A run stored by schema version 1 (before run.skipped_lines and the
-- views): two benchmarks, three results, a label, a Unit line.
UPDATE schema_version SET version = 1;
INSERT INTO run (id, time, source, content_hash, results)
VALUES (1, '2026-01-15T08:30:00.000000000Z', 'old.txt', 'f00d', 3);
INSERT INTO label (run_id, key, value) VALUES (1, 'branch', 'main');
INSERT INTO run_config (run_id, key, value) VALUES (1, 'goos', 'linux'), (1, 'pkg', 'example.com/old');
INSERT INTO name (id, name) VALUES (1, 'Old-2'), (2, 'Older/n=1-2');
INSERT INTO config_set (id, body) VALUES (1, 'goos: linux' || char(10) || 'pkg: example.com/old' || char(10));
INSERT INTO config (set_id, pos, key, value) VALUES (1, 0, 'goos', 'linux'), (1, 1, 'pkg', 'example.com/old');
INSERT INTO unit_set (id, units) VALUES (1, '["ns/op","B/op"]'), (2, '["ns/op","widgets/op"]');
INSERT INTO result_group (run_id, line, name_id, config_id, unit_set_id, n, iters, vals)
VALUES (1, 4, 1, 1, 1, 2, '[1000,1000]', '[[120.5,16],[121,16]]'),
       (1, 6, 2, 1, 2, 1, '[50]', '[[2.5e+06,3]]');
INSERT INTO unit_metadata (run_id, line, unit, key, value) VALUES (1, 3, 'widgets/op', 'better', 'higher');
