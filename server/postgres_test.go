package server_test

import (
	"os"
	"testing"

	"github.com/benchdb/benchdb/store/storetest"
)

// TestPostgres runs the upload and read API tests again with the server
// over a PostgreSQL store (a fresh database per test), so the team server
// is known to work on the shared backend it exists for. Without
// BENCHDB_TEST_POSTGRES it skips.
func TestPostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped (. .ci/postgres.sh; pg_start sets it)", storetest.PostgresEnv)
	}
	tests := []struct {
		name string
		f    func(*testing.T)
	}{
		{"Upload_StoreAndIdempotent", TestUpload_StoreAndIdempotent},
		{"Upload_Auth", TestUpload_Auth},
		{"Upload_TooLarge", TestUpload_TooLarge},
		{"Upload_Malformed", TestUpload_Malformed},
		{"Upload_Concurrent", TestUpload_Concurrent},
		{"ReadAPI", TestReadAPI},
		{"Pages_HTML", TestPages_HTML},
	}
	openTestStore = storetest.OpenPostgres
	defer func() { openTestStore = storetest.Open }()
	for _, tt := range tests {
		t.Run(tt.name, tt.f)
	}
}
