package store

// SetNameCache sets how many benchmark names an ingest into db caches, so
// that tests reach the limit with small inputs.
func SetNameCache(db *DB, n int) { db.maxNames = n }

// SetPendingGroups sets the bytes of value blocks an ingest into db holds
// before it ends every open group (maxPendingGroups), so that tests reach
// the limit with small inputs.
func SetPendingGroups(db *DB, n int) { db.maxPending = n }
