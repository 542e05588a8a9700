package coop

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

// TestKeyBook: every key a co-op's records introduce is known, in any
// order of adding them; a joiner's key stores only its own join request
// until answered; a stranger's certificate introduces nothing.
func TestKeyBook(t *testing.T) {
	w := newConsentWorld(t)
	req, _ := w.join(w.founder(), "Hana")
	pending := w.add(RequestJoin(newKey(900), newKey(901), w.coop(), "Ivo", "laptop", "", t0))
	stranger := newKey(902)
	fake := w.add(CertifyDevice(stranger, newKey(903), w.coop(), w.founder(), "fake", t0, w.genesis.ID))
	note := w.add(record.New(newKey(900), "ledger.transaction", 1, w.coop(), t0, []record.ID{pending.ID}, map[string]string{"a": "1"}))
	known := []record.PublicKey{w.mkey[w.bo].PublicKey(), w.dkey[w.cy].PublicKey(), w.ckey[w.bo].PublicKey(), req.Author}
	unknown := []record.PublicKey{stranger.PublicKey(), newKey(903).PublicKey(), newKey(900).PublicKey(), newKey(901).PublicKey()}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		recs := append([]*record.Record(nil), w.recs...)
		if trial > 0 {
			rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		}
		b := NewKeyBook(w.coop())
		for _, r := range recs {
			b.Add(r)
		}
		for _, k := range known {
			if !b.Knows(k) {
				t.Fatalf("trial %d: key %s of the co-op unknown", trial, k.String()[:12])
			}
		}
		for _, k := range unknown {
			if b.Knows(k) {
				t.Fatalf("trial %d: key %s known", trial, k.String()[:12])
			}
		}
		if b.MayStore(pending) != nil || b.MayStore(w.genesis) != nil {
			t.Fatal("a join request or the genesis refused")
		}
		var se *StrangerError
		if err := b.MayStore(note); !errors.As(err, &se) || !errors.Is(err, ErrStranger) || se.ID != note.ID {
			t.Fatalf("a joiner's other record: %v", err)
		}
		if b.MayStore(fake) == nil {
			t.Fatal("a stranger's certificate may be stored")
		}
	}
	// A clone learns without changing the original: everything but the
	// genesis waits in b; the clone given the genesis learns it all.
	b := NewKeyBook(w.coop())
	for _, r := range w.recs[1:] {
		b.Add(r)
	}
	c := b.Clone()
	c.Add(w.genesis)
	if b.Knows(w.mkey[w.bo].PublicKey()) || !c.Knows(w.mkey[w.bo].PublicKey()) {
		t.Fatal("a clone shares what it learns")
	}
	b.Add(w.genesis)
	if !b.Knows(w.mkey[w.bo].PublicKey()) {
		t.Fatal("the original lost what waited in it when its clone learned")
	}
}
