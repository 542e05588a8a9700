package tally

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/exact"
)

func TestValidate(t *testing.T) {
	abc := []string{"A", "B", "C"}
	ok := func(m Method) Rules {
		return Rules{Method: m, Options: abc, Eligible: 10, Quorum: half, Threshold: half, Seats: 1, Dots: 3, MaxScore: 5}
	}
	with := func(m Method, f func(*Rules)) Rules {
		r := ok(m)
		if f != nil {
			f(&r)
		}
		return r
	}
	for _, m := range Methods {
		if err := ok(m).Validate(); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, tc := range []struct {
		name  string
		rules Rules
		want  string // in the error; "" = valid
	}{
		{"unknown method", with("plurality", nil), `unknown method "plurality"`},
		{"empty method", with("", nil), `unknown method ""`},
		{"negative eligible", with(Majority, func(r *Rules) { r.Eligible = -1 }), "eligible -1"},
		{"eligible 0 is fine", with(Majority, func(r *Rules) { r.Eligible = 0 }), ""},
		{"too many eligible", with(Majority, func(r *Rules) { r.Eligible = maxEligible + 1 }), "eligible"},
		{"zero ratio quorum", with(Majority, func(r *Rules) { r.Quorum = exact.Ratio{} }), "quorum: bad ratio"},
		{"quorum 0/1 is fine", with(Majority, func(r *Rules) { r.Quorum = exact.R(0, 1) }), ""},
		{"quorum 1/1 is fine", with(Majority, func(r *Rules) { r.Quorum = exact.R(1, 1) }), ""},
		{"quorum above 1", with(Majority, func(r *Rules) { r.Quorum = exact.R(3, 2) }), "quorum: bad ratio: 3/2 is not between 0 and 1"},
		{"negative threshold", with(Majority, func(r *Rules) { r.Threshold = exact.R(-1, 2) }), "threshold: bad ratio"},
		{"threshold checked for every method", with(Consent, func(r *Rules) { r.Threshold = exact.Ratio{} }), "threshold"},
		{"one option", with(SingleChoice, func(r *Rules) { r.Options = []string{"A"} }), "single-choice: 1 options; list from 2 to 64"},
		{"no options", with(Approval, func(r *Rules) { r.Options = nil }), "approval: 0 options"},
		{"65 options", with(Approval, func(r *Rules) { r.Options = names(65) }), "65 options"},
		{"64 options is fine", with(Approval, func(r *Rules) { r.Options = names(64) }), ""},
		{"blank option", with(Score, func(r *Rules) { r.Options = []string{"A", " \t\u3000"} }), "option 1 has no name"},
		{"duplicate option", with(Dot, func(r *Rules) { r.Options = []string{"A", "B", " A"} }), `options 0 and 2 are both "A"`},
		{"options ignored for positions", with(Majority, func(r *Rules) { r.Options = nil }), ""},
		{"seats 0", with(Ranked, func(r *Rules) { r.Seats = 0 }), "ranked: 0 seats with 3 options; seats must be from 1 to 2"},
		{"seats = options", with(Ranked, func(r *Rules) { r.Seats = 3 }), "3 seats with 3 options"},
		{"seats 2 of 3", with(Ranked, func(r *Rules) { r.Seats = 2 }), ""},
		{"seats ignored elsewhere", with(SingleChoice, func(r *Rules) { r.Seats = -4 }), ""},
		{"dots 0", with(Dot, func(r *Rules) { r.Dots = 0 }), "dot: 0 dots per ballot; give from 1 to 1000"},
		{"dots 1001", with(Dot, func(r *Rules) { r.Dots = 1001 }), "1001 dots"},
		{"max score 0", with(Score, func(r *Rules) { r.MaxScore = 0 }), "score: highest score 0; give from 1 to 100"},
		{"max score 101", with(Score, func(r *Rules) { r.MaxScore = 101 }), "highest score 101"},
		{"max score 100", with(Score, func(r *Rules) { r.MaxScore = 100 }), ""},
	} {
		err := tc.rules.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want ErrInvalid with %q", tc.name, err, tc.want)
		}
	}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('A'+i%26)) + strings.Repeat("'", i/26)
	}
	return out
}

