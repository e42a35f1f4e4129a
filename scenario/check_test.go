package scenario_test

import (
	"errors"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

func TestExperiment_Check(t *testing.T) {
	costs := model.Costs{S0: 5e-6, C: 10e-9, K: 1}
	cfg := scenario.Config{Rate: 50000, Pause: time.Second, At: time.Second, Duration: 10 * time.Second}
	tests := []struct {
		name string
		e    scenario.Experiment
		want string // "" for no error
	}{
		{"defaults", scenario.Experiment{Config: cfg}, ""},
		{"find critical live", scenario.Experiment{Config: cfg, FindCritical: true}, ""},
		{"too many events", scenario.Experiment{Config: scenario.Config{Rate: 1e6, Duration: time.Hour}},
			"--rate 1e+06 with --duration 1h0m0s: up to 3.6e+09 events, more than the 1e+08 a run may simulate; lower one of them"},
		{"find critical with costs", scenario.Experiment{Config: cfg, Costs: &costs, FindCritical: true},
			"--find-critical runs live: it does not go with --sweep or --costs"},
		{"find critical with sweep", scenario.Experiment{Config: cfg, Sweep: true, FindCritical: true},
			"--find-critical runs live: it does not go with --sweep or --costs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Check()
			var cerr *scenario.CheckError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Check: %v, want nil", err)
			case tt.want != "" && (!errors.As(err, &cerr) || err.Error() != tt.want):
				t.Errorf("Check: %v (%T), want *CheckError %q", err, err, tt.want)
			}
		})
	}
}
