package node

import (
	"bufio"
	"flag"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	refHome  = flag.String("ref-home", "", "BenchmarkOpenReference: a home holding the reference co-op (make bench-refcoop); COOPNODE_PASSPHRASE unlocks it")
	openHeap = flag.String("open-heap", "", "BenchmarkOpenReference: write a heap profile of the opened node to this file")
)

// BenchmarkOpenReference opens a home holding the reference co-op (from its
// state snapshot, after the first run) and reports the time to an open
// node with its state current, then to its state digest (what a first
// status asks for), the Go heap it keeps, and the process's peak RSS
// (VmHWM, which covers every iteration).
//
//	make bench-open    (or: go test ./node -run '^$' -bench OpenReference -benchtime 3x -ref-home H)
func BenchmarkOpenReference(b *testing.B) {
	if *refHome == "" {
		b.Skip("needs -ref-home: a home made by `make bench-refcoop`")
	}
	pass := []byte(os.Getenv("COOPNODE_PASSPHRASE"))
	var opened, digested time.Duration
	var heap uint64
	for b.Loop() {
		start := time.Now()
		n, err := Open(*refHome, pass, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n.State()
		opened += time.Since(start)
		start = time.Now()
		n.StateDigest() // what the first status asks for
		digested += time.Since(start)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapInuse)
		if *openHeap != "" {
			f, err := os.Create(*openHeap)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		if err := n.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(opened.Seconds()/float64(b.N), "open-s")
	b.ReportMetric(digested.Seconds()/float64(b.N), "digest-s")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
}

// peakRSS is the process's peak resident set (Linux), in bytes.
func peakRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
