package coop

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/gowebpki/jcs"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Every record set this package's tests fold (each scenario: cuts, closes,
// delegations, consent, pending records...) is also fed to a Folder one
// record at a time, in the fold's order from the genesis and in a shuffled
// causal order from two thirds on: after every step, the Folder's state
// must equal a fold of the records given so far. Sets that are part of a
// larger set a test folded are covered by that one's steps; the checks run
// after the tests, on the largest sets.
func TestMain(m *testing.M) {
	testFoldHook = func(coop record.ID, recs []*record.Record, s *State) {
		if got, want := s.Digest(), referenceDigest(s); got != want {
			foldedMu.Lock()
			digestErr = cmp.Or(digestErr, fmt.Errorf("state of %d records: digest %x, but its whole canonical JSON hashes to %x", len(recs), got, want))
			foldedMu.Unlock()
		}
		if len(recs) <= checkFolderMax {
			foldedMu.Lock()
			folded = append(folded, foldedSet{coop, slices.Clone(recs)})
			foldedMu.Unlock()
		}
	}
	code := m.Run()
	testFoldHook = nil
	if digestErr != nil {
		fmt.Fprintln(os.Stderr, "FAIL: Digest against the canonical JSON:", digestErr)
		code = 1
	}
	if code == 0 && !testing.Short() {
		if err := checkFolded(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: Folder against Fold:", err)
			code = 1
		}
	}
	os.Exit(code)
}

const checkFolderMax = 150 // records; larger (benchmark) worlds are not checked

type foldedSet struct {
	coop record.ID
	recs []*record.Record
}

// referenceDigest is Digest the plain way: the whole document's JSON,
// canonicalised by jcs, hashed. Digest writes the same bytes a piece at a
// time; every state the tests fold is checked against this.
func referenceDigest(s *State) [32]byte {
	raw, err := json.Marshal(s.digestDoc())
	if err == nil {
		raw, err = jcs.Transform(raw)
	}
	if err != nil {
		panic(err)
	}
	return sha256.Sum256(raw)
}

var (
	digestErr error
	foldedMu  sync.Mutex
	folded    []foldedSet
	// Counted across the checks, so a test can see the direct path is taken.
	directAdds atomic.Int64
)

// checkFolded checks the largest folded sets (those in no other).
func checkFolded() (err error) {
	sort.SliceStable(folded, func(i, j int) bool { return len(folded[i].recs) > len(folded[j].recs) })
	var kept []map[record.ID]bool
	checked := 0
	for _, fs := range folded {
		in := func(set map[record.ID]bool) bool {
			for _, r := range fs.recs {
				if !set[r.ID] {
					return false
				}
			}
			return true
		}
		if slices.ContainsFunc(kept, in) {
			continue
		}
		set := map[record.ID]bool{}
		for _, r := range fs.recs {
			set[r.ID] = true
		}
		kept = append(kept, set)
		if err := checkFolder(fs.coop, fs.recs); err != nil {
			return err
		}
		checked++
	}
	if testing.Verbose() {
		fmt.Printf("Folder against Fold: %d record sets checked (of %d folded), %d records applied directly\n", checked, len(folded), directAdds.Load())
	}
	if checked > 0 && directAdds.Load() == 0 {
		return fmt.Errorf("%d record sets checked, and no record was ever applied directly", checked)
	}
	return nil
}

