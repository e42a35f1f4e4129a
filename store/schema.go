package store

import (
	"context"
	"database/sql"
)

// This file holds every SQL statement the store runs, so that a second
// backend (PostgreSQL) can be written against one list. The statements
// are plain SQL that SQLite and PostgreSQL both accept, except where a
// comment says otherwise. schema.md describes the tables and views for
// readers who query a database with the sqlite3 tool.

// applicationID is written to the SQLite header (PRAGMA application_id)
// of every benchdb store from schema version 3 on: "bdb3" in ASCII. Open
// uses it, with the schema_version table, to tell a benchdb store from
// any other SQLite file. SQLite only; PostgreSQL has no such header.
const applicationID = 0x62646233

// A migration brings a database from one schema version to the next:
// first the SQL, then, if set, fn in the same transaction.
type migration struct {
	sql string
	fn  func(ctx context.Context, tx *sql.Tx) error
}

// migrations are applied in order; migrations[i] brings a database from
// schema version i to i+1. Never edit a released migration: append a new
// one. Each runs in one transaction together with the update of
// schema_version.
var migrations = []migration{{sql: migration1}, {sql: migration2}, {sql: migration3, fn: migrateConfigSets}, {sql: migrationProfiles}, {sql: migration5}, {sql: migration6, fn: migrateValueBlocks}, {sql: migration7, fn: migrateDigestsSQLite}, {sql: migration8, fn: migrateRunBlocks}}

const (
	// Version 1: runs, labels, interned names, configuration sets and unit
	// sets, one row per result line, Unit metadata.
	migration1 = `
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
`
	// Version 2: skipped lines are counted per run, and two views make
	// the common queries easy (json_each is SQLite's; PostgreSQL would
	// use jsonb_array_elements WITH ORDINALITY).
	migration2 = `
ALTER TABLE run ADD COLUMN skipped_lines INTEGER NOT NULL DEFAULT 0;

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
`

	// Version 3: configuration is stored as the file's configuration
	// lines (config_line), not as whole sets per change: a file with a new
	// key before each result made a set per result, each holding every
	// key so far, and the database grew with the square of the input.
	// migrateConfigSets turns the sets of older runs into lines, then the
	// set tables and result_group.config_id go. The header's
	// application_id marks the file as a benchdb store (SQLite only).
	migration3 = `
CREATE TABLE config_line (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL, -- order within the run, from 0
	line   INTEGER NOT NULL, -- input line; applies to results after it
	key    TEXT    NOT NULL,
	value  TEXT    NOT NULL, -- '' deletes the key, as "key:" does
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX config_line_key ON config_line (run_id, key, line);
`

	// migration3Finish runs after migrateConfigSets.
	migration3Finish = `
DROP VIEW sample;
DROP VIEW result_line;
ALTER TABLE result_group DROP COLUMN config_id;
DROP TABLE config;
DROP TABLE config_set;

CREATE VIEW result_line AS
SELECT g.run_id                      AS run_id,
       g.line + r.key                AS line,
       g.name_id                     AS name_id,
       g.unit_set_id                 AS unit_set_id,
       g.iters ->> r.key             AS iters,
       r.value                       AS vals
  FROM result_group g, json_each(g.vals) r;

` + sampleView + `
PRAGMA application_id = 1650745907; -- applicationID; SQLite only
`
)

// sampleView is the sample view since version 3 (versions 3 and 5
// create it, the latter over the new result_line); result_line must
// exist first.
const sampleView = `CREATE VIEW sample AS
SELECT rl.run_id           AS run_id,
       run.time            AS time,
       rl.line             AS line,
       (SELECT c.value FROM config_line c
         WHERE c.run_id = rl.run_id AND c.key = 'pkg' AND c.line < rl.line
         ORDER BY c.line DESC, c.seq DESC LIMIT 1) AS pkg,
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
`

// Version 5: a result_group row may hold results that are not on
// consecutive lines: the -count repetitions of benchmarks run one after
// the other (go test -count 1 in a loop, or -count N over several
// benchmarks in a file concatenated N times), which took a row per
// result before. lines is then the JSON array of the n results' line
// offsets from line ([0,200,400]); NULL, as in every row stored
// before, means consecutive lines. A row still never spans a
// configuration line.
const migration5 = `
ALTER TABLE result_group ADD COLUMN lines TEXT;

DROP VIEW sample;
DROP VIEW result_line;

CREATE VIEW result_line AS
SELECT g.run_id                                AS run_id,
       g.line + coalesce(g.lines ->> r.key, r.key) AS line,
       g.name_id                               AS name_id,
       g.unit_set_id                           AS unit_set_id,
       g.iters ->> r.key                       AS iters,
       r.value                                 AS vals
  FROM result_group g, json_each(g.vals) r;

` + sampleView

// Version 6: a result_group row keeps its iteration counts, values and
// line offsets in one compact binary column, data (a value block,
// block.go), instead of the JSON text of iters, vals and lines, which
// made a store five to thirteen times the size of its gzip'ed input.
// migrateValueBlocks encodes the rows stored before, then runs
// migration6Finish. The views read data through the SQL functions
// benchdb_iters, benchdb_vals and benchdb_lines (sqlfunc.go), which
// give the JSON text of version 5: their rows are unchanged.
const migration6 = `
DROP VIEW sample;
DROP VIEW result_line;
ALTER TABLE result_group ADD COLUMN data BLOB NOT NULL DEFAULT x'';
`

