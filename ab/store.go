package ab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"strconv"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
)

// An Ingester stores benchmark-format input as a run; *store.DB is one.
type Ingester interface {
	Ingest(ctx context.Context, r io.Reader, opts store.IngestOptions) (store.Ingested, error)
}

// Stored names the runs a measurement was stored as.
type Stored struct {
	ID           string // the ab label
	OldRun       int64
	NewRun       int64
	OldDuplicate bool // the content was stored before (the same ab id)
	NewDuplicate bool
}

// Format writes one side of m in the Go benchmark format. Every result
// carries the configuration lines ab (id), side, commit and round, so
// that the two sides and every round stay apart in the store and in
// `benchdb export`.
func (m *Measurement) Format(w io.Writer, side, id string) error {
	s := &m.Old
	if side == New {
		s = &m.New
	}
	bw := benchfmt.NewWriter(w)
	for _, r := range s.Results {
		c := r.Clone()
		round := c.GetConfig("round")
		c.SetConfig("round", "") // set again below, last, as it changes most
		setFileConfig(c, "ab", id)
		setFileConfig(c, "side", side)
		setFileConfig(c, "commit", s.Rev.Commit)
		if s.Rev.WorkTree {
			setFileConfig(c, "worktree", "true")
		}
		setFileConfig(c, "round", round)
		if err := bw.Write(c); err != nil {
			return fmt.Errorf("write %s side: %w", side, err)
		}
	}
	return nil
}

// setFileConfig sets key to value as a configuration line of the file
// (Result.SetConfig makes it internal, which benchfmt.Writer omits).
func setFileConfig(r *benchfmt.Result, key, value string) {
	r.SetConfig(key, "")
	r.SetConfig(key, value)
	if i, ok := r.ConfigIndex(key); ok {
		r.Config[i].File = true
	}
}

// Store stores both sides of m as two runs labelled ab=id, side=old|new,
// commit and rev (the revision as given), plus labels. Both inputs are
// checked before either is stored, so that a bad measurement stores
// nothing.
func Store(ctx context.Context, db Ingester, m *Measurement, id string, labels map[string]string) (Stored, error) {
	st := Stored{ID: id}
	var bufs [2]bytes.Buffer
	var opts [2]store.IngestOptions
	for i, side := range []string{Old, New} {
		if err := m.Format(&bufs[i], side, id); err != nil {
			return st, err
		}
		rev := m.Old.Rev
		if side == New {
			rev = m.New.Rev
		}
		l := maps.Clone(labels)
		if l == nil {
			l = map[string]string{}
		}
		l["ab"] = id
		l["side"] = side
		l["commit"] = rev.Commit
		l["rev"] = rev.Name
		l["rounds"] = strconv.Itoa(m.Rounds)
		if rev.WorkTree {
			l["dirty"] = "true"
		}
		opts[i] = store.IngestOptions{Name: "ab " + id + " " + side, Labels: l, Strict: true}
		if _, err := store.Check(ctx, bytes.NewReader(bufs[i].Bytes()), opts[i]); err != nil {
			return st, fmt.Errorf("store %s side: %w", side, err)
		}
	}
	for i := range bufs {
		got, err := db.Ingest(ctx, bytes.NewReader(bufs[i].Bytes()), opts[i])
		if err != nil {
			return st, fmt.Errorf("store %s side: %w", opts[i].Labels["side"], err)
		}
		if i == 0 {
			st.OldRun, st.OldDuplicate = got.ID, got.DuplicateOf != 0
		} else {
			st.NewRun, st.NewDuplicate = got.ID, got.DuplicateOf != 0
		}
	}
	return st, nil
}

// A ResultSource reads stored results; *store.DB is one.
type ResultSource interface {
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
}

// LoadSide reads the results of stored runs (as Store wrote them) back
// into a Side: results without a round configuration are skipped.
func LoadSide(ctx context.Context, db ResultSource, rev Revision, ids ...int64) (Side, error) {
	s := Side{Rev: rev}
	err := db.Results(ctx, ids, func(_ int64, r *benchfmt.Result) error {
		if r.GetConfig("round") == "" {
			return nil
		}
		s.Results = append(s.Results, r.Clone())
		return nil
	})
	if err != nil {
		return Side{}, fmt.Errorf("load runs %v: %w", ids, err)
	}
	return s, nil
}
