package coop

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Special rules ("special resolutions"): the bylaws may set a stricter
// quorum, threshold and set of methods for a kind of proposal.

var (
	half      = exact.R(1, 2)
	twoThirds = exact.R(2, 3)
)

// specialBylaws are the default bylaws with special rules, by kind.
func specialBylaws(special map[string]DecisionRule) Bylaws {
	b, err := withSpecial(special)
	if err != nil {
		panic(err)
	}
	return b
}

func withSpecial(special map[string]DecisionRule) (Bylaws, error) {
	b := DefaultBylaws("Riverside Data Co-op")
	for k, r := range special {
		if err := b.Special.Set(k, &r); err != nil {
			return b, err
		}
	}
	return b, nil
}

// decide opens p by ana, casts votes, has ana close it at its closing time,
// and returns the proposal as the fold then sees it. The close must be valid.
func (w *govWorld) decide(p Proposal, votes map[MemberID]tally.Ballot) (*ProposalState, *State) {
	w.t.Helper()
	if p.Method == "" {
		p.Method = tally.Majority
	}
	prop := w.open(w.ana, p)
	s := Fold(w.coop(), w.recs)
	if _, ok := s.ProposalByID(prop.ID); !ok {
		w.t.Fatalf("proposal %q refused: %s", p.Title, rejection(s, prop.ID))
	}
	for _, m := range []MemberID{w.ana, w.bo, w.cy, w.di, w.ed} { // a fixed order: records and IDs do not depend on map order
		if v, ok := votes[m]; ok {
			w.vote(m, prop, v)
		}
	}
	cl := w.closeAs(w.ana, w.recs, prop.ID, tClose, nil)
	s = Fold(w.coop(), w.recs)
	if r := rejection(s, cl.ID); r != "" {
		w.t.Fatalf("close of %q refused: %s", p.Title, r)
	}
	ps, _ := s.ProposalByID(prop.ID)
	return ps, s
}

// ballots gives the five members' ballots in order (ana, bo, cy, di, ed); nil: no ballot.
func (w *govWorld) ballots(bs ...*tally.Ballot) map[MemberID]tally.Ballot {
	out := map[MemberID]tally.Ballot{}
	for i, m := range []MemberID{w.ana, w.bo, w.cy, w.di, w.ed} {
		if i < len(bs) && bs[i] != nil {
			out[m] = *bs[i]
		}
	}
	return out
}

// Ballots for the table tests.
var (
	Y = &yes
	N = &no
	A = &abstain
)