func TestCheckBallot(t *testing.T) {
	abc := []string{"A", "B", "C"}
	rules := func(m Method) Rules {
		return Rules{Method: m, Options: abc, Eligible: 10, Quorum: half, Threshold: half, Seats: 1, Dots: 3, MaxScore: 5}
	}
	for _, tc := range []struct {
		m    Method
		b    Ballot
		want string // in the error; "" = valid
	}{
		{Advice, Ballot{Position: Agree}, ""},
		{Advice, Ballot{Position: Abstain}, ""},
		{Advice, Ballot{Position: Yes}, `advice: position "yes"; choose one of agree, abstain`},
		{Advice, Ballot{}, `position ""`},
		{Advice, Ballot{Position: Agree, Choices: []int{0}}, "takes a position (agree, abstain), not choices or points"},
		{Consent, Ballot{Position: ConsentP}, ""},
		{Consent, Ballot{Position: Object}, "consent: an objection needs a reason"},
		{Consent, Ballot{Position: Object, Reason: " \n "}, "an objection needs a reason"},
		{Consent, Ballot{Position: Object, Reason: "costs too much"}, ""},
		{Consent, Ballot{Position: Agree}, `consent: position "agree"; choose one of consent, abstain, object`},
		{Consensus, Ballot{Position: Block}, "consensus: a block needs a reason"},
		{Consensus, Ballot{Position: Block, Reason: "breaks our values"}, ""},
		{Consensus, Ballot{Position: Disagree}, ""},
		{Consensus, Ballot{Position: Object, Reason: "x"}, `position "object"`},
		{Majority, Ballot{Position: Yes}, ""},
		{Majority, Ballot{Position: No, Points: []int{1}}, "not choices or points"},
		{Majority, Ballot{Position: Agree}, `majority: position "agree"; choose one of yes, no, abstain`},
		{SingleChoice, Ballot{Choices: []int{2}}, ""},
		{SingleChoice, Ballot{Choices: []int{}}, "single-choice: 0 choices; choose exactly one option, or abstain"},
		{SingleChoice, Ballot{Choices: []int{0, 1}}, "2 choices"},
		{SingleChoice, Ballot{Choices: []int{3}}, "single-choice: option 3 does not exist; options are numbered 0 to 2"},
		{SingleChoice, Ballot{Choices: []int{-1}}, "option -1 does not exist"},
		{SingleChoice, Ballot{Choices: []int{0}, Points: []int{1, 0, 0}}, "takes choices, not points"},
		{SingleChoice, Ballot{Position: Abstain}, ""},
		{SingleChoice, Ballot{Position: Abstain, Choices: []int{0}}, "an abstention carries no choices or points"},
		{SingleChoice, Ballot{Position: Yes}, `single-choice: position "yes"; a single-choice ballot takes no position, except "abstain" to abstain`},
		{Approval, Ballot{}, ""},
		{Approval, Ballot{Choices: []int{2, 0}}, ""},
		{Approval, Ballot{Choices: []int{0, 1, 2}}, ""},
		{Approval, Ballot{Choices: []int{1, 1}}, "approval: option 1 chosen twice"},
		{Approval, Ballot{Choices: []int{0, 1, 2, 0}}, "4 choices but only 3 options"},
		{Ranked, Ballot{Choices: []int{2, 0}}, ""},
		{Ranked, Ballot{}, "ranked: no option ranked; rank at least one option, or abstain"},
		{Ranked, Ballot{Choices: []int{0, 2, 0}}, "option 0 chosen twice"},
		{Ranked, Ballot{Position: Abstain}, ""},
		{Score, Ballot{Points: []int{5, 0, 3}}, ""},
		{Score, Ballot{Points: []int{0, 0, 0}}, ""},
		{Score, Ballot{Points: []int{5, 0}}, "score: 2 entries for 3 options; give one entry per option, 0 for none"},
		{Score, Ballot{Points: []int{6, 0, 0}}, "score: option 0 has score 6; give from 0 to 5"},
		{Score, Ballot{Points: []int{0, -1, 0}}, "option 1 has score -1"},
		{Score, Ballot{Choices: []int{0}}, "takes points, not choices"},
		{Score, Ballot{}, "0 entries for 3 options"},
		{Dot, Ballot{Points: []int{1, 1, 1}}, ""},
		{Dot, Ballot{Points: []int{0, 1, 0}}, ""},
		{Dot, Ballot{Points: []int{0, 0, 0}}, "dot: no dots placed; place from 1 to 3 dots, or abstain"},
		{Dot, Ballot{Points: []int{2, 2, 0}}, "dot: 4 dots placed, more than the 3 each ballot has"},
		{Dot, Ballot{Points: []int{4, 0, 0}}, "option 0 has dots 4"},
		{Dot, Ballot{Position: Abstain}, ""},
	} {
		err := rules(tc.m).CheckBallot(tc.b)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %+v: %v", tc.m, tc.b, err)
		case tc.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %+v: error %v, want ErrInvalid with %q", tc.m, tc.b, err, tc.want)
		}
	}
	bad := Rules{Method: Majority, Eligible: 1}
	if err := bad.CheckBallot(Ballot{Position: Yes}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "quorum") {
		t.Errorf("CheckBallot with invalid rules: %v", err)
	}
}

