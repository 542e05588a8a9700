// Package tally counts ballots by the co-op's decision methods, in exact
// arithmetic only. It is pure: the same rules and ballots give the same
// Result, bit for bit, on every machine and in any ballot order. The
// governance fold recomputes a close record's Result with it and refuses a
// close whose Result differs.
//
// Each method's exact rule is in the doc comment of its Method constant;
// RULES.md states the same rules in plain language for members.
//
// Nothing here uses floating point, iterates a map into output, or depends on
// the order of the ballots: counts are integers, proportions are
// exact.Ratio reduced to lowest terms (so one fraction always has one
// form), and the fractional ballot values of a ranked count are math/big
// rationals written "n/d".
//
// The sentences in Result.Why and Round.Note are part of the Result that
// nodes compare, so their wording is part of the rules: a change to it, like
// a change to a count, needs every node to run the new version.
// testdata/results.golden pins both.
package tally

import (
	"errors"

	"github.com/coopnode/coopnode/node/exact"
)

// Method is a decision method.
type Method string

// Decision methods. The rule each one counts by is stated here and in the README.
//
// Every method but advice first checks quorum: participation, Cast/Eligible
// (abstentions included), must be at least Rules.Quorum, or the outcome is
// OutcomeNoQuorum. Participation exactly at the quorum meets it.
const (
	// Advice: positions agree or abstain. It informs and never binds:
	// Result.Outcome is OutcomeAdvisory whatever the counts, and quorum is
	// not checked (participation is still reported).
	Advice Method = "advice"
	// Consent: positions consent, abstain or object; an objection needs a
	// reason (CheckBallot refuses one without). Passes when quorum is met and
	// no objection stands at close; otherwise fails. Abstentions neither
	// help nor hinder: a quorate vote with no objection passes.
	Consent Method = "consent"
	// Consensus: positions agree, abstain, disagree or block; a block needs a
	// reason, as an objection does. Any block fails it. Otherwise it passes
	// when quorum is met and agree > disagree (strictly; so no agree at all
	// fails).
	Consensus Method = "consensus"
	// Majority: positions yes, no or abstain. Passes when participation
	// (yes+no+abstain)/eligible >= Quorum and support yes/(yes+no) >
	// Threshold (strictly, so support exactly at the threshold fails);
	// yes+no = 0 fails, with no support.
	Majority Method = "majority"
	// SingleChoice: one option per ballot; most votes wins; a tie for first
	// is OutcomeTie with every tied option in Winners.
	SingleChoice Method = "single-choice"
	// Approval: any set of options per ballot; most approvals wins; ties as
	// SingleChoice. A ballot approving no option is an abstention: it counts
	// toward participation and adds nothing to any option.
	Approval Method = "approval"
	// Score: every option scored 0..MaxScore; highest sum wins (the mean is
	// sum/ballots, so the order is the same); ties as SingleChoice.
	Score Method = "score"
	// Dot: each ballot spreads at least 1 and at most Dots dots over the
	// options; most dots wins; ties as SingleChoice.
	Dot Method = "dot"
	// Ranked: options in order of preference (a partial ranking is allowed;
	// at least one option). Seats == 1: instant-runoff. Seats > 1: single
	// transferable vote with the Droop quota and fractional (Gregory)
	// surplus transfer. Totals are first preferences.
	//
	// Instant-runoff (Seats == 1). Each round every ballot counts for its
	// highest-ranked continuing option; a ballot with none left is
	// exhausted. An option with more than half of the continuing
	// (non-exhausted) votes wins. Otherwise the option with the fewest votes
	// is eliminated and the next round begins. The count ends when an
	// option has a majority, which at the latest is when it is the only one
	// left. So a final two-way tie is settled by the elimination tie-break
	// below, not reported as OutcomeTie: the tie-break is part of the rule.
	//
	// Single transferable vote (Seats > 1). The quota is the Droop quota,
	// floor(valid/(Seats+1)) + 1, where valid is the number of ballots
	// ranking at least one option; no more than Seats options can reach
	// it. Each ballot starts at value 1 with its first preference. Each
	// round does one thing, in this order of precedence:
	//   - If the continuing options are no more than the seats left, they
	//     are all elected and the count ends (an option can so be elected
	//     below the quota).
	//   - Else every continuing option at or above the quota is elected. If
	//     that fills the seats the count ends. Otherwise each one's surplus
	//     (its votes minus the quota) is transferred by the weighted
	//     inclusive Gregory method: every ballot it holds moves to its next
	//     continuing preference at value current value × surplus / the
	//     option's votes, so exactly the surplus moves on and the option
	//     keeps exactly the quota. Surpluses are processed largest first,
	//     equal ones by option index ascending; since a transfer never goes
	//     to an elected option, the order does not change any value.
	//   - Else the continuing option with the fewest votes is eliminated and
	//     every ballot it holds moves to its next continuing preference at
	//     its current value.
	// Ballot values are exact rationals (math/big.Rat): nothing is rounded.
	//
	// Elimination tie-break (both counts). Among options tied for fewest
	// votes, the one with fewer votes in the previous round is eliminated,
	// looking back round by round to round 1; if they were tied in every
	// round, the one listed last among the options is eliminated. This
	// uses only data in the Result, so anyone can recheck it.
	//
	// Each round is recorded (Round): the votes every option held at the
	// start of the round, before that round's election or elimination,
	// what happened, and the value of exhausted ballots. An eliminated
	// option keeps, in later rounds, the votes it held when eliminated; an
	// option elected by the quota keeps the quota, which is what it holds
	// once its surplus has moved on.
	Ranked Method = "ranked"
)

