package shellword_test

import (
	"testing"

	"github.com/benchdb/benchdb/internal/shellword"
)

func TestJoin(t *testing.T) {
	got := shellword.Join([]string{"run", "--bench", "^$", "it's", "", "a=b/c"})
	if want := `run --bench '^$' 'it'\''s' '' a=b/c`; got != want {
		t.Errorf("Join = %s, want %s", got, want)
	}
}
