package verify

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

// BenchmarkVerifyVsEd25519: `coopnode verify`'s path (bundle.Read, every
// signature and ID, the fold) on the bundle COOPNODE_BENCH_BUNDLE (the
// reference co-op of `make bench-refcoop`), or else on
// COOPNODE_BENCH_RECORDS join requests (default 50,000), against raw Ed25519
// verification of the same signatures on all cores, in the same run (DESIGN
// target: >= 75%).
func BenchmarkVerifyVsEd25519(b *testing.B) {
	var buf bytes.Buffer
	var recs []*record.Record
	if path := os.Getenv("COOPNODE_BENCH_BUNDLE"); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(raw)
		rd, err := bundle.NewReader(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		for {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			recs = append(recs, r)
		}
	} else {
		recs = joinRequests(b)
		if err := bundle.Write(&buf, recs[0].ID, t0, recs); err != nil {
			b.Fatal(err)
		}
	}
	n := len(recs)
	type job struct {
		pub, msg, sig []byte
	}
	jobs := make([]job, len(recs))
	for i, r := range recs {
		jobs[i] = job{r.Sigs[0].Key[:], record.PAE(record.PayloadType, r.Payload), r.Sigs[0].Sig}
	}
	// The decoded records were only needed to build jobs: drop them, so the
	// garbage collector does not walk them while verify runs (the command
	// has nothing of the kind in memory).
	recs = nil
	runtime.GC()
	b.ReportMetric(float64(n), "records")
	var verifyDur, rawDur time.Duration
	for b.Loop() {
		start := time.Now()
		rep, err := Bundle(bytes.NewReader(buf.Bytes()))
		if err != nil || !rep.OK || rep.Records != n {
			b.Fatalf("verify: %v %+v", err, rep.Failures)
		}
		verifyDur += time.Since(start)

		start = time.Now()
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(jobs); i += workers {
					if !ed25519.Verify(jobs[i].pub, jobs[i].msg, jobs[i].sig) {
						panic("bad signature")
					}
				}
			}()
		}
		wg.Wait()
		rawDur += time.Since(start)
	}
	vps := float64(n*b.N) / verifyDur.Seconds()
	rps := float64(n*b.N) / rawDur.Seconds()
	b.ReportMetric(vps, "verify-records/s")
	b.ReportMetric(rps, "raw-ed25519/s")
	b.ReportMetric(vps/rps, "ratio")
}

// joinRequests is a co-op of COOPNODE_BENCH_RECORDS records (default
// 50,000): the genesis, and join requests.
func joinRequests(b *testing.B) []*record.Record {
	n := 50_000
	if s := os.Getenv("COOPNODE_BENCH_RECORDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	g, cert, _ := coop.Found(newKey(1), newKey(2), "Riverside", "Ana", "laptop", coop.DefaultBylaws("Riverside"), t0)
	recs := []*record.Record{g, cert}
	for i := len(recs); i < n; i++ {
		k := newKey(byte(i%200 + 10))
		r, err := coop.RequestJoin(k, newKey(byte(i%200+11)), g.ID, fmt.Sprintf("Applicant %07d", i), "laptop", "bench", t0.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}
