package model

import (
	"fmt"
	"time"
)

// Outcome is how a run ends: its backlog drained, or it ran away.
// The zero value is no outcome yet.
type Outcome int

// The outcomes of a run.
const (
	// Drained: after the pause the queue came back to its steady level.
	Drained Outcome = iota + 1
	// Runaway: the queue reached a cap, or was still above its steady
	// level when the run's time was up.
	Runaway
)

// String returns "drained", "runaway", or "none" for the zero value.
func (o Outcome) String() string {
	switch o {
	case Drained:
		return "drained"
	case Runaway:
		return "runaway"
	case 0:
		return "none"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MarshalText writes the outcome as its String, so that JSON shows
// "drained" or "runaway".
func (o Outcome) MarshalText() ([]byte, error) {
	if o != Drained && o != Runaway {
		return nil, fmt.Errorf("marshal outcome %d: not drained or runaway", int(o))
	}
	return []byte(o.String()), nil
}

// Sample is the queue at one moment of a run.
type Sample struct {
	T     time.Duration // since the run started
	Queue int           // messages queued
	Bytes int64         // bytes held by the queued messages
}