func TestCountRefuses(t *testing.T) {
	r := Rules{Method: Consent, Eligible: 5, Quorum: half, Threshold: half}
	_, err := Count(r, concat(pos(ConsentP, 2), []Ballot{{Position: Object}}))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "tally: ballot 2: invalid ballot: consent: an objection needs a reason") {
		t.Errorf("objection without reason: %v", err)
	}
	_, err = Count(r, pos(ConsentP, 6))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "6 ballots but only 5 members eligible") {
		t.Errorf("more ballots than eligible: %v", err)
	}
	r.Eligible = 0
	if _, err = Count(r, pos(ConsentP, 1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("a ballot with nobody eligible: %v", err)
	}
	r.Quorum = exact.Ratio{}
	if _, err = Count(r, nil); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "tally: invalid rules: quorum") {
		t.Errorf("invalid rules: %v", err)
	}
}

// countCase is one hand-computed count.
type countCase struct {
	name      string
	rules     Rules
	ballots   []Ballot
	outcome   string
	positions []int // counts in the method's position order
	totals    []int
	winners   []int
	part      exact.Ratio
	support   *exact.Ratio
	why       string // exact, when given
}

func (tc countCase) check(t *testing.T) {
	t.Helper()
	res := mustCount(t, tc.rules, tc.ballots)
	var counts []int
	for _, pc := range res.Positions {
		counts = append(counts, pc.Count)
	}
	if res.Outcome != tc.outcome || !slices.Equal(counts, tc.positions) || !slices.Equal(res.Totals, tc.totals) ||
		!slices.Equal(res.Winners, tc.winners) || res.Participation != tc.part ||
		jsonOf(t, res.Support) != jsonOf(t, tc.support) || res.Cast != len(tc.ballots) || res.Eligible != tc.rules.Eligible {
		t.Errorf("%s:\n got %s\nwant outcome %s positions %v totals %v winners %v participation %v support %v",
			tc.name, jsonOf(t, res), tc.outcome, tc.positions, tc.totals, tc.winners, tc.part, jsonOf(t, tc.support))
	}
	if tc.why != "" && res.Why != tc.why {
		t.Errorf("%s: why\n got %s\nwant %s", tc.name, res.Why, tc.why)
	}
	if res.Why == "" || !strings.HasSuffix(res.Why, ".") {
		t.Errorf("%s: why %q is not a sentence", tc.name, res.Why)
	}
}

