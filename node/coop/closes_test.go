package coop

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Attacks on how a proposal is decided (closes.go), by members who hold
// valid keys and craft records by hand: ground record IDs, claimed times,
// causal pasts that leave ballots out, several closes of their own.

// forBylaws runs f in a co-op of five founded with today's default bylaws
// (two tellers) and in one whose bylaws predate the tellers field (the
// closer alone): the attacks must fail in both.
func forBylaws(t *testing.T, f func(t *testing.T, w *govWorld, legacy bool)) {
	for _, legacy := range []bool{false, true} {
		by, name := DefaultBylaws("Riverside Data Co-op"), "tellers"
		if legacy {
			by.Tellers, name = 0, "legacy"
		}
		t.Run(name, func(t *testing.T) { f(t, newGovWorldBylaws(t, by), legacy) })
	}
}

// closeOver has by sign a close of prop counting the ballots in recs, at
// at, naming also prev (a close it contests), with no co-signatures.
func (w *govWorld) closeOver(by MemberID, recs []*record.Record, prop record.ID, at time.Time, prev ...record.ID) *record.Record {
	w.t.Helper()
	c, _ := NewFolder(w.coop(), recs).CountAll(prop)
	return w.add(Close(w.dkey[by], w.coop(), Closing{Proposal: prop, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result},
		append(c.Uses(), c.Counted...), at, append(prev, w.cert[by])...))
}

// grindBelow has by sign closes of prop over recs, claiming times a
// millisecond apart from at on, until one's record ID sorts below target:
// what any member can do in well under a second.
func (w *govWorld) grindBelow(by MemberID, recs []*record.Record, prop record.ID, at time.Time, target record.ID) *record.Record {
	w.t.Helper()
	c := w.countAs(recs, prop)
	body := Closing{Proposal: prop, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result}
	for i := range 1 << 22 {
		r, err := Close(w.dkey[by], w.coop(), body, append(c.Uses(), c.Counted...), at.Add(time.Duration(i)*time.Millisecond), w.cert[by])
		if err != nil {
			w.t.Fatal(err)
		}
		if r.ID.Less(target) {
			return w.add(r, nil)
		}
	}
	w.t.Fatal("no ID below the target")
	return nil
}

// everyOrder folds w's records in several arrival orders, checks they agree
// on the digest, and hands each state to check.
func everyOrder(t *testing.T, w *govWorld, check func(s *State)) {
	t.Helper()
	var want [32]byte
	for i := range 8 {
		recs := slices.Clone(w.recs)
		if i > 0 {
			rand.New(rand.NewPCG(uint64(i), 16)).Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
		}
		s := Fold(w.coop(), recs)
		check(s)
		if d := s.Digest(); i == 0 {
			want = d
		} else if d != want {
			t.Fatal("the digest depends on arrival order")
		}
	}
}

// Seen 1: a non-author, after the honest close, signs a concurrent close
// whose causal past omits the yes ballots, its ID ground below the honest
// one's. The decided proposal must stay decided, its effect (a change of
// roles) must stand, and what relied on it must stay valid.
func TestGroundCloseCannotOverride(t *testing.T) {
	forBylaws(t, func(t *testing.T, w *govWorld, legacy bool) {
		p := w.open(w.ana, Proposal{Title: "Bo becomes a founder", Kind: KindMemberChange, Member: w.bo, Class: "member",
			Roles: []string{RoleFounder}, Method: tally.Majority})
		before := slices.Clone(w.recs)
		for _, m := range []MemberID{w.ana, w.bo, w.cy} {
			w.vote(m, p, yes)
		}
		no := w.vote(w.di, p, no)
		honest := w.closeAs(w.ana, w.recs, p.ID, tClose, nil)
		// Bo, a founder now, admits Gus directly: that relies on the close.
		gus := w.add(Admit(w.dkey[w.bo], w.coop(), Profile{Name: "Gus", MemberKey: newKey(700).PublicKey(), Class: "member"},
			tClose.Add(time.Minute), w.cert[w.bo], honest.ID))
		attack := w.grindBelow(w.ed, append(slices.Clone(before), no), p.ID, tClose.Add(25*time.Hour), honest.ID)
		everyOrder(t, w, func(s *State) {
			ps, _ := s.ProposalByID(p.ID)
			if ps.Close == nil || ps.Close.ID != honest.ID || ps.Close.Result.Outcome != tally.OutcomePassed {
				t.Fatalf("decided by %+v, want the honest close %s", ps.Close, honest.ID.Short())
			}
			if !s.Members[w.bo].HasRole(RoleFounder) {
				t.Fatal("the honest close's effect was undone")
			}
			mustAccept(t, s, gus.ID)
			if got := rejection(s, attack.ID); !strings.Contains(got, "leaves out ballot") {
				t.Fatalf("the ground close: %q", got)
			}
		})
	})
}