// TestSpecialRulesAmendment: bylaws that add a special rule for bylaws
// proposals are themselves decided by the bylaws in force when they open
// (3 of 5 yes passes at 1/2); from their close, a bylaws proposal must meet
// 2/3, may not ask for less, takes 2/3 when it names nothing, and must use
// the rule's methods.
func TestSpecialRulesAmendment(t *testing.T) {
	w := newGovWorld(t)
	strict := specialBylaws(map[string]DecisionRule{
		KindBylaws:  {Quorum: twoThirds, Threshold: twoThirds, Methods: []tally.Method{tally.Majority}},
		KindRemoval: {Quorum: twoThirds, Threshold: twoThirds},
	})
	ps, s := w.decide(Proposal{Title: "Special resolutions", Kind: KindBylaws, Bylaws: &strict}, w.ballots(Y, Y, Y, N, N))
	if ps.Rules.Threshold != half || ps.Close.Result.Outcome != tally.OutcomePassed {
		t.Fatalf("the amendment was judged by %s/%s: %s", ps.Rules.Quorum, ps.Rules.Threshold, ps.Close.Result.Why)
	}
	if got := s.Bylaws.Special.For(KindBylaws); got == nil || got.Threshold != twoThirds || len(s.Bylaws.Special.Kinds()) != 2 || s.BylawsFrom != ps.Close.ID {
		t.Fatalf("bylaws in force %v from %s", s.Bylaws.Special.Kinds(), s.BylawsFrom.Short())
	}

	third, quarter := exact.R(3, 4), exact.R(1, 4)
	plain := DefaultBylaws("Riverside Data Co-op")
	for _, tc := range []struct {
		name string
		p    Proposal
		want string // substring of the rejection; "" = accepted
		// rules the accepted proposal is decided by
		quorum, threshold exact.Ratio
	}{
		{"names nothing: takes the special rule", Proposal{}, "", twoThirds, twoThirds},
		{"threshold 1/2", Proposal{Threshold: &half}, "the bylaws require a bylaws proposal to have threshold at least 2/3 (this one: 1/2)", exact.Ratio{}, exact.Ratio{}},
		{"quorum 1/2", Proposal{Quorum: &half}, "the bylaws require a bylaws proposal to have quorum at least 2/3 (this one: 1/2)", exact.Ratio{}, exact.Ratio{}},
		{"quorum 1/4", Proposal{Quorum: &quarter}, "quorum at least 2/3 (this one: 1/4)", exact.Ratio{}, exact.Ratio{}},
		{"exactly 2/3", Proposal{Quorum: &twoThirds, Threshold: &twoThirds}, "", twoThirds, twoThirds},
		{"stricter: 3/4", Proposal{Threshold: &third}, "", twoThirds, third},
		{"consent, not allowed by the rule", Proposal{Method: tally.Consent}, "the bylaws require a bylaws proposal to be decided by majority (this one: consent)", exact.Ratio{}, exact.Ratio{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.Title, p.Kind, p.Bylaws = "Back to plain bylaws", KindBylaws, &plain
			if p.Method == "" {
				p.Method = tally.Majority
			}
			prop := w.open(w.ana, p)
			s := Fold(w.coop(), w.recs)
			ps, ok := s.ProposalByID(prop.ID)
			got := rejection(s, prop.ID)
			if tc.want == "" {
				if !ok || got != "" {
					t.Fatalf("refused: %q", got)
				}
				if ps.Rules.Quorum.Cmp(tc.quorum) != 0 || ps.Rules.Threshold.Cmp(tc.threshold) != 0 {
					t.Fatalf("rules %s/%s, want %s/%s", ps.Rules.Quorum, ps.Rules.Threshold, tc.quorum, tc.threshold)
				}
				return
			}
			if ok || !strings.Contains(got, tc.want) {
				t.Fatalf("accepted = %v, rejection %q, want %q", ok, got, tc.want)
			}
		})
	}

	// Repealing the special rules now needs more than 2/3: 3 of 5 yes is not enough.
	ps, s = w.decide(Proposal{Title: "Repeal", Kind: KindBylaws, Bylaws: &plain}, w.ballots(Y, Y, Y, N, N))
	if ps.Close.Result.Outcome != tally.OutcomeFailed || len(s.Bylaws.Special.Kinds()) != 2 {
		t.Fatalf("repeal: %s; special rules in force %v", ps.Close.Result.Why, s.Bylaws.Special.Kinds())
	}
	// 4 of 5 yes is (support 4/5 > 2/3).
	ps, s = w.decide(Proposal{Title: "Repeal again", Kind: KindBylaws, Bylaws: &plain}, w.ballots(Y, Y, Y, Y, N))
	if ps.Close.Result.Outcome != tally.OutcomePassed || len(s.Bylaws.Special.Kinds()) != 0 {
		t.Fatalf("repeal: %s; special rules in force %v", ps.Close.Result.Why, s.Bylaws.Special.Kinds())
	}
	// And a proposal opened after the repeal is judged by the plain bylaws again.
	prop := w.open(w.ana, Proposal{Title: "Plain again", Kind: KindBylaws, Bylaws: &strict, Method: tally.Consent, Threshold: &half})
	s = Fold(w.coop(), w.recs)
	if ps, ok := s.ProposalByID(prop.ID); !ok || ps.Rules.Quorum != half {
		t.Fatalf("after the repeal: %q", rejection(s, prop.ID))
	}
}

