package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
)

// admissions makes k admissions signed by n's device, not yet stored.
func admissions(t *testing.T, n *Node, k int) []*record.Record {
	t.Helper()
	certs, _ := n.IDsOfType(coop.TypeDevice)
	var out []*record.Record
	for i := range k {
		key, _ := identity.Generate(nil)
		r, err := coop.Admit(n.keys.Device(), n.CoopID(), coop.Profile{Name: fmt.Sprintf("m%d", i), MemberKey: key.MemberKey(), Class: "member"}, testOpts.now(), certs[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestExportImport(t *testing.T) {
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	var all bytes.Buffer
	if k, err := n.Export(&all, nil); err != nil || k != 2 {
		t.Fatalf("export: %d %v", k, err)
	}
	// Importing what we have is a no-op.
	rep, err := n.Import(bytes.NewReader(all.Bytes()))
	if err != nil || rep.Read != 2 || rep.Added != 0 || rep.Had != 2 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	// A bundle with three new admissions, one of which waits for a missing predecessor.
	recs := admissions(t, n, 2)
	orphan, _ := coop.Admit(n.keys.Device(), n.CoopID(), coop.Profile{Name: "orphan", MemberKey: record.PublicKey{9}, Class: "member"}, testOpts.now(), record.ID{1})
	recs = append(recs, orphan)
	var b bytes.Buffer
	_ = bundle.Write(&b, n.CoopID(), testOpts.now(), append(recordsOf(t, n), recs...))
	good := b.Bytes()
	before := n.State().Digest()

	foreignHome := initHome(t)
	f, _ := Open(foreignHome, pass, testOpts)
	var foreign bytes.Buffer
	_, _ = f.Export(&foreign, nil)
	f.Close()
	tampered := bytes.Clone(good)
	tampered[len(tampered)/2] ^= 1
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)-5], "tampered": tampered, "foreign co-op": foreign.Bytes(), "not a bundle": []byte("PK\x03\x04zip"),
	} {
		if rep, err := n.Import(bytes.NewReader(bad)); err == nil || rep.Added != 0 {
			t.Fatalf("%s bundle: %+v %v", name, rep, err)
		} else if name == "foreign co-op" && !errors.Is(err, ErrForeignCoop) {
			t.Fatalf("foreign: %v", err)
		}
		if len(recordsOf(t, n)) != 2 || n.State().Digest() != before {
			t.Fatalf("%s bundle changed the node", name)
		}
	}
	rep, err = n.Import(bytes.NewReader(good))
	if err != nil || rep.Read != 5 || rep.Added != 3 || rep.Had != 2 || rep.Pending != 1 || rep.Invalid != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if len(n.State().Members) != 3 {
		t.Fatalf("%d members after import", len(n.State().Members))
	}
	// Idempotent.
	if rep, err := n.Import(bytes.NewReader(good)); err != nil || rep.Added != 0 {
		t.Fatalf("second import: %+v %v", rep, err)
	}
	// --since: only what the earlier bundle lacks.
	hdr, skip, err := BundleIDs(bytes.NewReader(all.Bytes()), 0, nil)
	if err != nil || hdr.Records != 2 || len(skip) != 2 {
		t.Fatalf("bundle IDs: %+v %d %v", hdr, len(skip), err)
	}
	var delta bytes.Buffer
	if k, err := n.Export(&delta, skip); err != nil || k != 3 {
		t.Fatalf("export since: %d %v", k, err)
	}
	_, got, err := bundle.ReadAll(bytes.NewReader(delta.Bytes()))
	if err != nil || len(got) != 3 {
		t.Fatalf("the delta: %d records, %v", len(got), err)
	}
	for _, r := range got {
		if slices.Contains(skip, r.ID) {
			t.Fatalf("the delta holds %s, which the receiver has", r.ID.Short())
		}
	}
	// BundleIDs verifies what it reads.
	for name, bad := range map[string][]byte{"truncated": good[:len(good)-5], "tampered": tampered} {
		if _, _, err := BundleIDs(bytes.NewReader(bad), 0, nil); err == nil {
			t.Fatalf("BundleIDs of a %s bundle", name)
		}
	}
}

// smallBatches makes bundles go a few records at a time, as a large one would.
func smallBatches(t *testing.T, k int) {
	b, e := bundleBatch, exportBatch
	bundleBatch, exportBatch = k, k
	t.Cleanup(func() { bundleBatch, exportBatch = b, e })
}

// checkProgress checks that progress went through phases in order, never
// backwards within one, and that each phase reached its total.
func checkProgress(t *testing.T, got []BundleProgress, phases []string, total int, size int64) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("no progress")
	}
	p := 0
	for i, g := range got {
		if g.Phase != phases[p] {
			if p+1 < len(phases) && g.Phase == phases[p+1] && got[i-1].Records == got[i-1].Total {
				p++
			} else {
				t.Fatalf("progress %d: %+v after %+v (phases %v)", i, g, got[max(i-1, 0)], phases)
			}
		} else if i > 0 && got[i-1].Phase == g.Phase && (g.Records < got[i-1].Records || g.Bytes < got[i-1].Bytes || g.Total != got[i-1].Total) {
			t.Fatalf("progress went back: %+v after %+v", g, got[i-1])
		}
		if g.Records > g.Total || (g.Size > 0 && g.Bytes > g.Size) {
			t.Fatalf("progress beyond the total: %+v", g)
		}
	}
	last := got[len(got)-1]
	if p != len(phases)-1 || last.Records != total || last.Total != total {
		t.Fatalf("progress ended at %+v, want phase %s of %d records", last, phases[len(phases)-1], total)
	}
	for i := range got {
		if got[i].Phase == PhaseVerifying || got[i].Phase == PhaseReading {
			if i+1 == len(got) || got[i+1].Phase != got[i].Phase {
				if got[i].Bytes != size || got[i].Size != size {
					t.Fatalf("%s ended at %d of %d bytes, want %d", got[i].Phase, got[i].Bytes, got[i].Size, size)
				}
			}
		}
	}
}