func TestPositionMethods(t *testing.T) {
	rules := func(m Method, eligible int, quorum exact.Ratio) Rules {
		return Rules{Method: m, Eligible: eligible, Quorum: quorum, Threshold: half}
	}
	majority := rules(Majority, 15, half)
	for _, tc := range []countCase{
		// Advice never binds and checks no quorum.
		{name: "advice", rules: rules(Advice, 10, half), ballots: concat(pos(Agree, 5), pos(Abstain, 2)),
			outcome: OutcomeAdvisory, positions: []int{5, 2}, part: exact.R(7, 10),
			why: "Advisory: 5 agree, 2 abstain; advice informs the decision and never binds; 7 of 10 members took part (70%)."},
		{name: "advice below quorum", rules: rules(Advice, 10, half), ballots: pos(Agree, 1),
			outcome: OutcomeAdvisory, positions: []int{1, 0}, part: exact.R(1, 10)},
		{name: "advice, nobody eligible", rules: rules(Advice, 0, half),
			outcome: OutcomeAdvisory, positions: []int{0, 0}, part: exact.R(0, 1),
			why: "Advisory: 0 agree, 0 abstain; advice informs the decision and never binds; 0 of 0 members took part (0%)."},

		{name: "consent passes", rules: rules(Consent, 10, half), ballots: concat(pos(ConsentP, 5), pos(Abstain, 2)),
			outcome: OutcomePassed, positions: []int{5, 2, 0}, part: exact.R(7, 10),
			why: "Passed: no objection stands (5 consent, 2 abstain, 0 object); 7 of 10 members took part (70%), quorum 50%."},
		{name: "consent, one objection", rules: rules(Consent, 10, half), ballots: concat(pos(ConsentP, 8), pos(Object, 1)),
			outcome: OutcomeFailed, positions: []int{8, 0, 1}, part: exact.R(9, 10),
			why: "Failed: 1 objection stands (8 consent, 0 abstain, 1 object); 9 of 10 members took part (90%), quorum 50%."},
		{name: "consent, two objections", rules: rules(Consent, 10, half), ballots: concat(pos(ConsentP, 3), pos(Object, 2)),
			outcome: OutcomeFailed, positions: []int{3, 0, 2}, part: exact.R(1, 2),
			why: "Failed: 2 objections stand (3 consent, 0 abstain, 2 object); 5 of 10 members took part (50%), quorum 50%."},
		{name: "consent, quorum is checked before objections", rules: rules(Consent, 10, half), ballots: concat(pos(ConsentP, 3), pos(Object, 1)),
			outcome: OutcomeNoQuorum, positions: []int{3, 0, 1}, part: exact.R(2, 5),
			why: "No quorum: 4 of 10 members took part (40%), fewer than the quorum of 50%."},
		{name: "consent, all abstain: no objection", rules: rules(Consent, 4, half), ballots: pos(Abstain, 2),
			outcome: OutcomePassed, positions: []int{0, 2, 0}, part: exact.R(1, 2)},
		{name: "consent, no ballots, quorum 0", rules: rules(Consent, 4, exact.R(0, 1)),
			outcome: OutcomePassed, positions: []int{0, 0, 0}, part: exact.R(0, 1)},

		{name: "consensus blocked", rules: rules(Consensus, 8, half), ballots: concat(pos(Agree, 4), pos(Disagree, 1), pos(Block, 1)),
			outcome: OutcomeFailed, positions: []int{4, 0, 1, 1}, part: exact.R(3, 4),
			why: "Failed: 1 member blocked (4 agree, 0 abstain, 1 disagree, 1 block); 6 of 8 members took part (75%), quorum 50%."},
		{name: "consensus, two blocks", rules: rules(Consensus, 8, half), ballots: concat(pos(Agree, 6), pos(Block, 2)),
			outcome: OutcomeFailed, positions: []int{6, 0, 0, 2}, part: exact.R(1, 1)},
		{name: "consensus passes", rules: rules(Consensus, 8, half), ballots: concat(pos(Agree, 3), pos(Abstain, 1), pos(Disagree, 2)),
			outcome: OutcomePassed, positions: []int{3, 1, 2, 0}, part: exact.R(3, 4),
			why: "Passed: 3 agree, more than the 2 who disagree, and no one blocked (3 agree, 1 abstain, 2 disagree, 0 block); 6 of 8 members took part (75%), quorum 50%."},
		{name: "consensus, agree = disagree fails", rules: rules(Consensus, 8, half), ballots: concat(pos(Agree, 2), pos(Disagree, 2)),
			outcome: OutcomeFailed, positions: []int{2, 0, 2, 0}, part: exact.R(1, 2),
			why: "Failed: 2 agree, not more than the 2 who disagree (2 agree, 0 abstain, 2 disagree, 0 block); 4 of 8 members took part (50%), quorum 50%."},
		{name: "consensus, all abstain fails", rules: rules(Consensus, 8, half), ballots: pos(Abstain, 5),
			outcome: OutcomeFailed, positions: []int{0, 5, 0, 0}, part: exact.R(5, 8)},
		{name: "consensus, no quorum", rules: rules(Consensus, 8, half), ballots: concat(pos(Agree, 2), pos(Block, 1)),
			outcome: OutcomeNoQuorum, positions: []int{2, 0, 0, 1}, part: exact.R(3, 8)},

		{name: "majority passes", rules: majority, ballots: concat(pos(Yes, 7), pos(No, 3), pos(Abstain, 2)),
			outcome: OutcomePassed, positions: []int{7, 3, 2}, part: exact.R(4, 5), support: ratio(7, 10),
			why: "Passed: 7 of 10 yes and no votes are yes (70%), more than the threshold of 50%; 12 of 15 members took part (80%), quorum 50%."},
		{name: "majority, support exactly at the threshold fails", rules: majority, ballots: concat(pos(Yes, 5), pos(No, 5)),
			outcome: OutcomeFailed, positions: []int{5, 5, 0}, part: exact.R(2, 3), support: ratio(1, 2),
			why: "Failed: 5 of 10 yes and no votes are yes (50%), not more than the threshold of 50%; 10 of 15 members took part (66.67%), quorum 50%."},
		{name: "majority, yes+no = 0", rules: majority, ballots: pos(Abstain, 8),
			outcome: OutcomeFailed, positions: []int{0, 0, 8}, part: exact.R(8, 15),
			why: "Failed: no one voted yes or no (8 abstained), so there is no support; 8 of 15 members took part (53.33%), quorum 50%."},
		{name: "majority, quorum exactly at the line", rules: rules(Majority, 10, half), ballots: concat(pos(Yes, 3), pos(No, 2)),
			outcome: OutcomePassed, positions: []int{3, 2, 0}, part: exact.R(1, 2), support: ratio(3, 5)},
		{name: "majority, just below quorum", rules: rules(Majority, 10, half), ballots: concat(pos(Yes, 3), pos(No, 1)),
			outcome: OutcomeNoQuorum, positions: []int{3, 1, 0}, part: exact.R(2, 5), support: ratio(3, 4),
			why: "No quorum: 4 of 10 members took part (40%), fewer than the quorum of 50%."},
		{name: "majority, abstentions count toward quorum", rules: rules(Majority, 10, half), ballots: concat(pos(Yes, 1), pos(Abstain, 4)),
			outcome: OutcomePassed, positions: []int{1, 0, 4}, part: exact.R(1, 2), support: ratio(1, 1)},
		{name: "majority, two-thirds threshold at the line", rules: Rules{Method: Majority, Eligible: 6, Quorum: half, Threshold: exact.R(2, 3)},
			ballots: concat(pos(Yes, 4), pos(No, 2)), outcome: OutcomeFailed, positions: []int{4, 2, 0}, part: exact.R(1, 1), support: ratio(2, 3)},
		{name: "majority, ratios reduced", rules: rules(Majority, 20, half), ballots: concat(pos(Yes, 6), pos(No, 4)),
			outcome: OutcomePassed, positions: []int{6, 4, 0}, part: exact.R(1, 2), support: ratio(3, 5)},
		{name: "majority, nobody eligible, quorum 0", rules: rules(Majority, 0, exact.R(0, 1)),
			outcome: OutcomeFailed, positions: []int{0, 0, 0}, part: exact.R(0, 1),
			why: "Failed: no one voted yes or no (0 abstained), so there is no support; 0 of 0 members took part (0%), quorum 0%."},
		{name: "majority, nobody eligible, quorum 1/2", rules: rules(Majority, 0, half),
			outcome: OutcomeNoQuorum, positions: []int{0, 0, 0}, part: exact.R(0, 1),
			why: "No quorum: 0 of 0 members took part (0%), fewer than the quorum of 50%."},
		{name: "majority, one member", rules: rules(Majority, 1, half), ballots: pos(Yes, 1),
			outcome: OutcomePassed, positions: []int{1, 0, 0}, part: exact.R(1, 1), support: ratio(1, 1),
			why: "Passed: 1 of 1 yes and no votes are yes (100%), more than the threshold of 50%; 1 of 1 member took part (100%), quorum 50%."},
	} {
		tc.check(t)
	}
}