// Seen 3: the author closes a bylaws proposal with a causal past that holds
// only what makes it pass. With tellers, it never decides: no other
// member's node co-signs it. With legacy bylaws it decides until a member
// who holds the other ballots answers with a fuller close, at once,
// without waiting out the author's grace period; then the fuller one
// decides everywhere.
func TestAuthorOmissionCaught(t *testing.T) {
	forBylaws(t, func(t *testing.T, w *govWorld, legacy bool) {
		fa, gi := w.admit(w.ana, "Fa"), w.admit(w.ana, "Gi")
		nb := Fold(w.coop(), w.recs).Bylaws
		nb.Quorum = exact.R(2, 3)
		p := w.open(w.bo, Proposal{Title: "Quorum of two thirds", Kind: KindBylaws, Bylaws: &nb, Method: tally.Majority})
		for _, m := range []MemberID{w.ana, w.bo, w.cy} {
			w.vote(m, p, yes)
		}
		w.vote(w.di, p, no)
		partial := slices.Clone(w.recs) // 3 yes, 1 no: passes
		for _, m := range []MemberID{w.ed, fa, gi} {
			w.vote(m, p, no) // 3 yes, 4 no: fails
		}
		bad := w.closeOver(w.bo, partial, p.ID, tClose)
		s := Fold(w.coop(), w.recs)
		if amended := s.Bylaws.Quorum == nb.Quorum; amended != legacy {
			t.Fatalf("before any answer, amended = %v with legacy = %v", amended, legacy)
		}
		f := NewFolder(w.coop(), w.recs)
		if r := f.MayCoSign(p.ID, bad.ID, w.cy); r == nil || r.Code != CoSignLeavesOut {
			t.Fatalf("Cy's node would co-sign the partial close: %v", r)
		}
		full := w.closeOver(w.cy, w.recs, p.ID, tClose.Add(time.Minute), bad.ID)
		if r := f.MayCoSign(p.ID, bad.ID, w.di); r == nil {
			t.Fatal("Di's node would co-sign the partial close")
		}
		if !legacy {
			NewFolder(w.coop(), w.recs) // the fuller close awaits its own tellers
			if r := NewFolder(w.coop(), w.recs).MayCoSign(p.ID, full.ID, w.di); r != nil {
				t.Fatalf("Di's node refuses the fuller close: %v", r)
			}
			w.cosign(full, w.di, w.ed)
		}
		everyOrder(t, w, func(s *State) {
			ps, _ := s.ProposalByID(p.ID)
			if ps.Close == nil || ps.Close.ID != full.ID || ps.Close.Result.Outcome != tally.OutcomeFailed {
				t.Fatalf("decided by %+v, want the fuller close (%q)", ps.Close, rejection(s, full.ID))
			}
			if s.Bylaws.Quorum == nb.Quorum {
				t.Fatal("the bylaws were amended by a close that left out ballots")
			}
			if got := rejection(s, bad.ID); !strings.Contains(got, "leaves out ballot") {
				t.Fatalf("the partial close: %q", got)
			}
		})
	})
}