func TestBundleProgress(t *testing.T) {
	smallBatches(t, 2)
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	recs := admissions(t, n, 5)
	var b bytes.Buffer
	_ = bundle.Write(&b, n.CoopID(), testOpts.now(), append(recordsOf(t, n), recs...))
	good := b.Bytes()

	var got []BundleProgress
	rep, err := n.ImportWithProgress(bytes.NewReader(good), func(p BundleProgress) { got = append(got, p) })
	if err != nil || rep.Read != 7 || rep.Added != 5 || rep.Had != 2 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	checkProgress(t, got, []string{PhaseVerifying, PhaseStoring}, 7, int64(len(good)))
	if len(got) < 8 { // 4 batches each way, and the starts
		t.Fatalf("only %d progress reports: %+v", len(got), got)
	}

	got = nil
	var out bytes.Buffer
	k, err := n.ExportWithProgress(&out, []record.ID{recs[0].ID, recs[1].ID}, func(p BundleProgress) { got = append(got, p) })
	if err != nil || k != 5 {
		t.Fatalf("export: %d %v", k, err)
	}
	checkProgress(t, got, []string{PhaseWriting}, 5, 0)

	got = nil
	if _, _, err := BundleIDs(bytes.NewReader(good), int64(len(good)), func(p BundleProgress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	checkProgress(t, got, []string{PhaseReading}, 7, int64(len(good)))
}

// A bundle that fails anywhere stores nothing, however many batches were
// verified before the failure.
func TestImportBadBundleStoresNothing(t *testing.T) {
	smallBatches(t, 2)
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	held := recordsOf(t, n)
	recs := admissions(t, n, 7)
	var b bytes.Buffer
	_ = bundle.Write(&b, n.CoopID(), testOpts.now(), append(held, recs...))
	good := b.Bytes()
	// The last record's signature broken: all batches but the last check out.
	badSig := *recs[6]
	badSig.Sigs = slices.Clone(badSig.Sigs)
	badSig.Sigs[0].Sig = slices.Clone(badSig.Sigs[0].Sig)
	badSig.Sigs[0].Sig[5] ^= 1
	var bs bytes.Buffer
	_ = bundle.Write(&bs, n.CoopID(), testOpts.now(), append(append(slices.Clone(held), recs[:6]...), &badSig))
	// A record of another co-op at the end.
	f, _ := Open(initHome(t), pass, testOpts)
	alien := admissions(t, f, 1)
	f.Close()
	var ba bytes.Buffer
	_ = bundle.Write(&ba, n.CoopID(), testOpts.now(), append(append(slices.Clone(held), recs...), alien...))
	before := n.State().Digest()
	for name, bad := range map[string][]byte{
		"truncated":         good[:len(good)-1],
		"cut in half":       good[:len(good)/2],
		"bad signature":     bs.Bytes(),
		"foreign record":    ba.Bytes(),
		"trailing bytes":    append(slices.Clone(good), 0),
		"header only":       good[:40],
		"flipped last byte": append(slices.Clone(good[:len(good)-1]), good[len(good)-1]^1),
	} {
		var got []BundleProgress
		rep, err := n.ImportWithProgress(bytes.NewReader(bad), func(p BundleProgress) { got = append(got, p) })
		if err == nil || rep.Added != 0 || !strings.Contains(err.Error(), "nothing was imported") {
			t.Fatalf("%s: %+v %v", name, rep, err)
		}
		for _, p := range got {
			if p.Phase == PhaseStoring {
				t.Fatalf("%s: reached %s", name, p.Phase)
			}
		}
		if k := len(recordsOf(t, n)); k != 2 || n.State().Digest() != before {
			t.Fatalf("%s: %d records held after the import", name, k)
		}
	}
	if rep, err := n.Import(bytes.NewReader(good)); err != nil || rep.Added != 7 {
		t.Fatalf("the good bundle: %+v %v", rep, err)
	}
}

// twoFaced serves one bundle on the first read and another after Import
// seeks back to read it again.
type twoFaced struct {
	*bytes.Reader
	second []byte
	starts int
}

func (t *twoFaced) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		if t.starts++; t.starts == 2 {
			t.Reader = bytes.NewReader(t.second)
		}
	}
	return t.Reader.Seek(off, whence)
}

