package node

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
	"github.com/coopnode/coopnode/node/verify"
)

// TestGroundCloseImported: a member, after the honest close of a proposal
// that gave Bo the founder role, signs by hand a close of it whose causal
// past holds only the no ballot, its record ID ground below the honest
// close's, and hands it round in a bundle. `import` stores it and it
// changes nothing: the honest close still decides, Bo is still a founder,
// what Bo did as founder stands; `verify` fails naming the crafted close.
func TestGroundCloseImported(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	nodes := testCoop(t, &now, "Ana", "Bo", "Cy", "Di")
	ana, bo, di := nodes[0], nodes[1], nodes[3]
	boID := coop.MemberID{}
	for id, m := range ana.State().Members {
		if m.Name == "Bo" {
			boID = id
		}
	}
	p, err := ana.Propose(coop.Proposal{Title: "Bo becomes a founder", Body: "Bo admits too.", Kind: coop.KindMemberChange, Method: tally.Majority,
		Member: boID, Class: "member", Roles: []string{coop.RoleFounder}, Closes: now.Add(time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	syncNodes(t, nodes...)
	for i, n := range nodes {
		if _, err := n.Vote(p.ID, tally.Ballot{Position: []string{tally.Yes, tally.Yes, tally.Yes, tally.No}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	syncNodes(t, nodes...)
	now = now.Add(2 * time.Hour)
	honest, err := ana.CloseProposal(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	syncNodes(t, nodes...)
	tell(t, nodes[1:]...)
	syncNodes(t, nodes...)
	gus, err := bo.Admit(request(t, ana.CoopID(), "Gus"), "") // as a founder now
	if err != nil {
		t.Fatal(err)
	}
	syncNodes(t, nodes...)

	// Di's crafted close, after the grace period, over the no ballot alone.
	now = now.Add(25 * time.Hour)
	recs := recordsOf(t, di)
	ps, _ := di.State().ProposalByID(p.ID)
	var yes []record.ID
	for _, b := range ps.Ballots {
		if b.Vote.Position == tally.Yes {
			yes = append(yes, b.ID)
		}
	}
	partial := slices.DeleteFunc(slices.Clone(recs), func(r *record.Record) bool { return slices.Contains(yes, r.ID) })
	pp, _ := coop.Fold(di.CoopID(), partial).ProposalByID(p.ID)
	c := pp.Now
	var attack *record.Record
	for i := 0; attack == nil || !attack.ID.Less(honest.ID); i++ {
		attack, err = coop.Close(di.Device(), di.CoopID(), coop.Closing{Proposal: p.ID, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result},
			c.Uses(), now.Add(time.Duration(i)*time.Millisecond), p.ID)
		if err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, di.CoopID(), now, append(recs, attack)); err != nil {
		t.Fatal(err)
	}
	rep, err := ana.Import(bytes.NewReader(buf.Bytes()))
	if err != nil || rep.Added != 1 || rep.Invalid != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	s := ana.State()
	if got, _ := s.ProposalByID(p.ID); got.Close == nil || got.Close.ID != honest.ID {
		t.Fatalf("decided by %+v, want the honest close", got.Close)
	}
	if !s.Members[boID].HasRole(coop.RoleFounder) {
		t.Fatal("the honest close's effect was undone")
	}
	if _, ok := s.Members[coop.MemberID(gus.ID)]; !ok {
		t.Fatal("what relied on the honest close was undone")
	}
	vr, err := verify.Bundle(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(vr.Failures, func(f verify.Finding) bool { return f.Record == attack.ID.String() })
	if vr.OK || i < 0 || !strings.Contains(vr.Failures[i].Reason, "leaves out ballot") {
		t.Fatalf("verify: OK %v, failures %+v", vr.OK, vr.Failures)
	}
}
