package app

import (
	"os"
	"runtime/debug"
	"sync"
)

// Go's collector lets the heap grow to twice what is live before it
// collects again (GOGC=100). A node holding a large co-op keeps a few
// hundred MB of state live, so it would sit at twice that, most of it
// garbage. Collecting at half the live heap instead keeps it at one and a
// half times, for somewhat more collector work, and unlike a fixed memory
// limit it can never hold a node that needs more below what it needs.
// GOGC or GOMEMLIMIT, if set, decide instead.
//
// Measured on the reference co-op (406,607 records; build/bench-coldstart.sh):
// peak RSS at start 735-767 MiB with GOGC=100, 637-642 MiB with 50.
const gcPercent = 50

var tuneGCOnce sync.Once

// tuneGC sets the collector's target for a process about to open a node.
func tuneGC() {
	tuneGCOnce.Do(func() {
		if p, ok := gcTarget(os.Getenv); ok {
			debug.SetGCPercent(p)
		}
	})
}

// gcTarget is the GOGC to set, unless the environment sets one.
func gcTarget(getenv func(string) string) (int, bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return gcPercent, true
}