// migration6Finish runs after migrateValueBlocks.
const migration6Finish = `
ALTER TABLE result_group DROP COLUMN iters;
ALTER TABLE result_group DROP COLUMN vals;
ALTER TABLE result_group DROP COLUMN lines;

` + resultLineView6 + sampleView

// resultLineView6 is the result_line view from version 6 on.
const resultLineView6 = `CREATE VIEW result_line AS
SELECT g.run_id                                                AS run_id,
       g.line + coalesce(benchdb_lines(g.data) ->> r.key, r.key) AS line,
       g.name_id                                               AS name_id,
       g.unit_set_id                                           AS unit_set_id,
       benchdb_iters(g.data) ->> r.key                         AS iters,
       r.value                                                 AS vals
  FROM result_group g, json_each(benchdb_vals(g.data)) r;

`

// Version 7: run_digest holds each run's digest (digest.go): what a
// report reads of the run, packed into a few rows instead of a row per
// result group. migrateDigestsSQLite writes the digests of the runs
// stored before. The rows of result_group stay the source of truth.
const migration7 = `
CREATE TABLE run_digest (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL, -- chunk of the run's digest, from 0
	data   BLOB    NOT NULL,
	PRIMARY KEY (run_id, seq)
);
`

// Version 8: run_block holds each run's results and configuration
// lines (runblock.go), compressed, a few rows per run: the only copy of
// them. result_group, config_line and run_digest (which kept every value
// a second time, for reports) go; views of the same names and columns
// (result_group with pkg, the pkg configuration in effect, besides)
// give their rows back through the SQL functions benchdb_groups and
// benchdb_config. run_config_block holds each run's configuration
// summary (runconfig.go) in one row instead of a run_config row per key,
// and a view run_config gives the rows back. migrateRunBlocks writes the
// blocks and summaries of the runs stored before, then runs
// migration8Finish.
const migration8 = `
CREATE TABLE run_block (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL, -- chunk of the run's blocks, from 0
	data   BLOB    NOT NULL,
	PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_config_block (
	run_id INTEGER PRIMARY KEY REFERENCES run (id) ON DELETE CASCADE,
	data   BLOB    NOT NULL
);
`

// migration8Finish runs after migrateRunBlocks.
const migration8Finish = `
DROP VIEW sample;
DROP VIEW result_line;
DROP TABLE run_digest;
DROP TABLE result_group;
DROP TABLE config_line;

DROP TABLE run_config;

CREATE VIEW run_config AS
SELECT b.run_id                           AS run_id,
       CAST(unhex(c.value ->> 0) AS TEXT) AS key,
       CAST(unhex(c.value ->> 1) AS TEXT) AS value
  FROM run_config_block b, json_each(benchdb_run_config(b.data)) c;

CREATE VIEW result_group AS
SELECT b.run_id                           AS run_id,
       g.value ->> 0                      AS line,
       g.value ->> 1                      AS name_id,
       g.value ->> 2                      AS unit_set_id,
       g.value ->> 3                      AS n,
       unhex(g.value ->> 4)               AS data,
       CAST(unhex(g.value ->> 5) AS TEXT) AS pkg
  FROM run_block b, json_each(benchdb_groups(b.data)) g;

CREATE VIEW config_line AS
SELECT b.run_id                           AS run_id,
       c.value ->> 0                      AS seq,
       c.value ->> 1                      AS line,
       CAST(unhex(c.value ->> 2) AS TEXT) AS key,
       CAST(unhex(c.value ->> 3) AS TEXT) AS value
  FROM run_block b, json_each(benchdb_config(b.data)) c;

` + resultLineView6 + `
CREATE VIEW sample AS
SELECT g.run_id            AS run_id,
       run.time            AS time,
       g.line + coalesce(benchdb_lines(g.data) ->> r.key, r.key) AS line,
       g.pkg               AS pkg,
       n.name              AS name,
       benchdb_iters(g.data) ->> r.key AS iters,
       u.value             AS unit,
       v.value             AS value
  FROM result_group g
  JOIN run           ON run.id = g.run_id
  JOIN name n        ON n.id = g.name_id
  JOIN unit_set us   ON us.id = g.unit_set_id,
       json_each(benchdb_vals(g.data)) r,
       json_each(r.value) v,
       json_each(us.units) u
 WHERE u.key = v.key;
`