// TestSpecialRulesConcurrent: a proposal is judged by the bylaws in its own
// causal past. One opened concurrently with the close that adds a special
// rule keeps the general rule, in every node and arrival order.
func TestSpecialRulesConcurrent(t *testing.T) {
	w := newGovWorld(t)
	strict := specialBylaws(map[string]DecisionRule{KindRemoval: {Quorum: twoThirds, Threshold: twoThirds}})
	amend := w.open(w.ana, Proposal{Title: "Special removals", Kind: KindBylaws, Bylaws: &strict, Method: tally.Majority})
	for _, m := range []MemberID{w.ana, w.bo, w.cy} {
		w.vote(m, amend, yes)
	}
	before := w.open(w.bo, Proposal{Title: "Remove Ed (before)", Kind: KindRemoval, Member: w.ed, Method: tally.Majority})
	w.closeAs(w.ana, w.recs, amend.ID, tClose, nil)
	after := w.open(w.bo, Proposal{Title: "Remove Ed (after)", Kind: KindRemoval, Member: w.ed, Method: tally.Majority})
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, before.ID, after.ID)
	b, _ := s.ProposalByID(before.ID)
	a, _ := s.ProposalByID(after.ID)
	if b.Rules.Threshold != half || a.Rules.Threshold != twoThirds || a.Rules.Quorum != twoThirds {
		t.Fatalf("before: %s/%s, after: %s/%s", b.Rules.Quorum, b.Rules.Threshold, a.Rules.Quorum, a.Rules.Threshold)
	}
}

// TestSpecialRemoval: a removal under a special rule of 2/3 and 2/3 against
// the same ballots under the general rule of 1/2. Support must be strictly
// greater than the threshold, so 2 yes and 1 no (support exactly 2/3) fails
// under 2/3; participation need only reach the quorum.
func TestSpecialRemoval(t *testing.T) {
	for _, tc := range []struct {
		name             string
		ballots          []*tally.Ballot // ana, bo, cy, di, ed
		general, special string          // outcomes
	}{
		{"3 yes 2 no", []*tally.Ballot{Y, Y, Y, N, N}, tally.OutcomePassed, tally.OutcomeFailed},
		{"2 yes 1 no 1 abstain: support exactly 2/3", []*tally.Ballot{Y, Y, N, A}, tally.OutcomePassed, tally.OutcomeFailed},
		{"3 yes 1 no: support 3/4", []*tally.Ballot{Y, Y, Y, N}, tally.OutcomePassed, tally.OutcomePassed},
		{"3 yes of 5: participation 3/5", []*tally.Ballot{Y, Y, Y}, tally.OutcomePassed, tally.OutcomeNoQuorum},
		{"4 yes 1 no", []*tally.Ballot{Y, Y, Y, Y, N}, tally.OutcomePassed, tally.OutcomePassed},
		{"2 yes 2 no", []*tally.Ballot{Y, Y, N, N}, tally.OutcomeFailed, tally.OutcomeFailed},
	} {
		for _, withRule := range []bool{false, true} {
			name, want := tc.name+"/general", tc.general
			if withRule {
				name, want = tc.name+"/special", tc.special
			}
			t.Run(name, func(t *testing.T) {
				w := newGovWorld(t)
				if withRule {
					strict := specialBylaws(map[string]DecisionRule{KindRemoval: {Quorum: twoThirds, Threshold: twoThirds}})
					w.pass(Proposal{Title: "Special removals", Kind: KindBylaws, Bylaws: &strict})
				}
				ps, s := w.decide(Proposal{Title: "Remove Ed", Kind: KindRemoval, Member: w.ed}, w.ballots(tc.ballots...))
				if got := ps.Close.Result.Outcome; got != want {
					t.Fatalf("outcome %s, want %s: %s (rules %s/%s)", got, want, ps.Close.Result.Why, ps.Rules.Quorum, ps.Rules.Threshold)
				}
				if removed := s.Members[w.ed].Removed; removed != (want == tally.OutcomePassed) {
					t.Fatalf("Ed removed = %v after a %s close", removed, want)
				}
			})
		}
	}
}