// Seen 4: the author publishes several closes of their own, each with a
// different causal past, grinding IDs. The one counting every ballot the
// others count decides, whatever the IDs.
func TestAuthorsOwnClosesCannotChoose(t *testing.T) {
	forBylaws(t, func(t *testing.T, w *govWorld, legacy bool) {
		p := w.open(w.bo, majority("Buy a boat"))
		w.vote(w.ana, p, no)
		w.vote(w.bo, p, yes)
		w.vote(w.cy, p, yes)
		partial := slices.Clone(w.recs) // 2 yes, 1 no
		w.vote(w.di, p, no)
		w.vote(w.ed, p, no)
		full := w.closeAs(w.bo, w.recs, p.ID, tClose, nil) // 2 yes, 3 no: fails
		picked := w.grindBelow(w.bo, partial, p.ID, tClose, full.ID)
		if !legacy {
			w.cosign(picked, w.tellers(partial, p.ID, w.bo)...) // even with colluding tellers
		}
		everyOrder(t, w, func(s *State) {
			ps, _ := s.ProposalByID(p.ID)
			if ps.Close == nil || ps.Close.ID != full.ID {
				t.Fatalf("decided by %+v, want the full close %s", ps.Close, full.ID.Short())
			}
			if got := rejection(s, picked.ID); !strings.Contains(got, "leaves out ballot") {
				t.Fatalf("the author's chosen close: %q", got)
			}
		})
	})
}

// A close decides only with its tellers: members other than the author,
// by their certified devices. The author's other signatures, strangers'
// keys and a single teller where two are needed do not make it decide;
// co-signatures never change the close's ID.
func TestTellers(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.bo, majority("Plant trees"))
	for _, m := range []MemberID{w.ana, w.bo, w.cy} {
		w.vote(m, p, yes)
	}
	cl := w.closeOver(w.bo, w.recs, p.ID, tClose)
	decided := func() bool {
		ps, _ := Fold(w.coop(), w.recs).ProposalByID(p.ID)
		return ps.Close != nil
	}
	if ps, _ := Fold(w.coop(), w.recs).ProposalByID(p.ID); ps.Tellers != 2 || decided() {
		t.Fatalf("tellers needed %d, decided without any: %v", ps.Tellers, decided())
	}
	id := cl.ID
	// The author's member key, and a stranger's key.
	for _, k := range []key{w.mkey[w.bo], newKey(800)} {
		c, err := cl.CoSign(k)
		if err != nil {
			t.Fatal(err)
		}
		cl = w.cosign(c)
	}
	if decided() {
		t.Fatal("decided by the author's own key and a stranger's")
	}
	w.cosign(cl, w.cy)
	if decided() {
		t.Fatal("decided with one teller of two")
	}
	if got := w.cosign(cl, w.cy, w.di); got.ID != id || !decided() {
		t.Fatalf("two tellers: ID %s (was %s), decided %v", got.ID.Short(), id.Short(), decided())
	}
	if r := NewFolder(w.coop(), w.recs).MayCoSign(p.ID, cl.ID, w.bo); r == nil || r.Code != CoSignOwn {
		t.Fatalf("the author as teller: %v", r)
	}
}

// A co-op of two needs one teller, a co-op of one none: the bylaws'
// number is capped by the members on the roll other than the author.
func TestTellersCappedByRoll(t *testing.T) {
	w := &govWorld{world: newWorld(t)}
	w.ana = w.founder()
	p := w.open(w.ana, majority("Alone"))
	w.vote(w.ana, p, yes)
	cl := w.closeOver(w.ana, w.recs, p.ID, tClose)
	if ps, _ := Fold(w.coop(), w.recs).ProposalByID(p.ID); ps.Tellers != 0 || ps.Close == nil || ps.Close.ID != cl.ID {
		t.Fatalf("a co-op of one: tellers %d, close %+v", ps.Tellers, ps.Close)
	}
	w.bo = w.admit(w.ana, "Bo")
	p2 := w.open(w.ana, majority("Two of us"))
	w.vote(w.bo, p2, yes)
	cl2 := w.closeOver(w.ana, w.recs, p2.ID, tClose)
	if ps, _ := Fold(w.coop(), w.recs).ProposalByID(p2.ID); ps.Tellers != 1 || ps.Close != nil {
		t.Fatalf("a co-op of two: tellers %d, close %+v", ps.Tellers, ps.Close)
	}
	w.cosign(cl2, w.bo)
	if ps, _ := Fold(w.coop(), w.recs).ProposalByID(p2.ID); ps.Close == nil {
		t.Fatal("a co-op of two: not decided with its one teller")
	}
}

