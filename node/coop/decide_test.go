package coop

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// govWorld is a co-op of a founder and four members (all in the voting
// class), with helpers to open, vote, delegate and close.
type govWorld struct {
	*world
	ana, bo, cy, di, ed MemberID
}

func newGovWorld(t testing.TB) *govWorld {
	return newGovWorldBylaws(t, DefaultBylaws("Riverside Data Co-op"))
}

// newGovWorldBylaws is a co-op of five founded with bylaws by.
func newGovWorldBylaws(t testing.TB, by Bylaws) *govWorld {
	w := &govWorld{world: newWorldBylaws(t, by)}
	w.ana = w.founder()
	w.bo = w.admit(w.ana, "Bo")
	w.cy = w.admit(w.ana, "Cy")
	w.di = w.admit(w.ana, "Di")
	w.ed = w.admit(w.ana, "Ed")
	return w
}

var tOpen = t0.Add(24 * time.Hour)

// open has by open p (closing one hour after tOpen unless set) over what w holds now.
func (w *govWorld) open(by MemberID, p Proposal) *record.Record {
	w.t.Helper()
	s := Fold(w.coop(), w.recs)
	if p.Kind == "" {
		p.Kind = KindGeneral
	}
	if p.Closes == "" {
		p.Closes = tOpen.Add(time.Hour).Format(record.TimeFormat)
	}
	p.Roll = RollOf(s.RollNow(p.Classes))
	return w.add(Open(w.dkey[by], w.coop(), p, tOpen, append(s.Frontier(), w.cert[by])...))
}

// vote casts by's ballot on prop; replaces lists by's earlier ballots it replaces.
func (w *govWorld) vote(by MemberID, prop *record.Record, v tally.Ballot, replaces ...record.ID) *record.Record {
	w.t.Helper()
	var p Proposal
	if err := prop.DecodeBody(&p); err != nil {
		w.t.Fatal(err)
	}
	return w.add(Cast(w.dkey[by], w.coop(), Ballot{Proposal: prop.ID, Roll: p.Roll.Hash, Vote: v}, tOpen.Add(time.Minute),
		append(replaces, w.cert[by])...))
}

// countAs is the count a node holding recs makes of prop.
func (w *govWorld) countAs(recs []*record.Record, prop record.ID) *Count {
	w.t.Helper()
	s := Fold(w.coop(), recs)
	p, ok := s.ProposalByID(prop)
	if !ok {
		w.t.Fatalf("proposal %s not in force: %s", prop.Short(), rejection(s, prop))
	}
	return p.Now
}

// closeAs has by close prop with the count over recs, at time at; edit may tamper with it.
// The close's causal past is what the count saw, so a tampered list is
// judged against it: edit also names the records its list leaves out.
func (w *govWorld) closeAs(by MemberID, recs []*record.Record, prop record.ID, at time.Time, edit func(*Closing)) *record.Record {
	w.t.Helper()
	c := w.countAs(recs, prop)
	cl := Closing{Proposal: prop, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result}
	if edit != nil {
		edit(&cl)
	}
	r := w.add(Close(w.dkey[by], w.coop(), cl, append(c.Uses(), c.Counted...), at, w.cert[by]))
	if w.noTellers {
		return r
	}
	return w.cosign(r, w.tellers(recs, prop, by)...)
}

// tellers are the first members on prop's roll, other than by, that this
// test holds keys for, as many as its closes need.
func (w *govWorld) tellers(recs []*record.Record, prop record.ID, by MemberID) []MemberID {
	p, _ := Fold(w.coop(), recs).ProposalByID(prop)
	var out []MemberID
	for _, m := range p.Eligible {
		if _, ok := w.dkey[m]; ok && m != by && len(out) < p.Tellers {
			out = append(out, m)
		}
	}
	return out
}

var (
	yes     = tally.Ballot{Position: tally.Yes}
	no      = tally.Ballot{Position: tally.No}
	abstain = tally.Ballot{Position: tally.Abstain}
	tClose  = tOpen.Add(time.Hour)
)

