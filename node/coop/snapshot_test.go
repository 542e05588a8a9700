package coop

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/coopnode/coopnode/node/tally"
)

// A damaged snapshot is refused with ErrSnapshot (the node then folds
// the records), never taken for a state, never a panic.
func TestSnapshotDamaged(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, Proposal{Title: "Seed", Method: tally.Ranked, Options: []string{"a", "b", "c"}, Seats: 2})
	w.vote(w.bo, p, tally.Ballot{Choices: []int{1}})
	f := NewFolder(w.coop(), w.recs)
	snap, err := f.Snapshot(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFolder(w.coop(), snap, nil); err != nil {
		t.Fatalf("intact snapshot: %v", err)
	}
	other := w.coop()
	other[0] ^= 1
	cases := map[string]struct {
		coop [32]byte
		snap []byte
	}{
		"empty":          {w.coop(), nil},
		"truncated":      {w.coop(), snap[:len(snap)/2]},
		"trailing bytes": {w.coop(), append(append([]byte(nil), snap...), 0)},
		"other co-op":    {other, snap},
		"other version":  {w.coop(), append([]byte("coopnode folder snapshot v9\x00"), snap[len(snapshotMagic):]...)},
	}
	for name, c := range cases {
		if _, err := ReadFolder(c.coop, c.snap, nil); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: got %v, want ErrSnapshot", name, err)
		}
	}
	// A version that knows another record type folds otherwise.
	schemas["test.newer"] = 1
	_, err = ReadFolder(w.coop(), snap, nil)
	delete(schemas, "test.newer")
	if !errors.Is(err, ErrSnapshot) {
		t.Errorf("snapshot of other fold rules: got %v, want ErrSnapshot", err)
	}
}

// FuzzReadFolder: whatever the bytes, ReadFolder returns an error or a
// Folder whose snapshot it can write again.
func FuzzReadFolder(f *testing.F) {
	w := newGovWorld(f)
	p := w.open(w.ana, Proposal{Title: "Seed", Method: tally.Ranked, Options: []string{"a", "b", "c"}, Seats: 2})
	w.vote(w.bo, p, tally.Ballot{Choices: []int{1}})
	fl := NewFolder(w.coop(), w.recs)
	snap, err := fl.Snapshot(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)
	f.Add(snap[:len(snap)-40])
	f.Fuzz(func(t *testing.T, b []byte) {
		rf, err := ReadFolder(w.coop(), b, nil)
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("error is not ErrSnapshot: %v", err)
			}
			return
		}
		if _, err := rf.Snapshot(nil); err != nil {
			t.Fatal(err)
		}
	})
}

// Random damage (bytes changed, dropped, inserted) to a snapshot gives an
// ErrSnapshot or a Folder that writes a snapshot again; never a panic.
func TestSnapshotMutations(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, Proposal{Title: "Seed", Method: tally.Ranked, Options: []string{"a", "b", "c"}, Seats: 2})
	w.vote(w.bo, p, tally.Ballot{Choices: []int{1}})
	snap, err := NewFolder(w.coop(), w.recs).Snapshot(nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	head := len(snapshotMagic) + 32
	refused := 0
	for range 20000 {
		b := append([]byte(nil), snap...)
		for range 1 + rng.IntN(4) {
			at := head + rng.IntN(len(b)-head)
			switch rng.IntN(3) {
			case 0:
				b[at] = byte(rng.IntN(256))
			case 1:
				b = append(b[:at], b[at+1:]...)
			default:
				b = append(b[:at], append([]byte{byte(rng.IntN(256))}, b[at:]...)...)
			}
		}
		rf, err := ReadFolder(w.coop(), b, nil)
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("error is not ErrSnapshot: %v", err)
			}
			refused++
			continue
		}
		if _, err := rf.Snapshot(nil); err != nil {
			t.Fatal(err)
		}
	}
	if refused == 0 {
		t.Fatal("no damaged snapshot was refused")
	}
}
