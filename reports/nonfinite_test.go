package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
)

// TestCompare_NonFinite compares samples holding NaN and ±Inf. NaN
// values are left out of every statistic with a warning (benchmath's
// Mann-Whitney test on NaN grows its memory without bound; issue 11
// saw 24 GB); a cell of NaN alone shows a NaN center and no delta.
// ±Inf are kept, as benchstat keeps them. The JSON output holds no
// NaN or Inf (they become null) and reads back.
func TestCompare_NonFinite(t *testing.T) {
	var old, new strings.Builder
	for i := range 8 {
		v := fmt.Sprint(100 + i)
		if i < 3 {
			v = "NaN"
		}
		fmt.Fprintf(&old, "BenchmarkMixed 1 %s ns/op\n", v)
		fmt.Fprintf(&new, "BenchmarkMixed 1 %d ns/op\n", 200+i)
		fmt.Fprintf(&old, "BenchmarkAllNaN 1 NaN ns/op\n")
		fmt.Fprintf(&new, "BenchmarkAllNaN 1 %d ns/op\n", 50+i)
		fmt.Fprintf(&old, "BenchmarkInf 1 +Inf ns/op\n")
		fmt.Fprintf(&new, "BenchmarkInf 1 %d ns/op\n", 70+i)
	}
	var src reports.MemSource
	for i, text := range []string{old.String(), new.String()} {
		if _, err := src.AddString(text, fmt.Sprint("f", i), nil, time.Unix(int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := reports.Compare(ctx, &src, mustSelectors(t, "old=1", "new=2"), reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*reports.Row{}
	units := map[string]bool{}
	for _, tab := range c.Tables {
		units[tab.Unit] = true
		for _, r := range tab.Rows {
			rows[tab.Unit+" "+r.Name] = r
		}
	}
	// NaN ns/op tidies to NaN sec/op (NaN*1e-9 is not NaN's equal), +Inf
	// ns/op stays ns/op: benchfmt's rule.
	if !units["sec/op"] || !units["ns/op"] {
		t.Fatalf("tables %v, want sec/op and ns/op", units)
	}
	mixed := rows["sec/op Mixed"]
	if mixed == nil || mixed.Cells[0] == nil {
		t.Fatalf("no sec/op Mixed row with a baseline")
	}
	if n := len(mixed.Cells[0].Sample.Values); n != 5 {
		t.Errorf("Mixed old: %d values, want the 5 that are not NaN", n)
	}
	if got := fmt.Sprint(mixed.Cells[0].Warnings); !strings.Contains(got, "3 of 8 values are NaN and excluded") {
		t.Errorf("Mixed old warnings %s, want the NaN count", got)
	}
	if d := mixed.Deltas[1]; d == nil || d.Verdict != reports.Regression {
		t.Errorf("Mixed delta %+v, want a regression (100 -> 200 ns)", d)
	}
	all := rows["sec/op AllNaN"]
	if all == nil || all.Cells[0] == nil || len(all.Cells[0].Sample.Values) != 0 || all.Deltas[1] != nil {
		t.Fatalf("AllNaN row %+v, want an empty baseline cell and no delta", all)
	}
	var text, js bytes.Buffer
	if err := c.WriteText(&text, reports.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AllNaN", "NaN", "8 of 8 values are NaN and excluded", "3 of 8 values are NaN and excluded"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if err := c.WriteJSON(&js); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var back any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not read back: %v\n%s", err, js.String())
	}
	// encoding/json refuses NaN and ±Inf, so reading back proves them
	// absent; the +Inf baseline's center must be there as null.
	if !strings.Contains(js.String(), `"name": "Inf",
          "cells": [
            {
              "center": null,`) {
		t.Errorf("JSON lacks a null center for the +Inf baseline:\n%s", js.String())
	}
}
