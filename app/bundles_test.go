package app

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

type testSigner struct{ k ed25519.PrivateKey }

func (s testSigner) PublicKey() (p record.PublicKey) {
	copy(p[:], s.k.Public().(ed25519.PublicKey))
	return
}
func (s testSigner) Sign(m []byte) ([]byte, error) { return ed25519.Sign(s.k, m), nil }

// watchBundles polls BundleTransfers, as the UI does, until stop is closed,
// and returns what it saw.
func watchBundles(t *testing.T, a *App) (stop func() []BundleTransferView) {
	var seen []BundleTransferView
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			ts, err := a.BundleTransfers()
			if err != nil {
				t.Error(err)
				return
			}
			if len(ts) > 0 {
				seen = append(seen, ts[0])
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() []BundleTransferView {
		close(done)
		wg.Wait()
		return seen
	}
}

// checkMonotonic checks that a transfer's progress, as polled, never went
// back: steps in order, and within a step records and bytes only grow.
func checkMonotonic(t *testing.T, seen []BundleTransferView) {
	t.Helper()
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1], seen[i]
		if a.ID != b.ID {
			continue
		}
		if b.Step < a.Step || (b.Step == a.Step && (b.Phase != a.Phase || b.Records < a.Records || b.Bytes < a.Bytes || b.Total != a.Total)) ||
			(a.Finished && !b.Finished) || b.Records > b.Total || (b.Size > 0 && b.Bytes > b.Size) {
			t.Fatalf("progress went wrong: %+v, then %+v", a, b)
		}
	}
}

func TestBundleProgress(t *testing.T) {
	home := t.TempDir()
	core := NewCore(home, testOpts)
	t.Cleanup(func() { core.Close() })
	a := NewApp(core)
	if err := a.Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	n := core.Node()
	held := len(n.IDs())

	// A bundle of more records than one batch, of a type the co-op does
	// not know: verified and stored all the same (never applied).
	const k = 5000
	buf := noteBundle(t, n.Device(), n.CoopID(), k)
	dir := t.TempDir()
	good := filepath.Join(dir, "notes.cnb")
	if err := os.WriteFile(good, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	// Damaged copies store nothing, and say so in their transfer too.
	raw := buf.Bytes()
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-40] ^= 1
	for name, b := range map[string][]byte{"truncated": raw[:len(raw)-100], "altered": flipped, "cut in half": raw[:len(raw)/2]} {
		p := filepath.Join(dir, name+".cnb")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		stop := watchBundles(t, a)
		v, err := a.ImportBundle(p)
		seen := stop()
		if err == nil || v.Added != 0 || !strings.Contains(err.Error(), "nothing was imported") {
			t.Fatalf("%s: %+v %v", name, v, err)
		}
		if got := len(n.IDs()); got != held {
			t.Fatalf("%s: the node holds %d records, had %d", name, got, held)
		}
		checkMonotonic(t, seen)
		ts, _ := a.BundleTransfers()
		if tr := ts[0]; tr.Kind != "import" || tr.Path != p || !tr.Finished || tr.Error == "" || tr.Phase != "verifying" || tr.Step != 1 {
			t.Fatalf("%s: its transfer is %+v", name, tr)
		}
	}

	stop := watchBundles(t, a)
	v, err := a.ImportBundle(good)
	seen := stop()
	if err != nil || v.Read != k || v.Added != k || v.Had != 0 {
		t.Fatalf("import: %+v %v", v, err)
	}
	checkMonotonic(t, seen)
	ts, _ := a.BundleTransfers()
	if tr := ts[0]; tr.Kind != "import" || tr.Path != good || !tr.Finished || tr.Error != "" || tr.Phase != "storing" ||
		tr.Step != 2 || tr.Steps != 2 || tr.Records != k || tr.Total != k {
		t.Fatalf("import's transfer at the end: %+v", tr)
	}
	if len(ts) != 4 {
		t.Fatalf("%d transfers listed, want 4", len(ts))
	}

	// Export, leaving out what the bundle has: the other bundle is read, then the rest written.
	out := filepath.Join(dir, "rest.cnb")
	stop = watchBundles(t, a)
	ev, err := a.ExportBundle(out, good)
	seen = stop()
	if err != nil || ev.Records != held || ev.Skipped != k {
		t.Fatalf("export: %+v %v", ev, err)
	}
	checkMonotonic(t, seen)
	ts, _ = a.BundleTransfers()
	if tr := ts[0]; tr.Kind != "export" || tr.Path != out || !tr.Finished || tr.Error != "" || tr.Phase != "writing" ||
		tr.Step != 2 || tr.Steps != 2 || tr.Records != held || tr.Total != held {
		t.Fatalf("export's transfer at the end: %+v", tr)
	}
	var readingSeen bool
	for _, s := range seen {
		readingSeen = readingSeen || (s.ID == ts[0].ID && s.Phase == "reading" && s.Total == k)
	}
	if !readingSeen {
		t.Log("the reading step was too quick to be polled") // not a failure: timing
	}
	f, _ := os.Open(out)
	_, got, err := bundle.ReadAll(f)
	f.Close()
	if err != nil || len(got) != held {
		t.Fatalf("the exported bundle: %d records, %v", len(got), err)
	}

	// A plain export: one step, all of them.
	ev, err = a.ExportBundle(filepath.Join(dir, "all.cnb"), "")
	ts, _ = a.BundleTransfers()
	if tr := ts[0]; err != nil || ev.Records != held+k || tr.Steps != 1 || tr.Step != 1 || tr.Records != held+k || tr.Total != held+k {
		t.Fatalf("export: %+v %v; %+v", ev, err, tr)
	}
}