func majority(title string) Proposal {
	return Proposal{Title: title, Body: "Shall we?", Method: tally.Majority}
}

func mustAccept(t *testing.T, s *State, ids ...record.ID) {
	t.Helper()
	for _, id := range ids {
		if r := rejection(s, id); r != "" {
			t.Fatalf("record %s rejected: %s", id.Short(), r)
		}
	}
}

func TestProposalLifecycle(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.bo, majority("Buy a scanner"))
	b1 := w.vote(w.ana, p, yes)
	w.vote(w.bo, p, yes)
	cy1 := w.vote(w.cy, p, yes)
	cy2 := w.vote(w.cy, p, no, cy1.ID) // Cy changes their mind
	w.vote(w.di, p, abstain)
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, p.ID, cy2.ID)
	ps, _ := s.ProposalByID(p.ID)
	if len(ps.Eligible) != 5 || ps.Author != w.bo || ps.Close != nil {
		t.Fatalf("proposal state %+v", ps)
	}
	// Running count: 2 yes, 1 no, 1 abstain of 5; Cy's first ballot replaced.
	r := ps.Now.Result
	if r.Outcome != tally.OutcomePassed || r.Cast != 4 || len(ps.Now.NotCounted) != 1 || ps.Now.NotCounted[0].Ballot != cy1.ID {
		t.Fatalf("running count %+v, not counted %+v", r, ps.Now.NotCounted)
	}
	cl := w.closeAs(w.bo, w.recs, p.ID, tClose, nil)
	late := w.vote(w.ed, p, no) // concurrent with the close: kept, not counted
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, cl.ID, late.ID)
	ps, _ = s.ProposalByID(p.ID)
	if ps.Close == nil || ps.Close.ID != cl.ID || ps.Close.Result.Outcome != tally.OutcomePassed {
		t.Fatalf("close %+v", ps.Close)
	}
	if !slices.Contains(ps.Now.Counted, b1.ID) || len(ps.Now.Counted) != 4 {
		t.Fatalf("counted %v", ps.Now.Counted)
	}
	found := false
	for _, nc := range ps.Now.NotCounted {
		found = found || nc.Ballot == late.ID && strings.Contains(nc.Reason, "concurrently with the close")
	}
	if !found {
		t.Fatalf("the late ballot is not listed as not counted: %+v", ps.Now.NotCounted)
	}
	// A ballot that has the close in its past is refused.
	after := w.add(Cast(w.dkey[w.ed], w.coop(), Ballot{Proposal: p.ID, Roll: ps.Roll.Hash, Vote: yes}, tClose.Add(time.Minute), w.cert[w.ed], cl.ID))
	s = Fold(w.coop(), w.recs)
	if got := rejection(s, after.ID); !strings.Contains(got, "was closed") {
		t.Fatalf("ballot after close: %q", got)
	}
}

