package scenario_test

import (
	"errors"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

func TestBisectPause(t *testing.T) {
	const critical = 100 * time.Millisecond
	try := func(p time.Duration) (model.Outcome, error) {
		if p > critical {
			return model.Runaway, nil
		}
		return model.Drained, nil
	}
	tests := []struct {
		name  string
		guess time.Duration
		steps int
		runs  int
	}{
		{"guess below", 30 * time.Millisecond, 4, 3 + 4}, // 30, 60, 120, then 4 halvings
		{"guess above", 500 * time.Millisecond, 0, 4},    // 500, 250, 125, 62.5
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := scenario.BisectPause(tt.guess, tt.steps, try)
			if err != nil {
				t.Fatal(err)
			}
			if b.Drained > critical || b.Runaway <= critical || b.Runs != tt.runs {
				t.Errorf("bracket %+v, want drained ≤ %v < runaway after %d runs", b, critical, tt.runs)
			}
		})
	}
	t.Run("out of range", func(t *testing.T) {
		b, err := scenario.BisectPause(time.Millisecond, 3, try) // 16·1ms never runs away
		if err != nil || b.Runaway != 0 || b.Drained != 16*time.Millisecond {
			t.Errorf("bracket %+v, err %v: want an open bracket drained at 16ms", b, err)
		}
	})
	t.Run("error", func(t *testing.T) {
		boom := errors.New("boom")
		b, err := scenario.BisectPause(critical, 3, func(time.Duration) (model.Outcome, error) { return 0, boom })
		if !errors.Is(err, boom) || b.Runs != 1 {
			t.Errorf("bracket %+v, err %v: want boom after 1 run", b, err)
		}
	})
}