// TestSpecialMethods: a special rule's methods are the only ones its kind
// may use; other kinds keep every binding method the bylaws allow.
func TestSpecialMethods(t *testing.T) {
	w := newGovWorld(t)
	strict := specialBylaws(map[string]DecisionRule{
		KindRemoval:      {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Consent}},
		KindMemberChange: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Majority, tally.Consensus}},
		KindAdmission:    {Quorum: twoThirds, Threshold: half},
	})
	w.pass(Proposal{Title: "Methods by kind", Kind: KindBylaws, Bylaws: &strict})
	mk := newKey(700)
	req := w.add(RequestJoin(newKey(701), mk, w.coop(), "Hana", "laptop", "", tClose))
	for _, tc := range []struct {
		name string
		p    Proposal
		want string
	}{
		{"removal by majority", Proposal{Kind: KindRemoval, Member: w.ed, Method: tally.Majority},
			"the bylaws require a removal proposal to be decided by consent (this one: majority)"},
		{"removal by consent", Proposal{Kind: KindRemoval, Member: w.ed, Method: tally.Consent}, ""},
		{"member change by consent", Proposal{Kind: KindMemberChange, Member: w.bo, Class: "member", Method: tally.Consent},
			"the bylaws require a member-change proposal to be decided by majority or consensus (this one: consent)"},
		{"member change by consensus", Proposal{Kind: KindMemberChange, Member: w.bo, Class: "member", Method: tally.Consensus}, ""},
		{"admission: any binding method", Proposal{Kind: KindAdmission, Request: req.ID, Class: "member", Method: tally.Consent}, ""},
		{"admission: quorum", Proposal{Kind: KindAdmission, Request: req.ID, Class: "member", Method: tally.Consent, Quorum: &half},
			"the bylaws require an admission proposal to have quorum at least 2/3 (this one: 1/2)"},
		{"admission: still binding only", Proposal{Kind: KindAdmission, Request: req.ID, Class: "member", Method: tally.Advice},
			"needs a method that passes or fails"},
		{"general: no special rule", Proposal{Kind: KindGeneral, Method: tally.Advice}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.Title = tc.name
			prop := w.open(w.ana, p)
			s := Fold(w.coop(), w.recs)
			_, ok := s.ProposalByID(prop.ID)
			got := rejection(s, prop.ID)
			if tc.want == "" && (!ok || got != "") || tc.want != "" && (ok || !strings.Contains(got, tc.want)) {
				t.Fatalf("accepted = %v, rejection %q, want %q", ok, got, tc.want)
			}
		})
	}
}