// Methods lists every method, in the order the UI offers them.
var Methods = []Method{Advice, Consent, Consensus, Majority, SingleChoice, Approval, Score, Dot, Ranked}

// Positions per method (Ballot.Position). Abstain is also the explicit
// abstention on a choice method's ballot.
const (
	Agree    = "agree"
	Abstain  = "abstain"
	ConsentP = "consent"
	Object   = "object"
	Disagree = "disagree"
	Block    = "block"
	Yes      = "yes"
	No       = "no"
)

// Outcomes.
const (
	OutcomePassed   = "passed"
	OutcomeFailed   = "failed"
	OutcomeAdvisory = "advisory"  // advice: never binds
	OutcomeNoQuorum = "no-quorum" // too few took part; fails
	OutcomeElected  = "elected"   // choice methods: Winners hold the winner(s)
	OutcomeTie      = "tie"       // choice methods: Winners hold the tied options; nothing is decided
	OutcomeNoVotes  = "no-votes"  // choice methods where no option received anything (every total 0)
)

// Rules are what a tally needs from the proposal and the bylaws. Validate
// states what each method requires. Quorum and Threshold come from the
// bylaws and must always be valid proportions; Options, Seats, Dots and
// MaxScore are checked only for the methods that use them and otherwise
// ignored.
type Rules struct {
	Method  Method
	Options []string // choice methods (single-choice, approval, score, dot, ranked): 2 to 64, named, distinct
	// Eligible is the number of members who may vote (the roll at opening),
	// the denominator of participation. Count refuses more ballots than this.
	Eligible  int
	Quorum    exact.Ratio // participation needed: cast/eligible >= Quorum (every method but advice)
	Threshold exact.Ratio // majority: support strictly greater than this
	Seats     int         // ranked: winners to elect (1 = instant-runoff), fewer than the options
	Dots      int         // dot: dots per ballot, 1 to 1000
	MaxScore  int         // score: highest score, 1 to 100 (the co-op's default is 5)
}

// Ballot is one counted vote. Which fields matter depends on the method:
// Position (advice, consent, consensus, majority), Choices (single-choice:
// exactly one option index; approval: a set; ranked: indices in order of
// preference), Points (score and dot: one entry per option).
//
// On a choice method a ballot may instead abstain: Position "abstain" with
// no Choices or Points (and, for approval, a ballot approving nothing). An
// abstention counts toward Cast and participation and toward nothing else.
// Reason is free text; an objection (consent) and a block (consensus)
// require one.
type Ballot struct {
	Position string `json:"position,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Choices  []int  `json:"choices,omitempty"`
	Points   []int  `json:"points,omitempty"`
}

// ErrInvalid: rules or a ballot that break the method's shape.
var ErrInvalid = errors.New("invalid")

// Result is a tally's outcome: plain data with a canonical JSON form, so a
// close record can carry it and every node can compare it byte for byte.
type Result struct {
	Method  Method `json:"method"`
	Outcome string `json:"outcome"`
	// Eligible and Cast (ballots counted, abstentions included).
	Eligible int `json:"eligible"`
	Cast     int `json:"cast"`
	// Counts by position (position methods), in the method's position
	// order, every position listed (zeros included).
	Positions []PositionCount `json:"positions,omitempty"`
	// Totals per option (choice methods), in option order. For ranked
	// ballots these are first preferences. Reported even without quorum.
	Totals []int `json:"totals,omitempty"`
	// Winners are option indices, ascending, for OutcomeElected and OutcomeTie.
	Winners []int `json:"winners,omitempty"`
	// Participation is Cast/Eligible in lowest terms (0/1 when Eligible is 0).
	Participation exact.Ratio  `json:"participation"`
	Support       *exact.Ratio `json:"support,omitempty"` // majority: yes/(yes+no) in lowest terms; nil when yes+no = 0
	// Rounds of an instant-runoff or STV count (none without quorum or votes).
	Rounds []Round `json:"rounds,omitempty"`
	// Quota is the Droop quota of an STV count (Seats > 1):
	// floor(valid/(seats+1)) + 1, valid = ballots ranking at least one option.
	Quota int `json:"quota,omitempty"`
	// Why says in one sentence why the outcome is what it is.
	Why string `json:"why"`
}

// PositionCount is how many ballots took one position.
type PositionCount struct {
	Position string `json:"position"`
	Count    int    `json:"count"`
}

// Round is one round of a ranked count. Votes are exact fractions written
// "n/d" (or "n" when whole), in lowest terms, one per option in option
// order, as they stood at the start of the round. An option already
// eliminated keeps what it held when it was eliminated; an option elected
// by the quota in an earlier round shows the quota it keeps. Elected and
// Eliminated are what this round decided, ascending.
type Round struct {
	Votes      []string `json:"votes"`
	Elected    []int    `json:"elected,omitempty"`
	Eliminated []int    `json:"eliminated,omitempty"`
	Exhausted  string   `json:"exhausted"` // value of ballots with no next preference
	Note       string   `json:"note,omitempty"`
}
