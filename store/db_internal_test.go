package store

import (
	"context"
	"errors"
	"testing"

	"github.com/mattn/go-sqlite3"
)

func TestRetryBusy(t *testing.T) {
	busy := sqlite3.Error{Code: sqlite3.ErrBusy}
	other := errors.New("other")
	tests := []struct {
		name      string
		errs      []error // returned by successive calls
		wantCalls int
		wantErr   error
	}{
		{"success", []error{nil}, 1, nil},
		{"busy twice", []error{busy, busy, nil}, 3, nil},
		{"locked", []error{sqlite3.Error{Code: sqlite3.ErrLocked}, nil}, 2, nil},
		{"other error is not retried", []error{other, nil}, 1, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retryBusy(context.Background(), func() error {
				calls++
				return tt.errs[calls-1]
			})
			if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) {
				t.Errorf("%d calls, error %v; want %d, %v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := retryBusy(ctx, func() error { return busy }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}
