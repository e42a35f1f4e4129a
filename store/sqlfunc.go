package store

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
)

// SQLiteDriver is the database/sql driver name under which this package
// registers SQLite with the functions a store's views call: open a store
// with sql.Open(store.SQLiteDriver, path) to query the result_group,
// config_line, result_line and sample views from Go. Two functions
// decode run_block.data (a chunk of a run's blocks, runblock.go) into
// JSON arrays, byte strings as hex:
//
//	benchdb_groups(data)  [line, name_id, unit_set_id, n, hex(value block), hex(pkg) or null] per group
//	benchdb_config(data)  [seq, line, hex(key), hex(value)] per configuration line
//
// and one run_config_block.data (runconfig.go):
//
//	benchdb_run_config(data)  [hex(key), hex(value)] per key
//
// and three decode a value block (block.go) into the JSON text schema
// version 5 stored:
//
//	benchdb_iters(data)  JSON array of the iteration counts
//	benchdb_vals(data)   JSON array of the results' arrays of values
//	benchdb_lines(data)  JSON array of the line offsets, NULL if consecutive
//
// The sqlite3 tool does not have them: it reads every table, but not
// those views.
const SQLiteDriver = "sqlite3_benchdb"

func init() {
	sql.Register(SQLiteDriver, &sqlite3.SQLiteDriver{ConnectHook: registerFuncs})
}

// registerFuncs adds the store's SQL functions to a connection.
func registerFuncs(c *sqlite3.SQLiteConn) error {
	for name, fn := range map[string]func([]byte) (any, error){
		"benchdb_iters": func(data []byte) (any, error) {
			var b block
			if err := b.decode(data); err != nil {
				return nil, err
			}
			return string(appendItersJSON(nil, b.iters)), nil
		},
		"benchdb_vals": func(data []byte) (any, error) {
			var b block
			if err := b.decode(data); err != nil {
				return nil, err
			}
			return string(appendValsJSON(nil, b.n, b.units, b.vals)), nil
		},
		"benchdb_groups": func(data []byte) (any, error) {
			return groupsJSON(data)
		},
		"benchdb_config": func(data []byte) (any, error) {
			return configJSON(data)
		},
		"benchdb_run_config": func(data []byte) (any, error) {
			return runConfigJSON(data)
		},
		"benchdb_lines": func(data []byte) (any, error) {
			var b block
			if err := b.decode(data); err != nil {
				return nil, err
			}
			if b.offsets == nil {
				return nil, nil
			}
			return string(appendLinesJSON(nil, b.offsets)), nil
		},
	} {
		if err := c.RegisterFunc(name, fn, true); err != nil {
			return err
		}
	}
	return nil
}
