package verify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// TestVerifyRecountsCloses: verify recounts every closed proposal and fails
// naming the proposal when a close miscounts.
func TestVerifyRecountsCloses(t *testing.T) {
	g, cert, _ := coop.Found(newKey(1), newKey(2), "Riverside Data Co-op", "Ana Costa", "laptop", coop.DefaultBylaws("Riverside Data Co-op"), t0)
	bo, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Bo", MemberKey: newKey(3).PublicKey(), Class: "member"}, t0, cert.ID)
	boDev, _ := coop.CertifyDevice(newKey(3), newKey(4), g.ID, coop.MemberID(bo.ID), "phone", t0, bo.ID)
	recs := []*record.Record{g, cert, bo, boDev}
	s := coop.Fold(g.ID, recs)
	p := coop.Proposal{Title: "Buy a scanner", Kind: coop.KindGeneral, Method: tally.Majority,
		Closes: t0.Add(time.Hour).Format(record.TimeFormat), Roll: coop.RollOf(s.RollNow(nil))}
	prop, err := coop.Open(newKey(2), g.ID, p, t0, append(s.Frontier(), cert.ID)...)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := coop.Cast(newKey(2), g.ID, coop.Ballot{Proposal: prop.ID, Roll: p.Roll.Hash, Vote: tally.Ballot{Position: tally.Yes}}, t0, cert.ID)
	b2, _ := coop.Cast(newKey(4), g.ID, coop.Ballot{Proposal: prop.ID, Roll: p.Roll.Hash, Vote: tally.Ballot{Position: tally.No}}, t0, boDev.ID)
	recs = append(recs, prop, b1, b2)
	ps, _ := coop.Fold(g.ID, recs).ProposalByID(prop.ID)
	closing := coop.Closing{Proposal: prop.ID, Counted: ps.Now.Counted, Result: ps.Now.Result}
	honest, err := coop.Close(newKey(2), g.ID, closing, nil, t0.Add(time.Hour), cert.ID)
	if err != nil {
		t.Fatal(err)
	}
	if honest, err = honest.CoSign(newKey(4)); err != nil { // Bo, the teller
		t.Fatal(err)
	}
	closing.Result.Outcome = tally.OutcomePassed // 1 yes, 1 no: support 1/2 is not more than 1/2
	forged, _ := coop.Close(newKey(2), g.ID, closing, nil, t0.Add(time.Hour), cert.ID)
	for _, tc := range []struct {
		name  string
		close *record.Record
		ok    bool
	}{{"honest close", honest, true}, {"miscounted close", forged, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := bundle.Write(&buf, g.ID, t0, append(recs, tc.close)); err != nil {
				t.Fatal(err)
			}
			rep, err := Bundle(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK != tc.ok {
				t.Fatalf("OK = %v, failures %+v", rep.OK, rep.Failures)
			}
			if tc.ok {
				if len(rep.Decisions) != 1 || rep.Decisions[0].Outcome != tally.OutcomeFailed || rep.Decisions[0].Ballots != 2 {
					t.Fatalf("decisions %+v", rep.Decisions)
				}
				return
			}
			f := rep.Failures[0]
			if f.Proposal != prop.ID.String() || !strings.Contains(f.Reason, `"Buy a scanner"`) || !strings.Contains(f.Reason, "tally to failed") {
				t.Fatalf("finding %+v", f)
			}
		})
	}
}
