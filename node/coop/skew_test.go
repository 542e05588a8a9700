package coop

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// TestBeforeFoundingRefused: a record dated before the genesis is refused
// by the fold, with a reason that says so, and so is what relies on it; a
// record dated at the founding itself is fine.
func TestBeforeFoundingRefused(t *testing.T) {
	w := newGovWorld(t)
	prop := w.open(w.ana, majority("Buy a scanner"))
	early := w.add(Cast(w.dkey[w.bo], w.coop(), Ballot{Proposal: prop.ID, Roll: rollOf(t, prop), Vote: yes}, t0.Add(-time.Second), w.cert[w.bo]))
	onTime := w.add(Cast(w.dkey[w.cy], w.coop(), Ballot{Proposal: prop.ID, Roll: rollOf(t, prop), Vote: no}, t0, w.cert[w.cy]))
	later := w.add(Cast(w.dkey[w.bo], w.coop(), Ballot{Proposal: prop.ID, Roll: rollOf(t, prop), Vote: no}, tOpen.Add(time.Minute), early.ID, w.cert[w.bo]))
	s := Fold(w.coop(), w.recs)
	if r := rejection(s, early.ID); !strings.HasPrefix(r, ReasonBeforeFounding) || !strings.Contains(r, "2026-01-02T03:04:04.000Z") {
		t.Fatalf("a ballot dated a second before the founding: %q", r)
	}
	if r := rejection(s, later.ID); !strings.Contains(r, early.ID.Short()) {
		t.Fatalf("a ballot relying on it: %q", r)
	}
	mustAccept(t, s, onTime.ID)
	if p, _ := s.ProposalByID(prop.ID); len(p.Ballots) != 1 {
		t.Fatalf("ballots counted: %+v", p.Ballots)
	}
}

func rollOf(t *testing.T, prop *record.Record) string {
	t.Helper()
	var p Proposal
	if err := prop.DecodeBody(&p); err != nil {
		t.Fatal(err)
	}
	return p.Roll.Hash
}

// TestMaxSkewBylaws: bylaws that do not set the skew keep their bytes (so
// their records' IDs), mean the default, and a set skew is validated.
func TestMaxSkewBylaws(t *testing.T) {
	b := DefaultBylaws("Riverside")
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "maxSkew") {
		t.Fatalf("default bylaws name the skew: %s", raw)
	}
	if b.Skew() != DefaultMaxSkew || DefaultMaxSkew != 5*time.Minute {
		t.Fatalf("default skew %v", b.Skew())
	}
	b.MaxSkewMinutes = 30
	if err := b.Validate(); err != nil || b.Skew() != 30*time.Minute {
		t.Fatalf("30 minutes: %v, %v", err, b.Skew())
	}
	for _, bad := range []int{-1, 24*60 + 1} {
		b.MaxSkewMinutes = bad
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "clock skew") {
			t.Fatalf("skew %d: %v", bad, err)
		}
	}
}
