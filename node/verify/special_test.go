package verify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// TestVerifySpecialRule: the bylaws require 2/3 support to remove a member.
// Ana and Bo vote to remove Cy, Cy votes no: support is exactly 2/3, not
// more, so the removal fails. A close counted with the general threshold
// (1/2), which says it passed, is refused by the recount, naming the
// proposal, and Cy stays a member.
func TestVerifySpecialRule(t *testing.T) {
	by := coop.DefaultBylaws("Riverside Data Co-op")
	by.Special.Removal = &coop.DecisionRule{Quorum: exact.R(1, 2), Threshold: exact.R(2, 3)}
	g, cert, err := coop.Found(newKey(1), newKey(2), "Riverside Data Co-op", "Ana Costa", "laptop", by, t0)
	if err != nil {
		t.Fatal(err)
	}
	recs := []*record.Record{g, cert}
	devs := []record.ID{cert.ID}
	keys := []key{newKey(2)}
	var members []coop.MemberID
	for i, name := range []string{"Bo", "Cy"} {
		mk, dk := newKey(byte(10+2*i)), newKey(byte(11+2*i))
		a, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: name, MemberKey: mk.PublicKey(), Class: "member"}, t0, cert.ID)
		d, _ := coop.CertifyDevice(mk, dk, g.ID, coop.MemberID(a.ID), "phone", t0, a.ID)
		recs = append(recs, a, d)
		devs, keys, members = append(devs, d.ID), append(keys, dk), append(members, coop.MemberID(a.ID))
	}
	s := coop.Fold(g.ID, recs)
	p := coop.Proposal{Title: "Remove Cy", Kind: coop.KindRemoval, Member: members[1], Method: tally.Majority,
		Closes: t0.Add(time.Hour).Format(record.TimeFormat), Roll: coop.RollOf(s.RollNow(nil))}
	prop, err := coop.Open(newKey(2), g.ID, p, t0, append(s.Frontier(), cert.ID)...)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, prop)
	var votes []tally.Ballot
	for i, pos := range []string{tally.Yes, tally.Yes, tally.No} { // Ana, Bo, Cy
		v := tally.Ballot{Position: pos}
		b, err := coop.Cast(keys[i], g.ID, coop.Ballot{Proposal: prop.ID, Roll: p.Roll.Hash, Vote: v}, t0, devs[i])
		if err != nil {
			t.Fatal(err)
		}
		recs, votes = append(recs, b), append(votes, v)
	}
	ps, ok := coop.Fold(g.ID, recs).ProposalByID(prop.ID)
	if !ok {
		t.Fatal("the proposal was refused")
	}
	if ps.Rules.Threshold != exact.R(2, 3) || ps.Now.Result.Outcome != tally.OutcomeFailed {
		t.Fatalf("the proposal is not decided by the special rule: rules %+v, %s", ps.Rules, ps.Now.Result.Why)
	}
	honest, err := coop.Close(newKey(2), g.ID, coop.Closing{Proposal: prop.ID, Counted: ps.Now.Counted, Result: ps.Now.Result}, nil, t0.Add(time.Hour), cert.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys[1:3] { // Bo and Cy, the tellers
		if honest, err = honest.CoSign(k); err != nil {
			t.Fatal(err)
		}
	}
	// The same ballots counted by the bylaws' general rule: 2/3 > 1/2 passes.
	general := ps.Rules
	general.Quorum, general.Threshold = by.Quorum, by.Threshold
	res, err := tally.Count(general, votes)
	if err != nil || res.Outcome != tally.OutcomePassed {
		t.Fatalf("general count %+v, %v", res, err)
	}
	forged, err := coop.Close(newKey(2), g.ID, coop.Closing{Proposal: prop.ID, Counted: ps.Now.Counted, Result: res}, nil, t0.Add(time.Hour), cert.ID)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		close *record.Record
		ok    bool
	}{{"close by the special rule", honest, true}, {"close by the general rule", forged, false}} {
		t.Run(tc.name, func(t *testing.T) {
			all := append(append([]*record.Record{}, recs...), tc.close)
			var buf bytes.Buffer
			if err := bundle.Write(&buf, g.ID, t0, all); err != nil {
				t.Fatal(err)
			}
			rep, err := Bundle(&buf)
			if err != nil {
				t.Fatal(err)
			}
			direct := Records(g.ID, all, Report{Types: map[string]int{}, Failures: []Finding{}})
			for _, r := range []Report{rep, direct} {
				if r.OK != tc.ok || r.Removed != 0 || r.Members != 3 {
					t.Fatalf("OK = %v, removed %d, members %d; failures %+v", r.OK, r.Removed, r.Members, r.Failures)
				}
				if tc.ok {
					if len(r.Decisions) != 1 || r.Decisions[0].Outcome != tally.OutcomeFailed || r.Decisions[0].Kind != coop.KindRemoval {
						t.Fatalf("decisions %+v", r.Decisions)
					}
					continue
				}
				if len(r.Failures) != 1 || len(r.Decisions) != 0 {
					t.Fatalf("failures %+v, decisions %+v", r.Failures, r.Decisions)
				}
				f := r.Failures[0]
				if f.Record != forged.ID.String() || f.Proposal != prop.ID.String() || !strings.Contains(f.Reason, `"Remove Cy"`) ||
					!strings.Contains(f.Reason, "reports passed, but the counted ballots tally to failed") || !strings.Contains(f.Reason, "threshold of 66.67%") {
					t.Fatalf("finding %+v", f)
				}
			}
		})
	}
}