// TestSpecialValidate: what Bylaws.Validate refuses in special rules, and
// what a bylaws proposal carrying such bylaws is refused for.
func TestSpecialValidate(t *testing.T) {
	third := exact.R(1, 3)
	for _, tc := range []struct {
		name    string
		methods []tally.Method // the bylaws' methods
		special map[string]DecisionRule
		want    string // "" = valid
	}{
		{"none", nil, nil, ""},
		{"empty", nil, map[string]DecisionRule{}, ""},
		{"every kind that changes the co-op", nil, map[string]DecisionRule{
			KindAdmission: {Quorum: half, Threshold: half}, KindRemoval: {Quorum: twoThirds, Threshold: twoThirds},
			KindMemberChange: {Quorum: twoThirds, Threshold: half}, KindBylaws: {Quorum: exact.R(3, 4), Threshold: twoThirds, Methods: []tally.Method{tally.Majority}},
			KindAgreement: {Quorum: half, Threshold: exact.R(1, 1), Methods: []tally.Method{tally.Consent, tally.Consensus}}}, ""},
		{"methods within the bylaws'", []tally.Method{tally.Majority, tally.Advice}, map[string]DecisionRule{
			KindBylaws: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Majority}}}, ""},
		{"general", nil, map[string]DecisionRule{KindGeneral: {Quorum: twoThirds, Threshold: twoThirds}},
			"not for general proposals"},
		{"unknown kind", nil, map[string]DecisionRule{"merger": {Quorum: twoThirds, Threshold: twoThirds}},
			`special rule for "merger": not a kind of proposal (kinds: admission, removal, member-change, bylaws, agreement)`},
		{"zero denominator", nil, map[string]DecisionRule{KindBylaws: {Quorum: exact.R(1, 0), Threshold: twoThirds}},
			"special rule for bylaws proposals: quorum: bad ratio"},
		{"threshold above 1", nil, map[string]DecisionRule{KindRemoval: {Quorum: twoThirds, Threshold: exact.R(3, 2)}},
			"special rule for removal proposals: threshold: bad ratio: 3/2 is not between 0 and 1"},
		{"unset rule", nil, map[string]DecisionRule{KindRemoval: {}}, "special rule for removal proposals: quorum: bad ratio"},
		{"looser quorum", nil, map[string]DecisionRule{KindBylaws: {Quorum: third, Threshold: twoThirds}},
			"the special rule for bylaws proposals has quorum 1/3, looser than the general quorum 1/2: a special rule may only be stricter"},
		{"looser threshold", nil, map[string]DecisionRule{KindMemberChange: {Quorum: twoThirds, Threshold: third}},
			"the special rule for member-change proposals has threshold 1/3, looser than the general threshold 1/2"},
		{"advice", nil, map[string]DecisionRule{KindRemoval: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Advice}}},
			"the special rule for removal proposals lists the advice method: only majority, consent and consensus pass or fail"},
		{"ranked", nil, map[string]DecisionRule{KindBylaws: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Majority, tally.Ranked}}},
			"lists the ranked method"},
		{"unknown method", nil, map[string]DecisionRule{KindBylaws: {Quorum: half, Threshold: half, Methods: []tally.Method{"lottery"}}},
			"lists the lottery method"},
		{"outside the bylaws' methods", []tally.Method{tally.Majority, tally.Consent}, map[string]DecisionRule{
			KindBylaws: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Consensus}}},
			"lists the consensus method, which the bylaws' methods ([majority consent]) do not allow"},
		{"a method twice", nil, map[string]DecisionRule{KindBylaws: {Quorum: half, Threshold: half, Methods: []tally.Method{tally.Majority, tally.Majority}}},
			"lists the majority method twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := withSpecial(tc.special) // refuses general and unknown kinds
			if err == nil {
				b.Methods = tc.methods
				err = b.Validate()
			}
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			}
			if tc.want == "" {
				return
			}
			// A bylaws proposal carrying them is refused. Bylaws cannot hold a
			// rule for general or an unknown kind: such a body is written raw,
			// and is refused as one this version cannot read.
			w := newGovWorld(t)
			b.Methods = tc.methods
			p := Proposal{Title: tc.name, Kind: KindBylaws, Bylaws: &b, Method: tally.Majority, Closes: tClose.Format(record.TimeFormat)}
			s := Fold(w.coop(), w.recs)
			p.Roll = RollOf(s.RollNow(nil))
			var body map[string]any
			j, _ := json.Marshal(p)
			if err := json.Unmarshal(j, &body); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if b.Validate() == nil { // the rule is for general or an unknown kind
				special := map[string]any{}
				for k, r := range tc.special {
					special[k] = r
				}
				body["bylaws"].(map[string]any)["special"] = special
				want = "unknown field"
			}
			prop := w.add(record.New(w.dkey[w.ana], TypeProposal, 2, w.coop(), tOpen, append(s.Frontier(), w.cert[w.ana]), body))
			// Version 1 cannot carry special rules: nodes that read only
			// version 1 would refuse the body as unreadable.
			v1 := w.add(record.New(w.dkey[w.ana], TypeProposal, 1, w.coop(), tOpen.Add(time.Second), append(s.Frontier(), w.cert[w.ana]), body))
			s = Fold(w.coop(), w.recs)
			if got := rejection(s, prop.ID); !strings.Contains(got, want) {
				t.Fatalf("the proposal: %q, want %q", got, want)
			}
			wantV1 := "bylaws with special rules need a version 2 record, this one is version 1"
			if want == "unknown field" {
				wantV1 = want // a body no version reads
			}
			if got := rejection(s, v1.ID); !strings.Contains(got, wantV1) {
				t.Fatalf("the version 1 proposal: %q, want %q", got, wantV1)
			}
		})
	}
}