func checkFolder(coop record.ID, recs []*record.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	g := newGraph(recs)
	var pending []*record.Record
	for _, r := range recs {
		if _, ok := g.pos[r.ID]; !ok {
			pending = append(pending, r)
		}
	}
	n := len(g.recs)
	runs := []struct {
		order []*record.Record
		from  int
	}{{g.recs, 1}, {shuffledOrder(g, uint64(n)), 2 * n / 3}}
	for oi, run := range runs {
		order, k := run.order, run.from
		if k < 1 || k >= n {
			continue
		}
		given := append(slices.Clone(order[:k]), pending...)
		f := NewFolder(coop, given)
		// A Folder restored from a snapshot goes on alongside, reading the
		// records it needs for a full fold from a source.
		rf, err := restored(f, func() ([]*record.Record, error) { return slices.Clone(given), nil })
		if err != nil {
			return fmt.Errorf("snapshot at %d of %d records: %w", k, n, err)
		}
		for _, r := range order[k:] {
			with, direct := f.With(r) // must leave f as it was
			if f.Add(r) != direct {
				return fmt.Errorf("with and Add disagree on applying %s (%s) directly", r.ID.Short(), r.Type)
			}
			given = append(given, r)
			got := stateOf(f)
			if direct {
				directAdds.Add(1)
				if d := stateDiff(with, got); d != "" {
					return fmt.Errorf("with(%s) (%s) differs from Add: %s", r.ID.Short(), r.Type, d)
				}
			}
			ref, _ := fold(coop, given)
			if d := stateDiff(got, ref); d != "" {
				return fmt.Errorf("after adding %s (%s; order %d, from %d of %d records): %s", r.ID.Short(), r.Type, oi, k, n, d)
			}
			if rf.Add(r) != direct {
				return fmt.Errorf("a restored Folder and the original disagree on applying %s (%s) directly", r.ID.Short(), r.Type)
			}
			rs, err := rf.State()
			if err != nil {
				return err
			}
			if d := stateDiff(rs, ref); d != "" {
				return fmt.Errorf("restored Folder, after adding %s (%s; order %d, from %d of %d records): %s", r.ID.Short(), r.Type, oi, k, n, d)
			}
		}
		if _, err := restored(rf, nil); err != nil {
			return fmt.Errorf("snapshot of a restored Folder (order %d): %w", oi, err)
		}
	}
	want, _ := fold(coop, recs)
	if d := stateDiff(stateOf(NewFolder(coop, recs)), want); d != "" {
		return fmt.Errorf("NewFolder differs from Fold: %s", d)
	}
	return nil
}

// restored writes a snapshot of f, reads it back, and checks that the
// restored Folder holds the same state and graph, and writes the same
// snapshot. It reads and writes the second time as a stream, in pieces
// far smaller than the snapshot (and than some of its fields), through a
// reader that returns half of what is asked.
func restored(f *Folder, src Source) (*Folder, error) {
	snap, err := f.Snapshot(nil)
	if err != nil {
		return nil, err
	}
	const piece = 40
	rf, err := readFolder(f.coop, &wdec{r: iotest.HalfReader(bytes.NewReader(snap)), left: int64(len(snap)), piece: piece}, src)
	if err != nil {
		return nil, err
	}
	var again bytes.Buffer
	if err := rf.writeSnapshot(&again, piece); err != nil {
		return nil, err
	}
	if !bytes.Equal(snap, again.Bytes()) {
		return nil, fmt.Errorf("the snapshot of a restored Folder differs (%d bytes, was %d)", again.Len(), len(snap))
	}
	if !reflect.DeepEqual(f.s, rf.s) {
		return nil, fmt.Errorf("restored state differs: %s", deepDiff(reflect.ValueOf(f.s), reflect.ValueOf(rf.s), "State"))
	}
	g, rg := *f.g, *rf.g
	g.recs, g.seen, g.epoch, g.mark, g.markEpoch = nil, nil, 0, nil, 0
	rg.seen = nil
	if !reflect.DeepEqual(&g, &rg) {
		return nil, fmt.Errorf("restored graph differs: %s", deepDiff(reflect.ValueOf(&g), reflect.ValueOf(&rg), "graph"))
	}
	return rf, nil
}

// deepDiff names the first path where a and b differ.
func deepDiff(a, b reflect.Value, path string) string {
	if a.Kind() != b.Kind() {
		return path + ": kinds differ"
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return deepDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if d := deepDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := deepDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s[%v]: missing", path, k)
			}
			if d := deepDiff(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
		return ""
	}
	if a.CanInterface() && b.CanInterface() {
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
		}
		return ""
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}

