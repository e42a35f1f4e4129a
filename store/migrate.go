package store

import (
	"context"
	"database/sql"
	"fmt"
)

// A configOp is one configuration line of an input: it sets key to value,
// or deletes key if value is empty, as benchfmt.Reader applies it.
type configOp struct {
	line       int
	key, value string
}

// migrateConfigSets is version 3's conversion: for each run, the
// configuration sets of its result groups (version 2) become the
// configuration lines that turn each group's set into the next one's,
// placed on the line before the group. Replaying them as benchfmt.Reader
// does gives every result exactly its old configuration, in order. It
// then runs migration3Finish.
func migrateConfigSets(ctx context.Context, tx *sql.Tx) error {
	runs, err := runIDs(ctx, tx)
	if err != nil {
		return err
	}
	sets := map[int64][]configOp{} // set id: its lines, in order
	setOf := func(id int64) ([]configOp, error) {
		if s, ok := sets[id]; ok {
			return s, nil
		}
		rows, err := tx.QueryContext(ctx, sqlV2ConfigSet, id)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var s []configOp
		for rows.Next() {
			var c configOp
			if err := rows.Scan(&c.key, &c.value); err != nil {
				return nil, err
			}
			s = append(s, c)
		}
		sets[id] = s
		return s, rows.Err()
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertCfgLine)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, run := range runs {
		type group struct{ line, cfg int64 }
		var groups []group
		rows, err := tx.QueryContext(ctx, sqlV2RunGroups, run)
		if err != nil {
			return err
		}
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.line, &g.cfg); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var prev []configOp
		prevID := int64(-1)
		seq := 0
		for _, g := range groups {
			if g.cfg == prevID {
				continue
			}
			next, err := setOf(g.cfg)
			if err != nil {
				return fmt.Errorf("run %d: read configuration set %d: %w", run, g.cfg, err)
			}
			for _, op := range configDiff(prev, next) {
				if _, err := ins.ExecContext(ctx, run, seq, g.line-1, op.key, op.value); err != nil {
					return fmt.Errorf("run %d: insert configuration line: %w", run, err)
				}
				seq++
			}
			prev, prevID = next, g.cfg
		}
	}
	_, err = tx.ExecContext(ctx, migration3Finish)
	return err
}

// configDiff returns configuration lines that turn the configuration
// from (key, value pairs in order) into to, both in order, when applied
// as benchfmt.Reader applies them: a new key is appended, a changed value
// keeps its place, and a deleted key is swapped with the last one first.
// Keys of from after the longest common prefix of keys are deleted from
// the last one back (so nothing is swapped), then the prefix's changed
// values are set, then to's other keys appended.
func configDiff(from, to []configOp) []configOp {
	k := 0
	for k < len(from) && k < len(to) && from[k].key == to[k].key {
		k++
	}
	var ops []configOp
	for i := len(from) - 1; i >= k; i-- {
		ops = append(ops, configOp{key: from[i].key})
	}
	for i := range k {
		if from[i].value != to[i].value {
			ops = append(ops, to[i])
		}
	}
	return append(ops, to[k:]...)
}

// migrateValueBlocks is version 6's conversion: each result_group row's
// JSON text (iters, vals, lines) is encoded as a value block in data,
// run by run; then migration6Finish drops the text columns.
func migrateValueBlocks(ctx context.Context, tx *sql.Tx) error {
	runs, err := runIDs(ctx, tx)
	if err != nil {
		return err
	}
	upd, err := tx.PrepareContext(ctx, sqlV5SetData)
	if err != nil {
		return err
	}
	defer upd.Close()
	type row struct {
		line int64
		data []byte
	}
	var (
		b       block
		scratch []int64
		groups  []row
	)
	for _, run := range runs {
		groups = groups[:0]
		rows, err := tx.QueryContext(ctx, sqlV5RunGroups, run)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				line               int64
				n                  int
				iters, vals, lines []byte
			)
			if err := rows.Scan(&line, &n, &iters, &vals, &lines); err != nil {
				rows.Close()
				return err
			}
			if err := b.parseJSON(n, iters, vals, lines); err != nil {
				rows.Close()
				return fmt.Errorf("run %d: result group at line %d: %w", run, line, err)
			}
			var data []byte
			data, scratch = appendBlock(nil, b.n, b.units, b.iters, b.offsets, b.vals, scratch)
			groups = append(groups, row{line, data})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range groups {
			if _, err := upd.ExecContext(ctx, g.data, run, g.line); err != nil {
				return fmt.Errorf("run %d: store value block at line %d: %w", run, g.line, err)
			}
		}
	}
	_, err = tx.ExecContext(ctx, migration6Finish)
	return err
}

// runIDs returns the ID of every run, in order: what a migration that
// rewrites the store run by run walks.
func runIDs(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, sqlV2RunIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		runs = append(runs, id)
	}
	return runs, rows.Err()
}

// migrateRunBlocks is version 8's conversion: each run's result_group
// rows and config_line rows become its run_block chunks, in line order,
// and its run_config rows its run_config_block row (migrateRunConfig);
// then migration8Finish drops the tables they replace and run_digest.
func migrateRunBlocks(ctx context.Context, tx *sql.Tx) error {
	runs, err := runIDs(ctx, tx)
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertRunBlock)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, run := range runs {
		if err := migrateRunBlock(ctx, tx, ins, run); err != nil {
			return fmt.Errorf("run %d: %w", run, err)
		}
	}
	if err := migrateRunConfig(ctx, tx); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, migration8Finish)
	return err
}

func migrateRunBlock(ctx context.Context, tx *sql.Tx, ins *sql.Stmt, run int64) error {
	ops, err := queryConfigLines(ctx, tx, run)
	if err != nil {
		return err
	}
	seq := 0
	bw := runBlockWriter{emit: func(chunk []byte) error {
		if _, err := ins.ExecContext(ctx, run, seq, chunk); err != nil {
			return fmt.Errorf("store run block: %w", sqliteError(err))
		}
		seq++
		return nil
	}}
	rows, err := tx.QueryContext(ctx, sqlDigestGroups, run)
	if err != nil {
		return fmt.Errorf("read results: %w", sqliteError(err))
	}
	defer rows.Close()
	var (
		line, n         int
		nameID, unitSet int64
		data            []byte
	)
	for rows.Next() {
		if err := rows.Scan(&line, &nameID, &unitSet, &n, &data); err != nil {
			return fmt.Errorf("read results: %w", err)
		}
		// A configuration line applies to the results after it: those
		// before the group's first line come before it.
		for len(ops) > 0 && ops[0].line < line {
			if err := bw.config(ops[0].line, ops[0].key, ops[0].value); err != nil {
				return err
			}
			ops = ops[1:]
		}
		if k, err := blockResults(data); err != nil || k != n {
			return fmt.Errorf("result group at line %d: %w", line, errBlock)
		}
		if err := bw.group(line, nameID, unitSet, data); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read results: %w", sqliteError(err))
	}
	for _, op := range ops {
		if err := bw.config(op.line, op.key, op.value); err != nil {
			return err
		}
	}
	return bw.flush()
}
