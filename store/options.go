package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Options tunes OpenOptions. The zero value gives what Open does.
type Options struct {
	// MaxPages caps the database file at this many pages (SQLite's
	// max_page_count) on every connection: a write that would grow the
	// file beyond it fails with ErrFull, as on a full disk. Zero means
	// no cap. A cap below the file's current size holds it at that size.
	MaxPages int
}

// open returns a database handle for dsn whose connections apply o.
func (o Options) open(dsn string) (*sql.DB, error) {
	if o.MaxPages == 0 {
		return sql.Open(SQLiteDriver, dsn)
	}
	if o.MaxPages < 0 {
		return nil, fmt.Errorf("MaxPages %d: want zero or more", o.MaxPages)
	}
	d := &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			if err := registerFuncs(c); err != nil {
				return err
			}
			_, err := c.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", o.MaxPages), nil)
			return err
		},
	}
	return sql.OpenDB(dsnConnector{dsn: dsn, d: d}), nil
}

// A dsnConnector opens connections of one driver to one data source.
type dsnConnector struct {
	dsn string
	d   driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }

func (c dsnConnector) Driver() driver.Driver { return c.d }