// Import stores only bytes it verified: a bundle swapped between its two
// reads stops the import at the first batch that differs.
func TestImportBundleChangedBetweenReads(t *testing.T) {
	smallBatches(t, 2)
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	held := recordsOf(t, n)
	recs := admissions(t, n, 3)
	var b bytes.Buffer
	_ = bundle.Write(&b, n.CoopID(), testOpts.now(), append(slices.Clone(held), recs...))
	good := b.Bytes()
	// The same header; batches 0 and 1 the same; the last record a forgery.
	forged := *recs[2]
	forged.Sigs = slices.Clone(forged.Sigs)
	forged.Sigs[0].Sig = slices.Clone(forged.Sigs[0].Sig)
	forged.Sigs[0].Sig[0] ^= 1
	var b2 bytes.Buffer
	_ = bundle.Write(&b2, n.CoopID(), testOpts.now(), append(append(slices.Clone(held), recs[:2]...), &forged))

	rep, err := n.Import(&twoFaced{Reader: bytes.NewReader(good), second: b2.Bytes()})
	if err == nil || !strings.Contains(err.Error(), "changed while it was imported") || rep.Added != 2 {
		t.Fatalf("swapped bundle: %+v %v", rep, err)
	}
	if !n.Has(recs[0].ID) || !n.Has(recs[1].ID) || n.Has(recs[2].ID) {
		t.Fatal("the import stored other records than the verified batches")
	}
	// Swapped for one that is shorter: nothing beyond what was verified.
	rep, err = n.Import(&twoFaced{Reader: bytes.NewReader(good), second: b2.Bytes()[:len(b2.Bytes())-8]})
	if err == nil || n.Has(recs[2].ID) {
		t.Fatalf("swapped for a truncated one: %+v %v", rep, err)
	}
	// Read again unchanged, it resumes.
	if rep, err := n.Import(bytes.NewReader(good)); err != nil || rep.Added != 1 || rep.Had != 4 {
		t.Fatalf("resume: %+v %v", rep, err)
	}
}

// A record damaged in the store is left out of an export, as Records leaves
// it out: at once if the node knew it (found at Open), else the export
// fails, naming it, and the next one leaves it out.
func TestExportLeavesOutDamaged(t *testing.T) {
	smallBatches(t, 2)
	home := initHome(t)
	n, _ := Open(home, pass, testOpts)
	recs := admissions(t, n, 3)
	if err := n.Put(recs...); err != nil {
		t.Fatal(err)
	}
	truncate := func(id record.ID) {
		raw, _ := n.kv.Get(recordKey(id))
		if err := n.kv.Update(func(tx store.Tx) error { return tx.Set(recordKey(id), raw[:len(raw)/2]) }); err != nil {
			t.Fatal(err)
		}
	}
	truncate(recs[0].ID)
	n.Close()
	// Without a snapshot, Open reads every record, and finds the damage.
	if err := os.Remove(filepath.Join(home, SnapshotFile)); err != nil {
		t.Fatal(err)
	}
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var b bytes.Buffer
	if k, err := n.Export(&b, nil); err != nil || k != 4 {
		t.Fatalf("export with a record damaged before Open: %d %v", k, err)
	}
	truncate(recs[1].ID) // after Open
	b.Reset()
	if k, err := n.Export(&b, nil); err == nil || !strings.Contains(err.Error(), recs[1].ID.Short()) || !strings.Contains(err.Error(), "export again") {
		t.Fatalf("export with a record damaged since Open: %d %v", k, err)
	}
	if p := n.Problems(); len(p) != 2 {
		t.Fatalf("problems: %v", p)
	}
	b.Reset()
	if k, err := n.Export(&b, nil); err != nil || k != 3 {
		t.Fatalf("export again: %d %v", k, err)
	}
	_, got, err := bundle.ReadAll(bytes.NewReader(b.Bytes()))
	if err != nil || len(got) != 3 {
		t.Fatalf("the bundle: %d records, %v", len(got), err)
	}
	for _, r := range got {
		if r.ID == recs[0].ID || r.ID == recs[1].ID {
			t.Fatal("a damaged record was exported")
		}
	}
}
