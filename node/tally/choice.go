package tally

import (
	"fmt"
	"strconv"
	"strings"
)

// isAbstention reports whether a valid choice ballot abstains: an explicit
// "abstain", or an approval ballot approving nothing.
func isAbstention(b Ballot) bool {
	return b.Position == Abstain || (len(b.Choices) == 0 && len(b.Points) == 0)
}

// countChoices totals a choice method's ballots and decides.
func countChoices(r Rules, ballots []Ballot, res *Result, t turnout) {
	totals := make([]int, len(r.Options))
	for _, b := range ballots {
		if isAbstention(b) {
			continue
		}
		switch r.Method {
		case Ranked:
			totals[b.Choices[0]]++ // first preferences
		case SingleChoice, Approval:
			for _, c := range b.Choices {
				totals[c]++
			}
		default: // Score, Dot
			for i, p := range b.Points {
				totals[i] += p
			}
		}
	}
	res.Totals = totals
	if t.noQuorum() {
		return
	}
	if !anyPositive(totals) {
		t.decide(OutcomeNoVotes, "No votes", "no option received any "+unit(r.Method, 2))
		return
	}
	if r.Method == Ranked {
		countRanked(r, ballots, res, t)
		return
	}
	decidePlurality(r, totals, res, t)
}

func anyPositive(xs []int) bool {
	for _, x := range xs {
		if x > 0 {
			return true
		}
	}
	return false
}

// decidePlurality elects the option with the highest total, or reports a
// tie among all options sharing it.
func decidePlurality(r Rules, totals []int, res *Result, t turnout) {
	top := 0
	for _, x := range totals {
		top = max(top, x)
	}
	for i, x := range totals {
		if x == top {
			res.Winners = append(res.Winners, i)
		}
	}
	amount := strconv.Itoa(top) + " " + unit(r.Method, top)
	if len(res.Winners) == 1 {
		t.decide(OutcomeElected, "Elected", fmt.Sprintf("%s with %s, the most", quoted(r.Options, res.Winners), amount))
		return
	}
	t.decide(OutcomeTie, "Tie", fmt.Sprintf("%s have %s each, so nothing is decided", quoted(r.Options, res.Winners), amount))
}

// unit names what a choice method's totals count.
func unit(m Method, n int) string {
	one, many := "vote", "votes"
	switch m {
	case Approval:
		one, many = "approval", "approvals"
	case Score:
		one, many = "point", "points"
	case Dot:
		one, many = "dot", "dots"
	case Ranked:
		one, many = "first preference", "first preferences"
	}
	if n == 1 {
		return one
	}
	return many
}

// quoted names options: `"A"`, `"A" and "B"`, `"A", "B" and "C"`. Names go
// in as given, between plain quotes: strconv.Quote would escape by Go's
// Unicode tables, which change between Go releases, and nodes built with
// different Go versions must still write the same Why.
func quoted(options []string, idx []int) string {
	names := make([]string, len(idx))
	for i, o := range idx {
		names[i] = `"` + options[o] + `"`
	}
	return joinAnd(names)
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
