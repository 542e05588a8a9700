package tally

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coopnode/coopnode/node/exact"
)

// countPositions counts a position method's ballots and decides.
func countPositions(r Rules, ballots []Ballot, res *Result, t turnout) {
	m := r.Method
	names := positions[m]
	counts := make([]int, len(names))
	for _, b := range ballots {
		counts[slices.Index(names, b.Position)]++ // checkBallot guarantees a known position
	}
	res.Positions = make([]PositionCount, len(names))
	for i, p := range names {
		res.Positions[i] = PositionCount{Position: p, Count: counts[i]}
	}
	n := func(p string) int { return counts[slices.Index(names, p)] }
	if m == Majority {
		if yn := n(Yes) + n(No); yn > 0 {
			s := reduced(n(Yes), yn)
			res.Support = &s
		}
	}
	if m != Advice && t.noQuorum() {
		return
	}
	switch m {
	case Advice:
		t.decide(OutcomeAdvisory, "Advisory", fmt.Sprintf("%s; advice informs the decision and never binds", summary(res.Positions)))
	case Consent:
		decideConsent(n(Object), res, t)
	case Consensus:
		decideConsensus(n(Agree), n(Disagree), n(Block), res, t)
	case Majority:
		decideMajority(n(Yes), n(No), n(Abstain), r.Threshold, res, t)
	}
}

// decideConsent: passes unless an objection stands.
func decideConsent(objections int, res *Result, t turnout) {
	if objections > 0 {
		verb := "stands"
		if objections > 1 {
			verb = "stand"
		}
		t.decide(OutcomeFailed, "Failed", fmt.Sprintf("%s %s (%s)", plural(objections, "objection", "objections"), verb, summary(res.Positions)))
		return
	}
	t.decide(OutcomePassed, "Passed", fmt.Sprintf("no objection stands (%s)", summary(res.Positions)))
}

// decideConsensus: any block fails; otherwise agree must outnumber disagree.
func decideConsensus(agree, disagree, blocks int, res *Result, t turnout) {
	switch {
	case blocks > 0:
		t.decide(OutcomeFailed, "Failed", fmt.Sprintf("%s blocked (%s)", plural(blocks, "member", "members"), summary(res.Positions)))
	case agree > disagree:
		t.decide(OutcomePassed, "Passed", fmt.Sprintf("%d agree, more than the %d who disagree, and no one blocked (%s)", agree, disagree, summary(res.Positions)))
	default:
		t.decide(OutcomeFailed, "Failed", fmt.Sprintf("%d agree, not more than the %d who disagree (%s)", agree, disagree, summary(res.Positions)))
	}
}

// decideMajority: support yes/(yes+no) must be strictly above the threshold.
func decideMajority(yes, no, abstain int, thr exact.Ratio, res *Result, t turnout) {
	if res.Support == nil {
		t.decide(OutcomeFailed, "Failed", fmt.Sprintf("no one voted yes or no (%d abstained), so there is no support", abstain))
		return
	}
	s := *res.Support
	support := fmt.Sprintf("%d of %d yes and no votes are yes (%s)", yes, yes+no, s.Percent())
	if s.Cmp(thr) > 0 {
		t.decide(OutcomePassed, "Passed", support+", more than the threshold of "+thr.Percent())
		return
	}
	t.decide(OutcomeFailed, "Failed", support+", not more than the threshold of "+thr.Percent())
}

// summary is "5 consent, 0 abstain, 1 object".
func summary(pcs []PositionCount) string {
	parts := make([]string, len(pcs))
	for i, pc := range pcs {
		parts[i] = fmt.Sprintf("%d %s", pc.Count, pc.Position)
	}
	return strings.Join(parts, ", ")
}
