package tally

import (
	"fmt"
	"slices"
	"strings"
)

// Limits on rules. They keep every count, product and sum well inside int64
// and inside the integers JSON carries exactly (2^53), whatever the input.
const (
	maxOptions  = 64
	maxScoreCap = 100
	maxDots     = 1000
	maxEligible = 1_000_000_000
)

// positions lists each position method's positions, in the order Result
// reports them. A method missing here is a choice method or unknown.
var positions = map[Method][]string{
	Advice:    {Agree, Abstain},
	Consent:   {ConsentP, Abstain, Object},
	Consensus: {Agree, Abstain, Disagree, Block},
	Majority:  {Yes, No, Abstain},
}

// choiceMethods are the methods whose ballots choose among Options.
var choiceMethods = []Method{SingleChoice, Approval, Score, Dot, Ranked}

func isChoice(m Method) bool { return slices.Contains(choiceMethods, m) }

// invalidf returns an error wrapping ErrInvalid: "invalid rules: ..." or
// "invalid ballot: ..." followed by what is wrong and what to do.
func invalidf(what, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrInvalid, what, fmt.Sprintf(format, args...))
}

// Validate checks the rules are well formed for their method: a known
// method; Eligible from 0 to 1,000,000,000; Quorum and Threshold proportions
// from 0/1 to 1/1 (the bylaws always carry both, so both are checked for
// every method; a zero Ratio{} is refused, pass 0/1 for "none"); for choice
// methods 2 to 64 options, each named and distinct (ignoring surrounding
// spaces, which members cannot see); ranked: Seats from 1 to one fewer than
// the options (electing every option decides nothing); dot: Dots from 1 to
// 1000; score: MaxScore from 1 to 100. Fields a method does not use are
// ignored. Errors wrap ErrInvalid.
func (r Rules) Validate() error {
	if _, ok := positions[r.Method]; !ok && !isChoice(r.Method) {
		return invalidf("rules", "unknown method %q; use one of %s", r.Method, methodNames())
	}
	if r.Eligible < 0 || r.Eligible > maxEligible {
		return invalidf("rules", "eligible %d; give the number of members on the roll at opening, 0 to %d", r.Eligible, maxEligible)
	}
	if err := r.Quorum.ValidateProportion(); err != nil {
		return fmt.Errorf("%w rules: quorum: %w; give a fraction from 0/1 to 1/1, as in the bylaws", ErrInvalid, err)
	}
	if err := r.Threshold.ValidateProportion(); err != nil {
		return fmt.Errorf("%w rules: threshold: %w; give a fraction from 0/1 to 1/1, as in the bylaws", ErrInvalid, err)
	}
	if !isChoice(r.Method) {
		return nil
	}
	if err := r.validateOptions(); err != nil {
		return err
	}
	switch r.Method {
	case Ranked:
		if r.Seats < 1 || r.Seats >= len(r.Options) {
			return invalidf("rules", "ranked: %d seats with %d options; seats must be from 1 to %d, fewer than the options, or the count decides nothing", r.Seats, len(r.Options), len(r.Options)-1)
		}
	case Dot:
		if r.Dots < 1 || r.Dots > maxDots {
			return invalidf("rules", "dot: %d dots per ballot; give from 1 to %d", r.Dots, maxDots)
		}
	case Score:
		if r.MaxScore < 1 || r.MaxScore > maxScoreCap {
			return invalidf("rules", "score: highest score %d; give from 1 to %d (the co-op's default is 5)", r.MaxScore, maxScoreCap)
		}
	}
	return nil
}

func (r Rules) validateOptions() error {
	if len(r.Options) < 2 || len(r.Options) > maxOptions {
		return invalidf("rules", "%s: %d options; list from 2 to %d options for members to choose between", r.Method, len(r.Options), maxOptions)
	}
	first := make(map[string]int, len(r.Options)) // name -> index; lookups only
	for i, o := range r.Options {
		name := trimSpace(o)
		if name == "" {
			return invalidf("rules", "%s: option %d has no name; name every option", r.Method, i)
		}
		if j, dup := first[name]; dup {
			return invalidf("rules", "%s: options %d and %d are both %q; give each option a distinct name", r.Method, j, i, name)
		}
		first[name] = i
	}
	return nil
}