// Finality: a close with its tellers stands against a later close that
// adds nothing (even one its tellers co-signed), and an honest node does
// not co-sign a competing close once one decides.
func TestTelleredCloseIsFinal(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, Proposal{Title: "Bo becomes a founder", Kind: KindMemberChange, Member: w.bo, Class: "member",
		Roles: []string{RoleFounder}, Method: tally.Majority})
	for _, m := range []MemberID{w.ana, w.bo, w.cy} {
		w.vote(m, p, yes)
	}
	first := w.closeAs(w.ana, w.recs, p.ID, tClose, nil)
	gus := w.add(Admit(w.dkey[w.bo], w.coop(), Profile{Name: "Gus", MemberKey: newKey(701).PublicKey(), Class: "member"},
		tClose.Add(time.Minute), w.cert[w.bo], first.ID))
	// Ed closes again, naming the first close, grinding his ID low.
	var again *record.Record
	for i := 0; again == nil || !again.ID.Less(first.ID); i++ {
		w.recs = slices.DeleteFunc(w.recs, func(r *record.Record) bool { return again != nil && r.ID == again.ID })
		again = w.closeOver(w.ed, w.recs, p.ID, tClose.Add(time.Duration(i)*time.Millisecond), first.ID)
	}
	if r := NewFolder(w.coop(), w.recs).MayCoSign(p.ID, again.ID, w.di); r == nil || r.Code != CoSignOtherDecides {
		t.Fatalf("an honest node would co-sign a competing close: %v", r)
	}
	w.cosign(again, w.cy, w.di) // even so
	everyOrder(t, w, func(s *State) {
		ps, _ := s.ProposalByID(p.ID)
		if ps.Close == nil || ps.Close.ID != first.ID {
			t.Fatalf("decided by %+v, want the first close", ps.Close)
		}
		mustAccept(t, s, gus.ID)
		if rj, ok := rejectionOf(s, again.ID); !ok || !rj.Void || !strings.Contains(rj.Reason, "superseded") {
			t.Fatalf("the later close: %+v", rj)
		}
	})
}

// A partition: each half closes with its own ballots and its own tellers.
// Healed, neither close decides (each leaves out ballots the other
// counts) until a fuller close, co-signed, counts them all.
func TestPartitionedClosesHeal(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.ana, majority("Share the van"))
	base := slices.Clone(w.recs)
	a := append(slices.Clone(base), w.vote(w.ana, p, yes), w.vote(w.bo, p, yes))
	b := append(slices.Clone(base), w.vote(w.cy, p, no), w.vote(w.di, p, no), w.vote(w.ed, p, no))
	ca := w.cosign(w.closeOver(w.ana, a, p.ID, tClose), w.bo, w.cy)
	cb := w.cosign(w.closeOver(w.cy, b, p.ID, tClose.Add(25*time.Hour)), w.di, w.ed)
	if ps, _ := Fold(w.coop(), w.recs).ProposalByID(p.ID); ps.Close != nil {
		t.Fatalf("healed, a close that leaves out the other half's ballots decides: %+v", ps.Close)
	}
	f := NewFolder(w.coop(), w.recs)
	if r := f.MayCoSign(p.ID, ca.ID, w.di); r == nil || r.Code != CoSignLeavesOut {
		t.Fatalf("co-signing half a count: %v", r)
	}
	full := w.closeOver(w.di, w.recs, p.ID, tClose.Add(26*time.Hour), ca.ID, cb.ID)
	if r := NewFolder(w.coop(), w.recs).MayCoSign(p.ID, full.ID, w.ana); r != nil {
		t.Fatalf("Ana's node refuses the fuller close: %v", r)
	}
	w.cosign(full, w.ana, w.ed)
	everyOrder(t, w, func(s *State) {
		ps, _ := s.ProposalByID(p.ID)
		if ps.Close == nil || ps.Close.ID != full.ID || ps.Close.Result.Outcome != tally.OutcomeFailed {
			t.Fatalf("decided by %+v, want the fuller close", ps.Close)
		}
		for _, c := range []*record.Record{ca, cb} {
			if rj, ok := rejectionOf(s, c.ID); !ok || !rj.Void {
				t.Fatalf("a half's close: %+v", rj)
			}
		}
	})
}

