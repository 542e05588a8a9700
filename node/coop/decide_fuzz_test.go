package coop

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// FuzzGovernanceBodies: validly signed governance records with any body a
// member could write never crash the fold, and the fold stays deterministic.
func FuzzGovernanceBodies(f *testing.F) {
	f.Add(uint8(0), []byte(`{"title":"x","body":"","kind":"general","method":"ranked","options":["a","b"],"seats":1,"closes":"2026-01-04T00:00:00Z","roll":{"count":1,"hash":""}}`))
	f.Add(uint8(1), []byte(`{"proposal":"00","roll":"","vote":{"choices":[0,0,-1]}}`))
	f.Add(uint8(2), []byte(`{"proposal":"00","counted":[],"result":{"method":"majority","outcome":"passed","eligible":1,"cast":0,"participation":{"num":0,"den":0},"why":""}}`))
	f.Add(uint8(3), []byte(`{"delegate":"00","kind":"bylaws"}`))
	f.Add(uint8(4), []byte(`{"delegation":"00"}`))
	types := []string{TypeProposal, TypeBallot, TypeClosed, TypeDelegation, TypeDelegationEnded}
	w := newGovWorld(f)
	p := w.open(w.ana, Proposal{Title: "Seed", Method: tally.Ranked, Options: []string{"a", "b", "c"}, Seats: 2})
	w.vote(w.bo, p, tally.Ballot{Choices: []int{1}})
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		r, err := record.New(w.dkey[w.bo], types[int(kind)%len(types)], 1, w.coop(), tOpen.Add(2*time.Hour),
			[]record.ID{p.ID, w.cert[w.bo]}, json.RawMessage(body))
		if err != nil {
			return // not JSON, or not canonical: the record layer refuses it before the fold
		}
		recs := append(slices.Clone(w.recs), r)
		a := Fold(w.coop(), recs)
		rev := make([]*record.Record, len(recs))
		for i := range recs {
			rev[i] = recs[len(recs)-1-i]
		}
		if Fold(w.coop(), rev).Digest() != a.Digest() {
			t.Fatal("digest depends on order")
		}
	})
}