// Statements used at run time.
const (
	sqlSchemaVersion    = `SELECT version FROM schema_version`
	sqlSchemaVersions   = `SELECT count(*), min(typeof(version)), min(version), max(version) FROM schema_version`
	sqlSetSchemaVersion = `UPDATE schema_version SET version = ?`
	sqlApplicationID    = `PRAGMA application_id`                                                                                        // SQLite only
	sqlHasTable         = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`                                         // SQLite only
	sqlCountTables      = `SELECT count(*) FROM sqlite_master`                                                                           // SQLite only
	sqlLegacyTables     = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('run', 'label', 'name', 'result_group')` // SQLite only

	// Version 3's conversion of configuration sets (migrateConfigSets).
	sqlV2RunIDs      = `SELECT id FROM run ORDER BY id`
	sqlV2RunGroups   = `SELECT line, config_id FROM result_group WHERE run_id = ? ORDER BY line`
	sqlV2ConfigSet   = `SELECT key, value FROM config WHERE set_id = ? ORDER BY pos`
	sqlInsertCfgLine = `INSERT INTO config_line (run_id, seq, line, key, value) VALUES (?, ?, ?, ?, ?)`

	// Version 6's encoding of value blocks (migrateValueBlocks).
	sqlV5RunGroups = `SELECT line, n, iters, vals, lines FROM result_group WHERE run_id = ? ORDER BY line`
	sqlV5SetData   = `UPDATE result_group SET data = ? WHERE run_id = ? AND line = ?`

	sqlRunByHash   = `SELECT id, results, skipped_lines FROM run WHERE content_hash = ?`
	sqlInsertRun   = `INSERT INTO run (time, source, content_hash) VALUES (?, ?, ?) RETURNING id`
	sqlFinishRun   = `UPDATE run SET results = ?, skipped_lines = ? WHERE id = ?`
	sqlInsertLabel = `INSERT INTO label (run_id, key, value) VALUES (?, ?, ?)`
	sqlInsertRCfg  = `INSERT INTO run_config (run_id, key, value) VALUES (?, ?, ?)`

	sqlNameID     = `SELECT id FROM name WHERE name = ?`
	sqlCountNames = `SELECT count(*) FROM name`
	sqlAllNames   = `SELECT id, name FROM name`
	sqlNextNameID = `SELECT coalesce(max(id), 0) + 1 FROM name`
	// sqlInsertNamesCols is followed by comma-separated
	// sqlInsertNamesRow: new names with the ids an ingest gave them.
	sqlInsertNamesCols = `INSERT INTO name (id, name) VALUES `
	sqlInsertNamesRow  = `(?, ?)`
	sqlUnitSetID       = `SELECT id FROM unit_set WHERE units = ?`
	sqlInsertUnitSet   = `INSERT INTO unit_set (units) VALUES (?) RETURNING id`
	sqlInsertUnitMD    = `INSERT INTO unit_metadata (run_id, line, unit, key, value) VALUES (?, ?, ?, ?, ?)`

	// Run blocks (runblock.go, SQLite).
	sqlInsertRunBlock = `INSERT INTO run_block (run_id, seq, data) VALUES (?, ?, ?)`
	sqlRunBlocks      = `SELECT data FROM run_block WHERE run_id = ? ORDER BY seq`

	// Run configuration summaries (runconfig.go, SQLite).
	sqlInsertRunConfigBlock = `INSERT INTO run_config_block (run_id, data) VALUES (?, ?)`

	// Run digests (digest.go).
	sqlRunDigest    = `SELECT data FROM run_digest WHERE run_id = ? ORDER BY seq`
	sqlInsertDigest = `INSERT INTO run_digest (run_id, seq, data) VALUES (?, ?, ?)`
	// sqlNamesByID is followed by a parenthesised list of ids.
	sqlNamesByID        = `SELECT id, name FROM name WHERE id IN `
	sqlNamesByRange     = `SELECT id, name FROM name WHERE id BETWEEN ? AND ?`
	sqlDigestGroups     = `SELECT line, name_id, unit_set_id, n, data FROM result_group WHERE run_id = ? ORDER BY line`
	sqlDigestGroupsJSON = `SELECT line, name_id, unit_set_id, n, iters, vals, lines FROM result_group WHERE run_id = ? ORDER BY line` // PostgreSQL

	sqlRuns = `SELECT id, time, results, source, skipped_lines FROM run ORDER BY time, id`
	sqlRun  = `SELECT id, time, results, source, skipped_lines FROM run WHERE id = ?`

	sqlAllLabels    = `SELECT run_id, key, value FROM label`
	sqlAllRunConfig = `SELECT run_id, key, value FROM run_config`
	sqlLabels       = `SELECT key, value FROM label WHERE run_id = ?`
	sqlRunConfig    = `SELECT key, value FROM run_config WHERE run_id = ?`

	// sqlResults reads value blocks (on SQLite from version 8 through
	// the result_group view: Results reads run_block itself);
	// PostgreSQL reads the JSON text columns it keeps instead
	// (pgStatements).
	sqlResults = `SELECT n.name, g.line, g.unit_set_id, g.n, g.data
  FROM result_group g JOIN name n ON n.id = g.name_id
 WHERE g.run_id = ?
 ORDER BY g.line`
	sqlConfigLines = `SELECT line, key, value FROM config_line WHERE run_id = ? ORDER BY seq`
	sqlUnitSet     = `SELECT units FROM unit_set WHERE id = ?`
	sqlUnitMD      = `SELECT unit, key, value FROM unit_metadata WHERE run_id = ? ORDER BY line, key`
)