// TestCloseMustMatchItsPast: a close that cherry-picks, counts a replaced
// ballot, miscounts or comes too early is invalid.
func TestCloseMustMatchItsPast(t *testing.T) {
	for _, tc := range []struct {
		name string
		by   func(w *govWorld) MemberID
		at   time.Time
		edit func(w *govWorld, c *Closing, ballots map[string]*record.Record)
		want string
	}{
		{"honest", func(w *govWorld) MemberID { return w.bo }, tClose, nil, ""},
		{"leaves out a ballot", func(w *govWorld) MemberID { return w.bo }, tClose, func(w *govWorld, c *Closing, b map[string]*record.Record) {
			c.Counted = slices.DeleteFunc(slices.Clone(c.Counted), func(id record.ID) bool { return id == b["cy"].ID })
		}, "leaves out ballot"},
		{"counts a replaced ballot", func(w *govWorld) MemberID { return w.bo }, tClose, func(w *govWorld, c *Closing, b map[string]*record.Record) {
			c.Counted = record.SortIDs(append(slices.Clone(c.Counted), b["di1"].ID))
		}, "not a standing, eligible ballot"},
		{"miscounts", func(w *govWorld) MemberID { return w.bo }, tClose, func(w *govWorld, c *Closing, b map[string]*record.Record) {
			c.Result.Outcome = tally.OutcomeFailed
		}, "tally to passed"},
		{"wrong support", func(w *govWorld) MemberID { return w.bo }, tClose, func(w *govWorld, c *Closing, b map[string]*record.Record) {
			s := exact.R(1, 1)
			c.Result.Support = &s
		}, "the counted ballots tally to"},
		{"before closing time", func(w *govWorld) MemberID { return w.bo }, tClose.Add(-time.Second), nil, "before its closing time"},
		{"another member within the grace period", func(w *govWorld) MemberID { return w.cy }, tClose.Add(time.Hour), nil, "only the author may close"},
		{"another member after the grace period", func(w *govWorld) MemberID { return w.cy }, tClose.Add(24 * time.Hour), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newGovWorld(t)
			p := w.open(w.bo, majority("Paint the office"))
			b := map[string]*record.Record{}
			b["ana"] = w.vote(w.ana, p, yes)
			b["cy"] = w.vote(w.cy, p, no)
			b["di1"] = w.vote(w.di, p, no)
			b["di2"] = w.vote(w.di, p, yes, b["di1"].ID)
			var edit func(*Closing)
			if tc.edit != nil {
				edit = func(c *Closing) { tc.edit(w, c, b) }
			}
			cl := w.closeAs(tc.by(w), w.recs, p.ID, tc.at, edit)
			s := Fold(w.coop(), w.recs)
			got := rejection(s, cl.ID)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Fatalf("close rejected for %q, want %q", got, tc.want)
			}
			ps, _ := s.ProposalByID(p.ID)
			if (ps.Close != nil) != (tc.want == "") {
				t.Fatalf("closed = %v", ps.Close != nil)
			}
		})
	}
}

// TestConcurrentCloses: two valid closes that saw different ballots; the
// one counting every ballot the other counts, and more, decides everywhere,
// whatever their record IDs and whatever order the records come in.
func TestConcurrentCloses(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.bo, majority("Move the meeting"))
	w.vote(w.ana, p, yes)
	w.vote(w.bo, p, yes)
	seenByBo := slices.Clone(w.recs)
	w.vote(w.cy, p, no)
	w.vote(w.di, p, no)
	w.vote(w.ed, p, no)
	c1 := w.closeAs(w.bo, seenByBo, p.ID, tClose, nil)                                 // sees 2 yes: passes
	c2 := w.closeAs(w.cy, w.recs[:len(w.recs)-1], p.ID, tClose.Add(25*time.Hour), nil) // sees all: fails
	var digest [32]byte
	for i := range 20 {
		recs := slices.Clone(w.recs)
		rand.New(rand.NewPCG(uint64(i), 9)).Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
		s := Fold(w.coop(), recs)
		ps, _ := s.ProposalByID(p.ID)
		if ps.Close == nil || ps.Close.ID != c2.ID || ps.Close.Result.Outcome != tally.OutcomeFailed {
			t.Fatalf("decided by %v, want the fuller close %s", ps.Close, c2.ID.Short())
		}
		if got := rejection(s, c1.ID); !strings.Contains(got, "leaves out ballot") {
			t.Fatalf("the close that left out ballots: %q", got)
		}
		if d := s.Digest(); i > 0 && d != digest {
			t.Fatal("digest depends on arrival order")
		} else {
			digest = d
		}
	}
}