func methodNames() string {
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// CheckBallot checks one ballot's shape against the rules (which it
// validates first). Position methods: a position from the method's set and
// no Choices or Points; an objection or a block needs a non-blank Reason.
// Choice methods: either an abstention (Position "abstain" and nothing
// else) or, with no Position:
//   - single-choice: exactly one option index;
//   - approval: distinct option indices, possibly none (an abstention);
//   - ranked: at least one option index, distinct, most preferred first;
//   - score: one entry per option, each 0 to MaxScore;
//   - dot: one entry per option, each 0 or more, adding up to 1 to Dots.
//
// Errors wrap ErrInvalid.
func (r Rules) CheckBallot(b Ballot) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return r.checkBallot(b)
}

// checkBallot is CheckBallot for rules already validated.
func (r Rules) checkBallot(b Ballot) error {
	if names, ok := positions[r.Method]; ok {
		return checkPosition(r.Method, names, b)
	}
	if b.Position != "" {
		if b.Position != Abstain {
			return invalidf("ballot", "%s: position %q; a %s ballot takes no position, except %q to abstain", r.Method, b.Position, r.Method, Abstain)
		}
		if len(b.Choices) > 0 || len(b.Points) > 0 {
			return invalidf("ballot", "%s: an abstention carries no choices or points; drop them, or drop the position to vote", r.Method)
		}
		return nil
	}
	switch r.Method {
	case SingleChoice, Approval, Ranked:
		return r.checkChoices(b)
	default: // Score, Dot
		return r.checkPoints(b)
	}
}

func checkPosition(m Method, names []string, b Ballot) error {
	if len(b.Choices) > 0 || len(b.Points) > 0 {
		return invalidf("ballot", "%s: takes a position (%s), not choices or points", m, strings.Join(names, ", "))
	}
	if !slices.Contains(names, b.Position) {
		return invalidf("ballot", "%s: position %q; choose one of %s", m, b.Position, strings.Join(names, ", "))
	}
	if trimSpace(b.Reason) == "" {
		switch b.Position {
		case Object:
			return invalidf("ballot", "%s: an objection needs a reason; say what in the proposal you object to", m)
		case Block:
			return invalidf("ballot", "%s: a block needs a reason; say why the proposal must not go ahead", m)
		}
	}
	return nil
}

func (r Rules) checkChoices(b Ballot) error {
	if len(b.Points) > 0 {
		return invalidf("ballot", "%s: takes choices, not points", r.Method)
	}
	switch {
	case r.Method == SingleChoice && len(b.Choices) != 1:
		return invalidf("ballot", "single-choice: %d choices; choose exactly one option, or abstain", len(b.Choices))
	case r.Method == Ranked && len(b.Choices) == 0:
		return invalidf("ballot", "ranked: no option ranked; rank at least one option, or abstain")
	case len(b.Choices) > len(r.Options):
		return invalidf("ballot", "%s: %d choices but only %d options; choose each option at most once", r.Method, len(b.Choices), len(r.Options))
	}
	var seen [maxOptions]bool
	for _, c := range b.Choices {
		if c < 0 || c >= len(r.Options) {
			return invalidf("ballot", "%s: option %d does not exist; options are numbered 0 to %d", r.Method, c, len(r.Options)-1)
		}
		if seen[c] {
			return invalidf("ballot", "%s: option %d chosen twice; choose each option at most once", r.Method, c)
		}
		seen[c] = true
	}
	return nil
}

func (r Rules) checkPoints(b Ballot) error {
	if len(b.Choices) > 0 {
		return invalidf("ballot", "%s: takes points, not choices", r.Method)
	}
	if len(b.Points) != len(r.Options) {
		return invalidf("ballot", "%s: %d entries for %d options; give one entry per option, 0 for none", r.Method, len(b.Points), len(r.Options))
	}
	limit, unit := r.MaxScore, "score"
	if r.Method == Dot {
		limit, unit = r.Dots, "dots"
	}
	sum := 0
	for i, p := range b.Points {
		if p < 0 || p > limit {
			return invalidf("ballot", "%s: option %d has %s %d; give from 0 to %d", r.Method, i, unit, p, limit)
		}
		sum += p // at most 64 × 1000: no overflow
	}
	if r.Method == Dot && sum == 0 {
		return invalidf("ballot", "dot: no dots placed; place from 1 to %d dots, or abstain", r.Dots)
	}
	if r.Method == Dot && sum > r.Dots {
		return invalidf("ballot", "dot: %d dots placed, more than the %d each ballot has; place at most %d", sum, r.Dots, r.Dots)
	}
	return nil
}

// space is Unicode's White_Space property, written out so that what counts
// as blank cannot change with the Go release's Unicode tables: a node built
// with another Go version must accept and refuse exactly the same input.
const space = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

// trimSpace drops leading and trailing White_Space.
func trimSpace(s string) string { return strings.Trim(s, space) }
