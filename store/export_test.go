package store

// SetNameCache sets how many benchmark names an ingest into db caches, so
// that tests reach the limit with small inputs.
func SetNameCache(db *DB, n int) { db.maxNames = n }
