package replicate

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
	"github.com/coopnode/coopnode/node/verify"
)

// TestTellersOverTheNetwork: four real nodes on libp2p. An honest close
// decides once the other members' nodes, by themselves, have checked and
// co-signed it and the co-signatures have spread. Then the author crafts by
// hand a close whose causal past holds only the yes ballots: no node
// co-signs it, the others answer with a fuller close, and every node (and
// verify) ends with the fuller close deciding and the crafted one named as
// leaving a ballot out.
func TestTellersOverTheNetwork(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast)
	c := join(t, a, "Cy", fast)
	d := join(t, a, "Di", fast)
	b.connect(t, c)
	c.connect(t, d)
	converged(t, a, b, c, d)
	all := []*member{a, b, c, d}

	propose := func(title string, votes ...string) *coop.ProposalState {
		t.Helper()
		closes := time.Now().Add(1500 * time.Millisecond)
		r, err := a.n.Propose(coop.Proposal{Title: title, Body: "Shall we?", Method: tally.Majority, Closes: closes.UTC().Format(record.TimeFormat)})
		if err != nil {
			t.Fatal(err)
		}
		converged(t, all...)
		for i, m := range all {
			if _, err := m.n.Vote(r.ID, tally.Ballot{Position: votes[i]}); err != nil {
				t.Fatal(err)
			}
		}
		converged(t, all...)
		time.Sleep(time.Until(closes)) // the closing time must pass: a close before it is refused
		p, _ := a.n.State().ProposalByID(r.ID)
		return p
	}
	decidedBy := func(m *member, pid record.ID) *coop.CloseState {
		p, _ := m.n.State().ProposalByID(pid)
		return p.Close
	}

	honest := propose("Buy a scanner", tally.Yes, tally.Yes, tally.Yes, tally.No)
	cl, err := a.n.CloseProposal(honest.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the close co-signed by two tellers on every node", func() bool {
		for _, m := range all {
			if c := decidedBy(m, honest.ID); c == nil || c.ID != cl.ID || len(c.Tellers) < 2 {
				return false
			}
		}
		return true
	})
	converged(t, all...)

	// The author's crafted close: only Ada's and Bo's yes in its past.
	p := propose("Sell the van", tally.Yes, tally.Yes, tally.No, tally.No)
	recs, err := a.n.Records()
	if err != nil {
		t.Fatal(err)
	}
	var noBallots []record.ID
	for _, bs := range p.Ballots {
		if bs.Vote.Position == tally.No {
			noBallots = append(noBallots, bs.ID)
		}
	}
	partial := slices.DeleteFunc(slices.Clone(recs), func(r *record.Record) bool { return slices.Contains(noBallots, r.ID) })
	pp, _ := coop.Fold(a.n.CoopID(), partial).ProposalByID(p.ID)
	cnt := pp.Now
	bad, err := coop.Close(a.n.Device(), a.n.CoopID(), coop.Closing{Proposal: p.ID, Counted: cnt.Counted, Proxies: cnt.Proxies, Result: cnt.Result},
		cnt.Uses(), time.Now(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.n.Put(bad); err != nil { // stored as a peer's record would be: judged by the fold
		t.Fatal(err)
	}
	waitFor(t, "a fuller close deciding on every node", func() bool {
		for _, m := range all {
			if c := decidedBy(m, p.ID); c == nil || c.ID == bad.ID {
				return false
			}
		}
		return true
	})
	converged(t, all...)
	for _, m := range all {
		s := m.n.State()
		if c := decidedBy(m, p.ID); c.Result.Outcome != tally.OutcomeFailed || len(c.Result.Positions) == 0 {
			t.Fatalf("%s: decided %+v", m.name, c.Result)
		}
		i := slices.IndexFunc(s.Rejected, func(r coop.Rejection) bool { return r.ID == bad.ID })
		if i < 0 || s.Rejected[i].LeftOut.IsZero() {
			t.Fatalf("%s: the crafted close is not named as leaving a ballot out: %+v", m.name, s.Rejected)
		}
	}
	held, err := d.n.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range held {
		if r.ID == bad.ID && len(r.Sigs) > 1 {
			t.Fatalf("an honest node co-signed the crafted close: %d signatures", len(r.Sigs))
		}
	}
	rep := verify.Records(d.n.CoopID(), held, verify.Report{Types: map[string]int{}})
	i := slices.IndexFunc(rep.Failures, func(f verify.Finding) bool { return f.Record == bad.ID.String() })
	if i < 0 || !strings.Contains(rep.Failures[i].Reason, "leaves out ballot") {
		t.Fatalf("verify: %+v", rep.Failures)
	}
}