func TestProxies(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, majority("Hire a bookkeeper"))
	del := func(from, to MemberID, d Delegation, prev ...record.ID) *record.Record {
		d.Delegate = to
		return w.add(Delegate(w.dkey[from], w.coop(), d, tOpen, append(prev, w.cert[from])...))
	}
	// Bo -> Cy on this proposal; Cy votes no, so Bo's vote is no.
	del(w.bo, w.cy, Delegation{Proposal: p.ID}, p.ID)
	// Di -> Ed for every proposal, Ed -> Cy for general ones: a chain to Cy.
	del(w.di, w.ed, Delegation{})
	del(w.ed, w.cy, Delegation{Kind: KindGeneral})
	cyBallot := w.vote(w.cy, p, no)
	// Ana delegates to Bo, then votes herself: her ballot overrides.
	del(w.ana, w.bo, Delegation{})
	w.vote(w.ana, p, yes)
	s := Fold(w.coop(), w.recs)
	ps, _ := s.ProposalByID(p.ID)
	c := ps.Now
	if len(c.Counted) != 2 || len(c.Proxies) != 3 {
		t.Fatalf("counted %v, proxies %+v", c.Counted, c.Proxies)
	}
	for _, px := range c.Proxies {
		if px.Ballot != cyBallot.ID {
			t.Fatalf("proxy %+v does not use Cy's ballot", px)
		}
		if px.Member == w.di && len(px.Via) != 2 {
			t.Fatalf("Di's chain %+v", px)
		}
	}
	if c.Result.Cast != 5 || c.Result.Positions[1].Count != 4 {
		t.Fatalf("result %+v", c.Result)
	}
	// Ed withdraws his delegation: Di's chain stops at Ed, who did not vote.
	edDel := s.DelegationRecords(w.ed)
	w.add(EndDelegation(w.dkey[w.ed], w.coop(), edDel[0], tOpen, w.cert[w.ed]))
	s = Fold(w.coop(), w.recs)
	ps, _ = s.ProposalByID(p.ID)
	if len(ps.Now.Proxies) != 1 || ps.Now.Proxies[0].Member != w.bo {
		t.Fatalf("after withdrawal: proxies %+v", ps.Now.Proxies)
	}
	// A cycle casts no vote: Cy and Bo delegate to each other on a new proposal, neither votes.
	p2 := w.open(w.ana, majority("Second"))
	del(w.cy, w.bo, Delegation{Proposal: p2.ID}, p2.ID)
	del(w.bo, w.cy, Delegation{Proposal: p2.ID}, p2.ID)
	s = Fold(w.coop(), w.recs)
	ps2, _ := s.ProposalByID(p2.ID)
	if len(ps2.Now.Proxies) != 0 {
		t.Fatalf("a cycle voted: %+v", ps2.Now.Proxies)
	}
	// The close carries the proxies, and a close that drops one is invalid.
	cl := w.closeAs(w.ana, w.recs, p.ID, tClose, nil)
	bad := w.closeAs(w.ana, w.recs[:len(w.recs)-1], p.ID, tClose.Add(time.Second), func(c *Closing) { c.Proxies = nil })
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, cl.ID)
	if got := rejection(s, bad.ID); !strings.Contains(got, "already closed") && !strings.Contains(got, "proxy") && !strings.Contains(got, "lower record ID") {
		t.Fatalf("bad close: %q", got)
	}
}

func TestEligibility(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, majority("Rules"))
	late := w.admit(w.ana, "Fay") // admitted after the proposal opened
	fay := w.vote(late, p, yes)
	w.vote(w.bo, p, yes)
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, fay.ID)
	ps, _ := s.ProposalByID(p.ID)
	if len(ps.Now.Counted) != 1 || len(ps.Now.NotCounted) != 1 || !strings.Contains(ps.Now.NotCounted[0].Reason, "not on the roll") {
		t.Fatalf("count %+v", ps.Now)
	}
	// A proposal may tighten the quorum but not loosen it; a forged roll is refused.
	low, high := exact.R(1, 4), exact.R(3, 4)
	loose := w.open(w.ana, Proposal{Title: "Loose", Method: tally.Majority, Quorum: &low})
	tight := w.open(w.ana, Proposal{Title: "Tight", Method: tally.Majority, Quorum: &high})
	s = Fold(w.coop(), w.recs)
	bad := Proposal{Title: "Forged roll", Kind: KindGeneral, Method: tally.Majority, Closes: tClose.Format(record.TimeFormat),
		Roll: RollOf([]MemberID{w.ana})}
	forged := w.add(Open(w.dkey[w.ana], w.coop(), bad, tOpen, append(s.Frontier(), w.cert[w.ana])...))
	noReason := w.vote(w.bo, w.open(w.ana, Proposal{Title: "Consent", Method: tally.Consent}), tally.Ballot{Position: tally.Object})
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, tight.ID)
	for id, want := range map[record.ID]string{loose.ID: "not loosen", forged.ID: "roll", noReason.ID: "reason"} {
		if got := rejection(s, id); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", id.Short(), got, want)
		}
	}
}

