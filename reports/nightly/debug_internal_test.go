package nightly

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// debugJudge prints the verdict of every history named by BENCHDB_DEBUG.
var debugName = os.Getenv("BENCHDB_DEBUG")

func debugVerdict(v verdict) {
	if debugName == "" || v.h.bench.Name != debugName {
		return
	}
	fmt.Printf("%s %s: levels %.4f cps %v cur %d base %d est %.4f se %.4f sd %.4f df %.1f p %.3g mde %.4f short %v corrected %v wait %v\n",
		v.h.series.Key(), v.h.bench.Name, v.levels, v.cps, v.cur, v.base, v.est, v.se, v.sd, v.df, v.p, v.mde, v.short, v.corrected, v.wait)
}

var _ = context.Background
var _ = testing.Short

func init() { debugHook = debugVerdict }
