package coop

import (
	"slices"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// TestNeedsNewerPropagates: a record this code cannot read (a proposal at
// a schema version from the future) is kept as needing a newer coopnode,
// and so is every record that relies on it (a ballot on it, a later ballot
// replacing that one): judging them could depend on what it says. Nothing
// of that is counted as invalid, and records beside it are applied as ever.
func TestNeedsNewerPropagates(t *testing.T) {
	w := newGovWorld(t)
	s := Fold(w.coop(), w.recs)
	p := Proposal{Title: "From the future", Kind: KindGeneral, Method: tally.Majority,
		Closes: tOpen.Add(time.Hour).Format(record.TimeFormat), Roll: RollOf(s.RollNow(nil))}
	future := w.add(record.New(w.dkey[w.ana], TypeProposal, schemas[TypeProposal]+1, w.coop(), tOpen, append(s.Frontier(), w.cert[w.ana]), p))
	b1 := w.vote(w.bo, future, yes)
	b2 := w.vote(w.bo, future, tally.Ballot{Position: tally.No}, b1.ID)
	plain := w.open(w.cy, Proposal{Title: "From now", Method: tally.Majority})
	onPlain := w.vote(w.di, plain, yes)

	s = Fold(w.coop(), w.recs)
	for _, r := range []*record.Record{future, b1, b2} {
		if !slices.Contains(s.NeedsNewer, r.ID) {
			t.Errorf("%s (%s) is not kept as needing a newer coopnode: %v", r.ID.Short(), r.Type, s.NeedsNewer)
		}
		if rj, ok := rejectionOf(s, r.ID); ok {
			t.Errorf("%s (%s) is counted as invalid: %s", r.ID.Short(), r.Type, rj.Reason)
		}
	}
	if len(s.NeedsNewer) != 3 || len(s.Rejected) != 0 {
		t.Errorf("needs newer %d, rejected %v; want 3 and none", len(s.NeedsNewer), s.Rejected)
	}
	ps, ok := s.ProposalByID(plain.ID)
	if !ok || len(ps.Ballots) != 1 || ps.Ballots[0].ID != onPlain.ID {
		t.Errorf("the proposal beside it: %v %+v", ok, ps)
	}
	// A Folder never applies a record relying on one it cannot read
	// directly: its next state is a full fold, equal to Fold.
	f := NewFolder(w.coop(), slices.DeleteFunc(slices.Clone(w.recs), func(r *record.Record) bool { return r.ID == b2.ID }))
	if f.Add(b2) {
		t.Error("a ballot replacing one that needs a newer coopnode was applied directly")
	}
	got, err := f.State()
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest() != s.Digest() || !slices.Equal(got.NeedsNewer, s.NeedsNewer) {
		t.Errorf("the Folder's state differs from Fold's: needs newer %v, want %v", got.NeedsNewer, s.NeedsNewer)
	}
}