// A close dated before the closing time is refused by every node, whoever
// signs it; a non-author within the grace period may only answer a close
// already out (a contest), never open the closing.
func TestMayClose(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.bo, majority("Repaint"))
	w.vote(w.ana, p, yes)
	s := Fold(w.coop(), w.recs)
	ps, _ := s.ProposalByID(p.ID)
	for _, tc := range []struct {
		by      MemberID
		at      time.Time
		contest bool
		want    CloseCode
	}{
		{w.bo, tClose.Add(-time.Millisecond), false, CloseTooEarly},
		{w.cy, tClose.Add(-time.Millisecond), true, CloseTooEarly},
		{w.cy, tClose, false, CloseAuthorOnly},
		{w.cy, tClose, true, 0},
		{w.cy, tClose.Add(ps.Grace), false, 0},
		{w.bo, tClose, false, 0},
	} {
		var contest record.ID
		if tc.contest {
			contest = p.ID // any ID stands for a close in the past
		}
		got := s.MayClose(ps, tc.by, tc.at, contest)
		if (got == nil) != (tc.want == 0) || got != nil && got.Code != tc.want {
			t.Errorf("by %s at %s, contest %v: %v, want code %d", record.ID(tc.by).Short(), tc.at, tc.contest, got, tc.want)
		}
	}
}

// Co-signatures that make a close decide are applied directly where the
// fold would reach the same state (nothing has the close in its past), and
// the state equals a full fold's at each step; where something does, the
// Folder folds everything.
func TestCoSignaturesApplied(t *testing.T) {
	for _, tc := range []struct {
		name   string
		child  bool // a record naming the close arrives before its co-signatures
		direct bool
	}{{"nothing relies on the close", false, true}, {"a record names the close", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newGovWorld(t)
			nb := Fold(w.coop(), w.recs).Bylaws
			nb.Quorum = exact.R(2, 3)
			p := w.open(w.bo, Proposal{Title: "Quorum of two thirds", Kind: KindBylaws, Bylaws: &nb, Method: tally.Majority})
			for _, m := range []MemberID{w.ana, w.bo, w.cy, w.di} {
				w.vote(m, p, yes)
			}
			cl := w.closeOver(w.bo, w.recs, p.ID, tClose)
			if tc.child {
				w.open(w.cy, majority("Later")) // names the frontier, the close among it
			}
			f := NewFolder(w.coop(), w.recs)
			for i, m := range []MemberID{w.cy, w.di} {
				cl = w.cosign(cl, m)
				if got := f.Add(cl); got != tc.direct {
					t.Fatalf("teller %d applied directly: %v", i+1, got)
				}
				got, err := f.State()
				if err != nil {
					t.Fatal(err)
				}
				if d := stateDiff(got, Fold(w.coop(), w.recs)); d != "" {
					t.Fatalf("after teller %d: %s", i+1, d)
				}
			}
			s, _ := f.State()
			if ps, _ := s.ProposalByID(p.ID); ps.Close == nil || len(ps.Close.Tellers) != 2 || s.Bylaws.Quorum != nb.Quorum {
				t.Fatalf("decided %+v, bylaws quorum %v", ps.Close, s.Bylaws.Quorum)
			}
		})
	}
}

