package tally

import (
	"fmt"

	"github.com/coopnode/coopnode/node/exact"
)

// Count validates the rules and every ballot, then counts the ballots by the
// rules' method. Any invalid input is an error wrapping ErrInvalid, naming
// the ballot by its index in ballots (from 0); more ballots than Eligible
// members is an error too, since participation above 100% means the caller
// counted ballots from outside the roll. The Result depends only on the
// rules and the multiset of ballots, never on their order.
func Count(r Rules, ballots []Ballot) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, fmt.Errorf("tally: %w", err)
	}
	for i, b := range ballots {
		if err := r.checkBallot(b); err != nil {
			return Result{}, fmt.Errorf("tally: ballot %d: %w", i, err)
		}
	}
	if len(ballots) > r.Eligible {
		return Result{}, fmt.Errorf("tally: %w: %d ballots but only %d members eligible; count only ballots from members on the roll at opening", ErrInvalid, len(ballots), r.Eligible)
	}
	res := Result{
		Method:        r.Method,
		Eligible:      r.Eligible,
		Cast:          len(ballots),
		Participation: participation(len(ballots), r.Eligible),
	}
	t := turnout{res: &res, quorum: r.Quorum, advice: r.Method == Advice}
	if isChoice(r.Method) {
		countChoices(r, ballots, &res, t)
	} else {
		countPositions(r, ballots, &res, t)
	}
	return res, nil
}

// participation is cast/eligible in lowest terms, 0/1 when nobody is eligible.
func participation(cast, eligible int) exact.Ratio {
	if eligible == 0 {
		return exact.R(0, 1)
	}
	return reduced(cast, eligible)
}

// reduced returns num/den in lowest terms, so that equal fractions have
// equal JSON. den must be positive.
func reduced(num, den int) exact.Ratio {
	a, b := num, den
	for b != 0 {
		a, b = b, a%b
	}
	return exact.R(int64(num/a), int64(den/a))
}

// turnout is the quorum check and the clause about it that ends every Why.
type turnout struct {
	res    *Result
	quorum exact.Ratio
	advice bool // advice checks no quorum
}

// met reports whether participation reaches the quorum (at the line meets it).
func (t turnout) met() bool {
	return t.advice || t.res.Participation.Cmp(t.quorum) >= 0
}

// clause is "12 of 15 members took part (80%), quorum 50%".
func (t turnout) clause() string {
	s := fmt.Sprintf("%d of %s took part (%s)", t.res.Cast, plural(t.res.Eligible, "member", "members"), t.res.Participation.Percent())
	if t.advice {
		return s
	}
	return s + ", quorum " + t.quorum.Percent()
}

// noQuorum sets the no-quorum outcome and reports whether it did.
func (t turnout) noQuorum() bool {
	if t.met() {
		return false
	}
	t.res.Outcome = OutcomeNoQuorum
	t.res.Why = fmt.Sprintf("No quorum: %d of %s took part (%s), fewer than the quorum of %s.",
		t.res.Cast, plural(t.res.Eligible, "member", "members"), t.res.Participation.Percent(), t.quorum.Percent())
	return true
}

// decide sets the outcome and a Why of the form "Passed: reason; turnout.".
func (t turnout) decide(outcome, label, reason string) {
	t.res.Outcome = outcome
	t.res.Why = label + ": " + reason + "; " + t.clause() + "."
}

// plural is "1 member" or "3 members".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