// pass opens a proposal by ana, has everyone vote yes, and closes it.
func (w *govWorld) pass(p Proposal) (prop, cl *record.Record) {
	w.t.Helper()
	p.Method = tally.Majority
	prop = w.open(w.ana, p)
	s := Fold(w.coop(), w.recs)
	ps, ok := s.ProposalByID(prop.ID)
	if !ok {
		w.t.Fatalf("proposal refused: %s", rejection(s, prop.ID))
	}
	for _, m := range ps.Eligible {
		if _, ok := w.dkey[m]; ok { // members admitted by decision in this test have no keys here
			w.vote(m, prop, yes)
		}
	}
	cl = w.closeAs(w.ana, w.recs, prop.ID, tClose, nil)
	s = Fold(w.coop(), w.recs)
	if r := rejection(s, cl.ID); r != "" {
		w.t.Fatalf("close refused: %s", r)
	}
	return prop, cl
}

func TestMembershipByDecision(t *testing.T) {
	w := newGovWorld(t)
	// Amend the bylaws: admission by decision.
	nb := DefaultBylaws("Riverside Data Co-op")
	nb.Admission = Admission{Rule: AdmitByDecision}
	_, amend := w.pass(Proposal{Title: "Admit by decision", Kind: KindBylaws, Bylaws: &nb})
	s := Fold(w.coop(), w.recs)
	if s.Bylaws.Admission.Rule != AdmitByDecision || s.BylawsFrom != amend.ID {
		t.Fatalf("bylaws %+v from %s", s.Bylaws.Admission, s.BylawsFrom.Short())
	}
	// A direct admission after the amendment is refused; one before it stood.
	mk, dk := newKey(900), newKey(901)
	direct := w.add(Admit(w.dkey[w.ana], w.coop(), Profile{Name: "Gus", MemberKey: mk.PublicKey(), Class: "member"}, tClose, w.cert[w.ana], amend.ID))
	// An admission proposal passes: the close admits the requester and certifies their device.
	req := w.add(RequestJoin(newKey(902), dk, w.coop(), "Hana", "laptop", "", tClose))
	_, adm := w.pass(Proposal{Title: "Admit Hana", Kind: KindAdmission, Request: req.ID, Class: "member"})
	// Remove Ed by decision: his later records are cut.
	edLate := w.add(Open(w.dkey[w.ed], w.coop(), Proposal{Title: "Ed's late idea", Kind: KindGeneral, Method: tally.Advice,
		Closes: tClose.Add(48 * time.Hour).Format(record.TimeFormat), Roll: Roll{}}, tClose, w.cert[w.ed]))
	_, rm := w.pass(Proposal{Title: "Remove Ed", Kind: KindRemoval, Member: w.ed})
	// Make Bo a founder (who could admit directly under the old rule).
	_, ch := w.pass(Proposal{Title: "Bo becomes a founder", Kind: KindMemberChange, Member: w.bo, Class: "member", Roles: []string{RoleFounder}})
	s = Fold(w.coop(), w.recs)
	if got := rejection(s, direct.ID); !strings.Contains(got, "not directly") {
		t.Fatalf("direct admission after amendment: %q", got)
	}
	hana, ok := s.Members[MemberID(adm.ID)]
	if !ok || hana.Name != "Hana" || len(hana.Devices) != 1 || hana.Devices[0] != dk.PublicKey() {
		t.Fatalf("admitted by decision: %+v", hana)
	}
	if ed := s.Members[w.ed]; !ed.Removed || ed.Removal != rm.ID {
		t.Fatalf("Ed not removed: %+v", ed)
	}
	if rj, ok := rejectionOf(s, edLate.ID); !ok || rj.Cut != rm.ID {
		t.Fatalf("Ed's record outside the removal's cut: %+v", rj)
	}
	if bo := s.Members[w.bo]; !bo.HasRole(RoleFounder) {
		t.Fatalf("Bo's roles %v after %s", bo.Roles, ch.ID.Short())
	}
	// Every arrival order agrees.
	want := s.Digest()
	for i := range 10 {
		recs := slices.Clone(w.recs)
		rand.New(rand.NewPCG(uint64(i), 3)).Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
		if Fold(w.coop(), recs).Digest() != want {
			t.Fatal("digest depends on arrival order")
		}
	}
}