func TestBundleProgressLine(t *testing.T) {
	tr := BundleTransferView{Kind: "import", Phase: "verifying", Step: 1, Steps: 2, Records: 120000, Total: 406607, Bytes: 20 << 20, Size: 64 << 20}
	if got, want := bundleProgressLine(tr, 120), "1/2 Verifying [#####...............]  29%  120,000 of 406,607 records, 20.0 MiB of 64.0 MiB"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// The bytes only where they fit.
	if got, want := bundleProgressLine(tr, 79), "1/2 Verifying [#####...............]  29%  120,000 of 406,607 records"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := bundleProgressLine(tr, 40); len(got) != 40 {
		t.Fatalf("not cut to 40 characters: %q", got)
	}
	tr = BundleTransferView{Kind: "import", Phase: "storing", Step: 2, Steps: 2, Records: 406607, Total: 406607}
	if got, want := bundleProgressLine(tr, 120), "2/2 Storing [####################] 100%  406,607 of 406,607 records, applying the co-op's rules"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	tr = BundleTransferView{Kind: "export", Phase: "writing", Step: 1, Steps: 1, Records: 0, Total: 0}
	if got := bundleProgressLine(tr, 79); got != "Writing..." {
		t.Fatalf("got %q", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 406607: "406,607", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Fatalf("thousands(%d) = %q", n, got)
		}
	}
}

// noteBundle is a bundle of k records of co-op coop, signed by a key (from
// seed) the co-op does not know: stored on import, never applied.
// noteBundle writes a bundle of k records of a type no coopnode knows,
// signed by s (a key of the co-op: a node stores nothing else).
func noteBundle(t *testing.T, s record.Signer, coop record.ID, k int) *bytes.Buffer {
	t.Helper()
	when := time.Now().UTC().Truncate(time.Second)
	recs := make([]*record.Record, k)
	for i := range recs {
		r, err := record.New(s, "test.note", 1, coop, when, nil, map[string]string{"n": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = r
	}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, coop, when, recs); err != nil {
		t.Fatal(err)
	}
	return &buf
}