// shuffledOrder is a random topological order of g's records.
func shuffledOrder(g *graph, seed uint64) []*record.Record {
	rng := rand.New(rand.NewPCG(seed, 7))
	indeg := make([]int, len(g.recs))
	for i := range g.recs {
		indeg[i] = len(g.prev[i])
	}
	var ready []int32
	for i, d := range indeg {
		if d == 0 {
			ready = append(ready, int32(i))
		}
	}
	var out []*record.Record
	for len(ready) > 0 {
		j := rng.IntN(len(ready))
		i := ready[j]
		ready = slices.Delete(ready, j, j+1)
		out = append(out, g.recs[i])
		for _, c := range g.children[i] {
			if indeg[c]--; indeg[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	return out
}

// stateDiff says how a and b differ in anything a reader can see ("" if not).
func stateDiff(a, b *State) string {
	view := func(s *State) map[string]any {
		props := map[string]any{}
		for _, p := range s.Proposals() {
			var ballots []record.ID
			for _, bl := range p.Ballots {
				ballots = append(ballots, bl.ID)
			}
			props[p.ID.String()] = map[string]any{"ballots": ballots, "now": p.Now, "uses": p.Now.uses, "close": p.Close, "effect": p.Effect}
		}
		type grant struct {
			ID      record.ID
			W       []record.ID
			Removal record.ID
		}
		var grants []grant
		for _, g := range s.consents.Grants {
			grants = append(grants, grant{g.ID, g.Withdrawals, g.Removal})
		}
		byKey := map[string][]record.ID{}
		for k, rs := range s.receiptsBy {
			for _, r := range rs {
				byKey[k.String()] = append(byKey[k.String()], r.ID)
			}
		}
		var versions []record.ID
		for _, v := range s.versionOrder {
			versions = append(versions, v.ID)
		}
		return map[string]any{"digest": s.Digest(), "applied": s.Applied, "rejected": s.Rejected, "pending": s.Pending,
			"newer": s.NeedsNewer, "frontier": s.frontier, "bylaws": s.Bylaws, "bylawsFrom": s.BylawsFrom, "proposals": props,
			"grants": grants, "refusals": s.consents.Refusals, "receipts": byKey, "versions": versions, "receiptCount": len(s.receipts)}
	}
	va, vb := view(a), view(b)
	for k := range va {
		ja, _ := json.Marshal(va[k])
		jb, _ := json.Marshal(vb[k])
		if string(ja) != string(jb) {
			return fmt.Sprintf("%s:\n  folder %s\n  fold   %s", k, ja, jb)
		}
	}
	return ""
}

// The direct path is taken (the check above is not only ever comparing full
// folds), and a Folder's earlier states do not change when it moves on.
func TestFolderDirectAndCopyOnWrite(t *testing.T) {
	w := newGovWorld(t)
	f := NewFolder(w.coop(), w.recs)
	p := w.open(w.ana, Proposal{Title: "Paint the shed", Method: tally.Majority})
	before := stateOf(f)
	beforeDigest := before.Digest()
	if !f.Add(p) {
		t.Fatal("a proposal naming the frontier was not applied directly")
	}
	b := w.vote(w.bo, p, tally.Ballot{Position: tally.Yes})
	if !f.Add(b) {
		t.Fatal("a ballot was not applied directly")
	}
	after := stateOf(f)
	if before.Digest() != beforeDigest {
		t.Fatal("an earlier state changed when the Folder moved on")
	}
	if _, ok := before.ProposalByID(p.ID); ok {
		t.Fatal("the earlier state sees the new proposal")
	}
	ps, ok := after.ProposalByID(p.ID)
	if !ok || len(ps.Ballots) != 1 || len(ps.Now.Counted) != 1 {
		t.Fatalf("the new state lacks the proposal or its ballot: %+v", ps)
	}
	if f.Full != 1 || f.Incremental != 2 {
		t.Fatalf("folds: %d full, %d direct; want 1 and 2", f.Full, f.Incremental)
	}
}

// stateOf is f.State for Folders that keep their records (which cannot fail).
func stateOf(f *Folder) *State {
	s, err := f.State()
	if err != nil {
		panic(err)
	}
	return s
}