// TestCloseRecordsRoundTrip: a close's body decodes to what was counted.
func TestCloseRecordsRoundTrip(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, Proposal{Title: "Pick a logo", Method: tally.Ranked, Options: []string{"A", "B", "C"}, Seats: 1})
	w.vote(w.ana, p, tally.Ballot{Choices: []int{2, 0}})
	w.vote(w.bo, p, tally.Ballot{Choices: []int{0}})
	w.vote(w.cy, p, tally.Ballot{Choices: []int{1, 0}})
	cl := w.closeAs(w.ana, w.recs, p.ID, tClose, nil)
	var c Closing
	if err := cl.DecodeBody(&c); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c.Result)
	if c.Result.Outcome != tally.OutcomeElected || len(c.Result.Winners) != 1 || c.Result.Winners[0] != 0 || len(c.Counted) != 3 {
		t.Fatalf("close result %s", b)
	}
	mustAccept(t, Fold(w.coop(), w.recs), cl.ID)
}

// TestHonestClosesStand: whatever ballots, replacements, concurrent
// ballots, delegations (of every scope, chains and cycles) and withdrawals
// a co-op holds, a close counted over all of it, naming what its count used
// (as node.CloseProposal does), is accepted by the recount in its own past.
func TestHonestClosesStand(t *testing.T) {
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 77))
		w := newGovWorld(t)
		members := []MemberID{w.ana, w.bo, w.cy, w.di, w.ed}
		p := w.open(w.ana, majority("Random"))
		late := w.admit(w.ana, "Late") // not on the roll
		members = append(members, late)
		mine := map[MemberID][]record.ID{}
		dels := map[MemberID][]record.ID{}
		positions := []tally.Ballot{yes, no, abstain}
		for range 25 {
			m := members[rng.IntN(len(members))]
			switch rng.IntN(4) {
			case 0, 1: // a ballot, replacing some (or none) of the member's earlier ones
				var prev []record.ID
				for _, id := range mine[m] {
					if rng.IntN(2) == 0 {
						prev = append(prev, id)
					}
				}
				mine[m] = append(mine[m], w.vote(m, p, positions[rng.IntN(3)], prev...).ID)
			case 2: // a delegation of a random scope, naming some earlier ones
				to := members[rng.IntN(len(members))]
				if to == m {
					continue
				}
				d := Delegation{Delegate: to}
				prev := []record.ID{w.cert[m]}
				switch rng.IntN(3) {
				case 0:
					d.Proposal = p.ID
					prev = append(prev, p.ID)
				case 1:
					d.Kind = KindGeneral
				}
				for _, id := range dels[m] {
					if rng.IntN(2) == 0 {
						prev = append(prev, id)
					}
				}
				dels[m] = append(dels[m], w.add(Delegate(w.dkey[m], w.coop(), d, tOpen, prev...)).ID)
			case 3: // withdraw one
				if len(dels[m]) > 0 {
					w.add(EndDelegation(w.dkey[m], w.coop(), dels[m][rng.IntN(len(dels[m]))], tOpen, w.cert[m]))
				}
			}
		}
		want := w.countAs(w.recs, p.ID)
		cl := w.closeAs(w.cy, w.recs, p.ID, tClose.Add(25*time.Hour), nil)
		s := Fold(w.coop(), w.recs)
		if r := rejection(s, cl.ID); r != "" {
			t.Fatalf("seed %d: an honest close is refused: %s", seed, r)
		}
		ps, _ := s.ProposalByID(p.ID)
		a, b := mustJSON(ps.Close.Result), mustJSON(want.Result)
		if string(a) != string(b) {
			t.Fatalf("seed %d: closed %s, counted %s", seed, a, b)
		}
	}
}