// FuzzCloses: two closes of one proposal by any members, each over any
// subset of the ballots, at any time after the closing time, co-signed by
// any members. Whatever arrives in whatever order, the nodes agree; a
// close decides only with its tellers; and a decided proposal is decided
// by a close that counts every ballot any other close with its tellers
// counts (a strict superset always wins).
func FuzzCloses(f *testing.F) {
	f.Add(uint8(0b11111), uint8(0b00011), uint8(1), uint8(3), uint8(0b00110), uint8(0b11000), uint16(0), uint16(1500))
	f.Add(uint8(0b00111), uint8(0b11100), uint8(1), uint8(1), uint8(0b01100), uint8(0b10001), uint16(1), uint16(2))
	w := newGovWorld(f)
	members := []MemberID{w.ana, w.bo, w.cy, w.di, w.ed}
	p := w.open(w.bo, majority("Fuzzed"))
	base := slices.Clone(w.recs)
	var ballots []*record.Record
	for i, m := range members {
		ballots = append(ballots, w.vote(m, p, []tally.Ballot{yes, no}[i%2]))
	}
	f.Fuzz(func(t *testing.T, mask1, mask2, by1, by2, cos1, cos2 uint8, min1, min2 uint16) {
		recs := slices.Clone(w.recs)
		var closes []*record.Record
		for _, c := range []struct {
			mask, by, cos uint8
			min           uint16
		}{{mask1, by1, cos1, min1}, {mask2, by2, cos2, min2}} {
			past := slices.Clone(base)
			for i, b := range ballots {
				if c.mask&(1<<i) != 0 {
					past = append(past, b)
				}
			}
			by := members[int(c.by)%len(members)]
			cnt, _ := NewFolder(w.coop(), past).CountAll(p.ID)
			r, err := Close(w.dkey[by], w.coop(), Closing{Proposal: p.ID, Counted: cnt.Counted, Proxies: cnt.Proxies, Result: cnt.Result},
				append(cnt.Uses(), cnt.Counted...), tClose.Add(time.Duration(c.min)*time.Minute), w.cert[by])
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range members {
				if c.cos&(1<<i) != 0 {
					if r, err = r.CoSign(w.dkey[m]); err != nil {
						t.Fatal(err)
					}
				}
			}
			closes = append(closes, r)
			recs = append(recs, r)
		}
		s := Fold(w.coop(), recs)
		rev := slices.Clone(recs)
		slices.Reverse(rev)
		if Fold(w.coop(), rev).Digest() != s.Digest() {
			t.Fatal("digest depends on order")
		}
		ps, _ := s.ProposalByID(p.ID)
		if ps.Close == nil {
			return
		}
		if len(ps.Close.Tellers) < ps.Tellers {
			t.Fatalf("decided with %d tellers of %d", len(ps.Close.Tellers), ps.Tellers)
		}
		var win *closeCand
		for i := range s.cands[p.ID] {
			if s.cands[p.ID][i].id == ps.Close.ID {
				win = &s.cands[p.ID][i]
			}
		}
		for _, c := range s.cands[p.ID] {
			if c.id == win.id || !c.tellered {
				continue
			}
			for _, b := range c.counted {
				if !slices.Contains(win.counted, b) {
					t.Fatalf("the deciding close %s leaves out ballot %s that close %s, with its tellers, counts", win.id.Short(), b.Short(), c.id.Short())
				}
			}
		}
	})
}

// Copies of a close with different co-signatures add up, in a Folder as in
// the fold, in either order.
func TestCoSignatureCopiesAddUp(t *testing.T) {
	w := newGovWorld(t)
	p := w.open(w.bo, majority("Two copies"))
	w.vote(w.ana, p, yes)
	cl := w.closeOver(w.bo, w.recs, p.ID, tClose)
	f := NewFolder(w.coop(), w.recs)
	a, _ := cl.CoSign(w.dkey[w.cy])
	b, _ := cl.CoSign(w.dkey[w.di])
	f.Add(a)
	f.Add(b)
	s, _ := f.State()
	if ps, _ := s.ProposalByID(p.ID); ps.Close == nil || len(ps.Close.Tellers) != 2 {
		t.Fatalf("a Folder given two copies: %+v", ps.Close)
	}
	for _, order := range [][]*record.Record{{a, b}, {b, a}} {
		if ps, _ := Fold(w.coop(), append(slices.Clone(w.recs), order...)).ProposalByID(p.ID); ps.Close == nil || len(ps.Close.Tellers) != 2 {
			t.Fatalf("the fold given two copies: %+v", ps.Close)
		}
	}
}
