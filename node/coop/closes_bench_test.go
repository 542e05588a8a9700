package coop

import (
	"fmt"
	"slices"
	"testing"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// closeWorld is the reference co-op's proposal at its largest: members
// members, every one voting on one majority proposal.
func closeWorld(b *testing.B, members int) (w *govWorld, prop *record.Record) {
	w = &govWorld{world: newWorld(b)}
	w.ana = w.founder()
	ids := []MemberID{w.ana}
	for i := range members - 1 {
		ids = append(ids, w.admitQuick(w.ana, fmt.Sprint("member ", i)))
	}
	prop = w.open(w.ana, majority("The largest proposal"))
	for i, m := range ids {
		w.vote(m, prop, []tally.Ballot{yes, no, abstain}[i%3])
	}
	return w, prop
}

// BenchmarkCloseTellers: what tellers and the superset rule cost on a
// proposal with -bench-close-members ballots (2,000 in the reference
// co-op), beside a count of that proposal's ballots:
//
//   - count: Folder.CountAll, the count of every ballot (what a close counts);
//   - judge: Folder.With(close), the node judging its own close before storing it
//     (recount in the close's causal past, candidate, tellers);
//   - cosign-check: Folder.MayCoSign, a teller's node checking the close against
//     every ballot it holds;
//   - cosign-apply: Folder.With(the co-signed close), applying the co-signatures
//     that make it decide.
func BenchmarkCloseTellers(b *testing.B) {
	w, prop := closeWorld(b, *benchCloseMembers)
	c, _ := NewFolder(w.coop(), w.recs).CountAll(prop.ID)
	cl, err := Close(w.dkey[w.ana], w.coop(), Closing{Proposal: prop.ID, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result},
		append(c.Uses(), c.Counted...), tClose, w.cert[w.ana])
	if err != nil {
		b.Fatal(err)
	}
	tellers := w.tellers(w.recs, prop.ID, w.ana)
	cosigned := cl
	for _, m := range tellers {
		if cosigned, err = cosigned.CoSign(w.dkey[m]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(c.Counted)), "ballots")
	f := NewFolder(w.coop(), w.recs)
	b.Run("count", func(b *testing.B) {
		for range b.N {
			f.CountAll(prop.ID)
		}
	})
	b.Run("judge", func(b *testing.B) {
		for range b.N {
			if _, ok := f.With(cl); !ok {
				b.Fatal("not applied directly")
			}
		}
	})
	withClose := NewFolder(w.coop(), append(slices.Clone(w.recs), cl))
	b.Run("cosign-check", func(b *testing.B) {
		for range b.N {
			if why := withClose.MayCoSign(prop.ID, cl.ID, tellers[0]); why != nil {
				b.Fatal(why)
			}
		}
	})
	b.Run("cosign-apply", func(b *testing.B) {
		for range b.N {
			s, ok := withClose.With(cosigned)
			if !ok {
				all := append(slices.Clone(w.recs), cosigned)
				s = Fold(w.coop(), all) // what the node does when it cannot apply it directly
			}
			if p, _ := s.ProposalByID(prop.ID); p.Close == nil {
				b.Fatal("the co-signed close does not decide")
			}
		}
	})
}
