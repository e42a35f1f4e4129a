package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/benchdb/benchdb/store/storedata"
)

// migrationProfiles adds the profile table: pprof profiles (CPU,
// allocations) of a run's benchmarks, kept byte for byte as the test
// binary wrote them (pprof files are gzip-compressed already, so they are
// stored as they are and export gives back the same bytes). It is one
// self-contained step of migrations, so that it can be ordered with other
// steps.
const migrationProfiles = `
CREATE TABLE profile (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	pkg    TEXT    NOT NULL,
	name   TEXT    NOT NULL, -- as in name.name: Select/depth=10-2
	side   TEXT    NOT NULL DEFAULT '',
	kind   TEXT    NOT NULL, -- cpu or alloc
	setup  INTEGER NOT NULL DEFAULT 0, -- 1: a run of 1 iteration, for the setup cost
	iters  INTEGER NOT NULL, -- b.N of the profiled run
	size   INTEGER NOT NULL,
	sha256 TEXT    NOT NULL,
	data   BLOB    NOT NULL,
	PRIMARY KEY (run_id, pkg, name, side, kind, setup)
);
`

// Statements of the profile table.
const (
	sqlInsertProfile = `INSERT INTO profile (run_id, pkg, name, side, kind, setup, iters, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlProfiles      = `SELECT run_id, pkg, name, side, kind, setup, iters, size, sha256 FROM profile WHERE run_id = ? ORDER BY pkg, name, side, kind, setup`
	sqlProfileData   = `SELECT data FROM profile WHERE run_id = ? AND pkg = ? AND name = ? AND side = ? AND kind = ? AND setup = ?`
)

// Kinds of profile.
const (
	ProfileCPU   = storedata.ProfileCPU   // go test -cpuprofile
	ProfileAlloc = storedata.ProfileAlloc // go test -memprofile (allocations)
)

// DefaultMaxProfileSize is the largest profile AddProfiles stores when
// ProfileOptions.MaxSize is zero.
const DefaultMaxProfileSize = storedata.DefaultMaxProfileSize

// Profile errors.
var (
	// ErrProfileTooLarge is returned (wrapped) by AddProfiles for a
	// profile over the size limit.
	ErrProfileTooLarge = storedata.ErrProfileTooLarge
	// ErrNoProfile is returned (wrapped) by ProfileData when no such
	// profile is stored.
	ErrNoProfile = storedata.ErrNoProfile
)

// A Profile is one stored pprof profile of one benchmark of a run
// (storedata.Profile).
type Profile = storedata.Profile

// ProfileOptions says how AddProfiles stores profiles
// (storedata.ProfileOptions).
type ProfileOptions = storedata.ProfileOptions

// CheckProfile checks p as AddProfiles would, without a database: its
// kind, name, iteration count and size. It does not parse Data (the
// store knows nothing of the pprof format).
func CheckProfile(p Profile, opts ProfileOptions) error {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultMaxProfileSize
	}
	what := fmt.Sprintf("%s profile of %s", p.Kind, p.Name)
	switch {
	case p.Kind != ProfileCPU && p.Kind != ProfileAlloc:
		return fmt.Errorf("profile of %s: kind %q: want %s or %s", p.Name, p.Kind, ProfileCPU, ProfileAlloc)
	case p.Name == "":
		return errors.New("profile: empty benchmark name")
	case p.Iters <= 0:
		return fmt.Errorf("%s: iteration count %d: want at least 1", what, p.Iters)
	case len(p.Data) == 0:
		return fmt.Errorf("%s: empty", what)
	case int64(len(p.Data)) > limit:
		return fmt.Errorf("%s: %s is over the limit of %s: %w", what, FormatSize(int64(len(p.Data))), FormatSize(limit), ErrProfileTooLarge)
	}
	return nil
}

// FormatSize writes n bytes the way a person reads them: 512 B, 3.5 KiB,
// 256 MiB. It is how benchdb's text output writes a size (show, the
// scenario, run's profile comparison; the scenario's --cap-bytes reads
// what it writes when it is whole); profdiff writes signed per-operation
// changes, such as +4.00KiB, its own way.
func FormatSize(n int64) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d B", n)
	}
	v, units := float64(n)/1024, []string{"KiB", "MiB", "GiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + " " + units[i]
}

// AddProfiles stores profiles of run id, all or none (one transaction).
// Each is checked first with CheckProfile; a profile already stored for
// the same run, package, name, side and kind is an error. The Data slices
// are stored as they are.
func (db *DB) AddProfiles(ctx context.Context, id int64, ps []Profile, opts ProfileOptions) error {
	for _, p := range ps {
		if err := CheckProfile(p, opts); err != nil {
			return fmt.Errorf("store profiles of run %d: %w", id, err)
		}
	}
	if err := db.exists(ctx, id); err != nil {
		return fmt.Errorf("store profiles: %w", err)
	}
	err := retryBusy(ctx, func() error {
		tx, err := db.db.BeginTx(ctx, nil)
		if err != nil {
			return sqliteError(err)
		}
		defer tx.Rollback()
		for _, p := range ps {
			sum := sha256.Sum256(p.Data)
			_, err := tx.ExecContext(ctx, sqlInsertProfile, id, p.Pkg, p.Name, p.Side, p.Kind,
				setupInt(p.Setup), p.Iters, len(p.Data), hex.EncodeToString(sum[:]), p.Data)
			if err != nil {
				return fmt.Errorf("%s profile of %s: %w", p.Kind, p.Name, sqliteError(err))
			}
		}
		return sqliteError(tx.Commit())
	})
	if err != nil {
		return fmt.Errorf("store profiles of run %d: %w", id, err)
	}
	return nil
}

// Profiles lists the profiles of run id, without their data, ordered by
// package, name, side, kind and setup. A run without profiles gives none and no
// error; a run that does not exist gives an error wrapping ErrNoRun.
func (db *DB) Profiles(ctx context.Context, id int64) ([]Profile, error) {
	if err := db.exists(ctx, id); err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, sqlProfiles, id)
	if err != nil {
		return nil, fmt.Errorf("list profiles of run %d: %w", id, sqliteError(err))
	}
	defer rows.Close()
	var ps []Profile
	for rows.Next() {
		var p Profile
		if err := rows.Scan(&p.RunID, &p.Pkg, &p.Name, &p.Side, &p.Kind, &p.Setup, &p.Iters, &p.Size, &p.SHA256); err != nil {
			return nil, fmt.Errorf("list profiles of run %d: %w", id, err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list profiles of run %d: %w", id, sqliteError(err))
	}
	return ps, nil
}

// ProfileData returns the bytes of the profile that p names by its RunID,
// Pkg, Name, Side, Kind and Setup, exactly as they were stored. The caller owns
// the returned slice.
func (db *DB) ProfileData(ctx context.Context, p Profile) ([]byte, error) {
	var data []byte
	err := db.db.QueryRowContext(ctx, sqlProfileData, p.RunID, p.Pkg, p.Name, p.Side, p.Kind, setupInt(p.Setup)).Scan(&data)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("%s profile of %s in run %d: %w", p.Kind, p.Name, p.RunID, ErrNoProfile)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s profile of %s in run %d: %w", p.Kind, p.Name, p.RunID, sqliteError(err))
	}
	return data, nil
}

// setupInt is the profile table's setup column for a Profile's Setup:
// an INTEGER on both backends (SQLite takes a Go bool as 0 or 1, and
// PostgreSQL refuses one for an integer column).
func setupInt(setup bool) int {
	if setup {
		return 1
	}
	return 0
}