func TestChoiceMethods(t *testing.T) {
	abc := []string{"Apples", "Bread", "Cheese"}
	rules := func(m Method, eligible int, quorum exact.Ratio) Rules {
		return Rules{Method: m, Options: abc, Eligible: eligible, Quorum: quorum, Threshold: half, Seats: 1, Dots: 3, MaxScore: 5}
	}
	one := func(n, c int) []Ballot { return repeat(n, Ballot{Choices: []int{c}}) }
	abstain := func(n int) []Ballot { return repeat(n, Ballot{Position: Abstain}) }
	pts := func(p ...int) []Ballot { return []Ballot{{Points: p}} }
	approve := func(c ...int) []Ballot { return []Ballot{{Choices: c}} }
	zero := exact.R(0, 1)
	for _, tc := range []countCase{
		{name: "single-choice", rules: rules(SingleChoice, 12, half), ballots: concat(one(3, 0), one(5, 1), one(1, 2), abstain(1)),
			outcome: OutcomeElected, totals: []int{3, 5, 1}, winners: []int{1}, part: exact.R(5, 6),
			why: `Elected: "Bread" with 5 votes, the most; 10 of 12 members took part (83.33%), quorum 50%.`},
		{name: "single-choice tie", rules: rules(SingleChoice, 12, half), ballots: concat(one(4, 0), one(4, 2), one(1, 1)),
			outcome: OutcomeTie, totals: []int{4, 1, 4}, winners: []int{0, 2}, part: exact.R(3, 4),
			why: `Tie: "Apples" and "Cheese" have 4 votes each, so nothing is decided; 9 of 12 members took part (75%), quorum 50%.`},
		{name: "single-choice, three-way tie of one vote", rules: rules(SingleChoice, 3, half), ballots: concat(one(1, 0), one(1, 1), one(1, 2)),
			outcome: OutcomeTie, totals: []int{1, 1, 1}, winners: []int{0, 1, 2}, part: exact.R(1, 1),
			why: `Tie: "Apples", "Bread" and "Cheese" have 1 vote each, so nothing is decided; 3 of 3 members took part (100%), quorum 50%.`},
		{name: "single-choice, only abstentions", rules: rules(SingleChoice, 4, half), ballots: abstain(3),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: exact.R(3, 4),
			why: "No votes: no option received any votes; 3 of 4 members took part (75%), quorum 50%."},
		{name: "single-choice, zero ballots, quorum 0", rules: rules(SingleChoice, 4, zero),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: zero},
		{name: "single-choice, zero ballots: quorum first", rules: rules(SingleChoice, 4, half),
			outcome: OutcomeNoQuorum, totals: []int{0, 0, 0}, part: zero},
		{name: "single-choice, quorum exactly at the line", rules: rules(SingleChoice, 4, half), ballots: concat(one(1, 0), abstain(1)),
			outcome: OutcomeElected, totals: []int{1, 0, 0}, winners: []int{0}, part: exact.R(1, 2)},
		{name: "single-choice, below quorum keeps totals", rules: rules(SingleChoice, 5, half), ballots: one(2, 1),
			outcome: OutcomeNoQuorum, totals: []int{0, 2, 0}, part: exact.R(2, 5)},
		{name: "single-choice, nobody eligible", rules: rules(SingleChoice, 0, zero),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: zero},

		{name: "approval; an empty ballot abstains", rules: rules(Approval, 5, half), ballots: concat(approve(0, 1), approve(1), approve(1, 2), approve()),
			outcome: OutcomeElected, totals: []int{1, 3, 1}, winners: []int{1}, part: exact.R(4, 5),
			why: `Elected: "Bread" with 3 approvals, the most; 4 of 5 members took part (80%), quorum 50%.`},
		{name: "approval tie", rules: rules(Approval, 4, half), ballots: concat(approve(0, 1, 2), approve(0, 2)),
			outcome: OutcomeTie, totals: []int{2, 1, 2}, winners: []int{0, 2}, part: exact.R(1, 2),
			why: `Tie: "Apples" and "Cheese" have 2 approvals each, so nothing is decided; 2 of 4 members took part (50%), quorum 50%.`},
		{name: "approval, only empty ballots", rules: rules(Approval, 5, half), ballots: concat(approve(), approve(), abstain(1)),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: exact.R(3, 5),
			why: "No votes: no option received any approvals; 3 of 5 members took part (60%), quorum 50%."},

		{name: "score", rules: rules(Score, 3, half), ballots: concat(pts(5, 0, 3), pts(1, 4, 3), pts(0, 1, 4)),
			outcome: OutcomeElected, totals: []int{6, 5, 10}, winners: []int{2}, part: exact.R(1, 1),
			why: `Elected: "Cheese" with 10 points, the most; 3 of 3 members took part (100%), quorum 50%.`},
		{name: "score tie", rules: rules(Score, 3, half), ballots: concat(pts(5, 0, 3), pts(0, 5, 0)),
			outcome: OutcomeTie, totals: []int{5, 5, 3}, winners: []int{0, 1}, part: exact.R(2, 3)},
		{name: "score, every score 0", rules: rules(Score, 3, half), ballots: concat(pts(0, 0, 0), pts(0, 0, 0)),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: exact.R(2, 3)},

		{name: "dot", rules: rules(Dot, 4, half), ballots: concat(pts(3, 0, 0), pts(0, 2, 1), pts(1, 1, 0), abstain(1)),
			outcome: OutcomeElected, totals: []int{4, 3, 1}, winners: []int{0}, part: exact.R(1, 1),
			why: `Elected: "Apples" with 4 dots, the most; 4 of 4 members took part (100%), quorum 50%.`},
		{name: "dot, one dot", rules: rules(Dot, 4, half), ballots: concat(pts(0, 1, 0), abstain(1)),
			outcome: OutcomeElected, totals: []int{0, 1, 0}, winners: []int{1}, part: exact.R(1, 2),
			why: `Elected: "Bread" with 1 dot, the most; 2 of 4 members took part (50%), quorum 50%.`},

		{name: "ranked, only abstentions", rules: rules(Ranked, 4, half), ballots: abstain(2),
			outcome: OutcomeNoVotes, totals: []int{0, 0, 0}, part: exact.R(1, 2),
			why: "No votes: no option received any first preferences; 2 of 4 members took part (50%), quorum 50%."},
		{name: "ranked, no quorum", rules: rules(Ranked, 4, half), ballots: rank(1, 2, 1),
			outcome: OutcomeNoQuorum, totals: []int{0, 0, 1}, part: exact.R(1, 4)},
	} {
		tc.check(t)
	}
}
