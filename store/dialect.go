package store

import (
	"net/url"
	"strconv"
	"strings"
)

// A store is kept by one of two database engines, chosen by the address
// given to Open: a postgres:// or postgresql:// URL is PostgreSQL, any
// other string is the path of a SQLite file (the default). The SQL in
// schema.go is written for SQLite; the few differences PostgreSQL needs
// are explicit here and in postgres.go:
//
//   - placeholders: SQLite's ? become $1, $2, ... (rebind, applied to
//     every statement by the PostgreSQL connection wrapper);
//   - ids: SQLite's INTEGER PRIMARY KEY assigns max(id)+1; PostgreSQL
//     stores run, name and unit_set ids as BIGINT and the inserts compute
//     max(id)+1 themselves (pgStatements), under the write lock, so both
//     backends number runs alike and a copied store keeps its ids;
//   - the write lock: SQLite's BEGIN IMMEDIATE takes the file's write
//     lock; on PostgreSQL every read-write transaction takes the
//     transaction-level advisory lock pgWriteLock first, so writers (and
//     migrations) are serialised as on SQLite, while readers never wait;
//     the UNIQUE constraints on run.content_hash, name.name and
//     unit_set.units stay the last word against duplicates;
//   - identification: SQLite's header application_id; PostgreSQL's
//     schema_version table has an application_id column instead;
//   - schema: SQLite is migrated version by version (migrations);
//     PostgreSQL stores start at LatestSchemaVersion (pgSchema), since
//     none was written before it;
//   - text: PostgreSQL's columns are TEXT COLLATE "C" so that ORDER BY
//     compares bytes, as SQLite does; text PostgreSQL refuses (NUL bytes,
//     invalid UTF-8) is stored escaped and read back as it was
//     (postgres_text.go);
//   - ingest: the samples (result_group rows) and new names go by the
//     COPY protocol, in batches of pgCopyRows, within the run's
//     transaction (postgres_ingest.go); new names are numbered there,
//     under the write lock;
//   - layout: from schema version 8 a SQLite store keeps a run's results
//     and configuration lines in compressed run_block chunks
//     (runblock.go), which every reader decodes; a PostgreSQL store keeps
//     the tables of version 7 (result_group rows as JSON text,
//     config_line rows, run_digest chunks for Samples), and the readers
//     take that path when db.pg is set. Both give the same Results,
//     Samples and views;
//   - pragmas: SQLite only; PostgreSQL has none of them.

// IsPostgres reports whether addr names a PostgreSQL database rather
// than a SQLite file.
func IsPostgres(addr string) bool {
	return strings.HasPrefix(addr, "postgres://") || strings.HasPrefix(addr, "postgresql://")
}

// RedactAddress returns addr with any password replaced by "xxxxx", for
// messages. A SQLite path is returned as it is.
func RedactAddress(addr string) string {
	if !IsPostgres(addr) {
		return addr
	}
	u, err := url.Parse(addr)
	if err != nil {
		// Cut everything between "://" and the last "@", which may
		// hold a password.
		scheme, rest, _ := strings.Cut(addr, "://")
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			rest = "xxxxx@" + rest[i+1:]
		}
		return scheme + "://" + rest
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// rebind rewrites SQLite's ? placeholders as PostgreSQL's $1, $2, ...,
// leaving quoted text and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var sb strings.Builder
	sb.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				sb.WriteString(q[i:])
				return sb.String()
			}
			sb.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				sb.WriteString(q[i:])
				return sb.String()
			}
			sb.WriteString(q[i : i+j+1])
			i += j
		case c == '?':
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