// TestSpecialOmitted: bylaws without special rules are written exactly as
// before (so genesis records, IDs and digests do not change), and special
// rules round-trip through a record.
func TestSpecialOmitted(t *testing.T) {
	for _, b := range []Bylaws{DefaultBylaws("X"), specialBylaws(map[string]DecisionRule{}), {Special: SpecialRules{}}} {
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(j), "special") {
			t.Fatalf("bylaws without special rules write %s", j)
		}
	}
	b := specialBylaws(map[string]DecisionRule{KindRemoval: {Quorum: twoThirds, Threshold: exact.R(3, 4)}})
	j, _ := json.Marshal(b)
	if !strings.Contains(string(j), `"special":{"removal":{"quorum":{"num":2,"den":3},"threshold":{"num":3,"den":4}}}`) {
		t.Fatalf("special rules written as %s", j)
	}
	// The state digest's canonical writer agrees with canonical JSON, with special rules and without.
	for _, v := range []Bylaws{b, DefaultBylaws("X"), {Special: SpecialRules{}}} {
		if got, want := gotCanon(t, v), wantCanon(t, v); string(got) != string(want) {
			t.Fatalf("digest writes %s, canonical JSON is %s", got, want)
		}
	}
	w := newGovWorld(t)
	prop := w.open(w.ana, Proposal{Title: "Round trip", Kind: KindBylaws, Bylaws: &b, Method: tally.Majority})
	var got Proposal
	if err := prop.DecodeBody(&got); err != nil {
		t.Fatal(err)
	}
	if r := got.Bylaws.Special.For(KindRemoval); r == nil || r.Threshold != exact.R(3, 4) || r.Methods != nil || len(got.Bylaws.Special.Kinds()) != 1 {
		t.Fatalf("decoded %v", got.Bylaws.Special.Kinds())
	}
}

// TestSpecialKeyNeedsVersion2: a version 1 proposal whose bylaws merely name
// "special" (null, empty, in another case) is refused as nodes that read
// only version 1 refuse it, though it decodes to no special rules here;
// version 2 may carry it.
func TestSpecialKeyNeedsVersion2(t *testing.T) {
	for i, special := range []struct {
		key string
		val any
	}{{"special", map[string]any{}}, {"special", map[string]any{"removal": nil}}, {"special", nil}, {"Special", map[string]any{}}, {"ſpecial", map[string]any{}}} {
		w := newGovWorld(t)
		plain := DefaultBylaws("Riverside Data Co-op")
		p := Proposal{Title: "Amend", Kind: KindBylaws, Bylaws: &plain, Method: tally.Majority, Closes: tClose.Format(record.TimeFormat)}
		s := Fold(w.coop(), w.recs)
		p.Roll = RollOf(s.RollNow(nil))
		var body map[string]any
		j, _ := json.Marshal(p)
		if err := json.Unmarshal(j, &body); err != nil {
			t.Fatal(err)
		}
		body["bylaws"].(map[string]any)[special.key] = special.val
		v1 := w.add(record.New(w.dkey[w.ana], TypeProposal, 1, w.coop(), tOpen, append(s.Frontier(), w.cert[w.ana]), body))
		v2 := w.add(record.New(w.dkey[w.ana], TypeProposal, 2, w.coop(), tOpen.Add(time.Second), append(s.Frontier(), w.cert[w.ana]), body))
		s = Fold(w.coop(), w.recs)
		if got, want := rejection(s, v1.ID), "need a version 2 record, this one is version 1"; !strings.Contains(got, want) {
			t.Errorf("case %d (%s: %v): version 1: %q, want %q", i, special.key, special.val, got, want)
		}
		if got := rejection(s, v2.ID); got != "" {
			t.Errorf("case %d (%s: %v): version 2 refused: %q", i, special.key, special.val, got)
		}
	}
}
