package app

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Go's collector lets the heap grow to twice what is live before it
// collects again (GOGC=100). A node holding a large co-op keeps a few
// hundred MB of state live, so it would sit at twice that, most of it
// garbage. A soft memory limit a little above the live heap makes the
// collector run sooner instead; it follows the live heap as the co-op
// grows, so it never holds the node to less than it needs (which would
// make the collector run without end). GOMEMLIMIT, if set, decides instead.
const (
	memoryFloor    = 768 << 20 // never limit below this
	memoryHeadroom = 256 << 20 // above the live heap
)

// memoryLimit is the limit for a live heap of live bytes.
func memoryLimit(live uint64) int64 {
	return max(memoryFloor, int64(live+live/4)+memoryHeadroom)
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

var limitMemoryOnce sync.Once

// limitMemory keeps the soft memory limit set from the live heap until ctx
// ends (the node's background work: see node.Node.Go); with a nil ctx it
// sets it once.
func limitMemory(ctx context.Context) error {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		debug.SetMemoryLimit(memoryLimit(liveHeap()))
		if ctx == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