// TestProxyEdges: a replaced delegation stays replaced when its replacement
// is withdrawn, and a member who left before their proxy voted casts nothing.
func TestProxyEdges(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, majority("Edges"))
	toBo := w.add(Delegate(w.dkey[w.di], w.coop(), Delegation{Delegate: w.bo}, tOpen, w.cert[w.di]))
	toCy := w.add(Delegate(w.dkey[w.di], w.coop(), Delegation{Delegate: w.cy}, tOpen, w.cert[w.di], toBo.ID))
	w.add(EndDelegation(w.dkey[w.di], w.coop(), toCy.ID, tOpen, w.cert[w.di]))
	w.add(Delegate(w.dkey[w.ed], w.coop(), Delegation{Delegate: w.bo}, tOpen, w.cert[w.ed]))
	res := w.add(Resign(w.dkey[w.ed], w.coop(), w.ed, "", tOpen, KeyHeads(w.recs, w.mkey[w.ed].PublicKey(), w.dkey[w.ed].PublicKey())...))
	w.vote(w.bo, p, yes, res.ID) // Bo votes knowing Ed left
	w.vote(w.cy, p, no)
	s := Fold(w.coop(), w.recs)
	ps, _ := s.ProposalByID(p.ID)
	if len(ps.Now.Proxies) != 0 {
		t.Fatalf("proxies %+v: Di's replaced delegation came back, or Ed voted after leaving", ps.Now.Proxies)
	}
	if got := s.DelegationRecords(w.di); len(got) != 0 {
		t.Fatalf("Di's standing delegations %v, want none", got)
	}
	cl := w.closeAs(w.ana, w.recs, p.ID, tClose, nil)
	mustAccept(t, Fold(w.coop(), w.recs), cl.ID)
}

// TestCutCloseVoidsNothing: a close signed by a revoked device, outside the
// revocation's cut, does not void an honest concurrent close, even with the
// lower record ID.
func TestCutCloseVoidsNothing(t *testing.T) {
	w := newGovWorld(t)
	phone, phoneCert := w.device(w.cy, "phone")
	p := w.open(w.bo, majority("Stolen phone"))
	w.vote(w.ana, p, yes)
	w.vote(w.bo, p, yes)
	seen := slices.Clone(w.recs)
	rv := w.add(RevokeDevice(w.mkey[w.cy], w.coop(), w.cy, phone.PublicKey(), "stolen", tOpen, phoneCert.ID, record.ID(w.cy)))
	honest := w.closeAs(w.bo, seen, p.ID, tClose, nil)
	// The thief closes with the phone after the grace period, grinding the time for a lower ID.
	c := w.countAs(seen, p.ID)
	var thief *record.Record
	for i := range 10_000 {
		r, err := Close(phone, w.coop(), Closing{Proposal: p.ID, Counted: c.Counted, Result: c.Result}, nil,
			tClose.Add(25*time.Hour+time.Duration(i)*time.Millisecond), phoneCert.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.ID.Less(honest.ID) {
			thief = w.add(r, nil)
			break
		}
	}
	if thief == nil {
		t.Skip("no lower ID found") // 10,000 tries: astronomically unlikely
	}
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, rv.ID)
	ps, _ := s.ProposalByID(p.ID)
	if ps.Close == nil || ps.Close.ID != honest.ID {
		t.Fatalf("close %+v; thief's close %q, honest close %q", ps.Close, rejection(s, thief.ID), rejection(s, honest.ID))
	}
	if rj, ok := rejectionOf(s, thief.ID); !ok || rj.Cut.IsZero() {
		t.Fatalf("the thief's close: %+v", rj)
	}
}
