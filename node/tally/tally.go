// Package tally counts ballots by the co-op's decision methods, in exact
// arithmetic only. It is pure: the same rules and ballots give the same
// Result, bit for bit, on every machine and in any ballot order. The
// governance fold recomputes a close record's Result with it and refuses a
// close whose Result differs.
//
// Each method's exact rule is in the doc comment of its Method constant.
package tally

import (
	"errors"

	"github.com/coopnode/coopnode/node/exact"
)

// Method is a decision method.
type Method string

// Decision methods. The rule each one counts by is stated here and in the README.
const (
	// Advice: positions agree or abstain. It informs and never binds:
	// Result.Outcome is OutcomeAdvisory whatever the counts.
	Advice Method = "advice"
	// Consent: positions consent, abstain or object; an objection needs a
	// reason (Validate refuses one without). Passes when quorum is met and
	// no objection stands at close; otherwise fails.
	Consent Method = "consent"
	// Consensus: positions agree, abstain, disagree or block. Any block fails
	// it. Otherwise it passes when quorum is met and agree > disagree
	// (strictly; so no agree at all fails).
	Consensus Method = "consensus"
	// Majority: positions yes, no or abstain. Passes when participation
	// (yes+no+abstain)/eligible >= Quorum and support yes/(yes+no) >
	// Threshold (strictly); yes+no = 0 fails.
	Majority Method = "majority"
	// SingleChoice: one option per ballot; most votes wins; a tie for first
	// is OutcomeTie with every tied option in Winners.
	SingleChoice Method = "single-choice"
	// Approval: any set of options per ballot; most approvals wins; ties as SingleChoice.
	Approval Method = "approval"
	// Score: every option scored 0..MaxScore; highest sum wins (the mean is
	// sum/ballots, so the order is the same); ties as SingleChoice.
	Score Method = "score"
	// Dot: each ballot spreads at most Dots dots over the options; most dots wins.
	Dot Method = "dot"
	// Ranked: options in order of preference (a partial ranking is allowed).
	// Seats == 1: instant-runoff. Seats > 1: single transferable vote with
	// the Droop quota and fractional (Gregory) surplus transfer.
	Ranked Method = "ranked"
)

// Methods lists every method, in the order the UI offers them.
var Methods = []Method{Advice, Consent, Consensus, Majority, SingleChoice, Approval, Score, Dot, Ranked}

// Positions per method (Ballot.Position).
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
	OutcomeNoVotes  = "no-votes"  // choice methods with no valid ballot
)

// Rules are what a tally needs from the proposal and the bylaws.
type Rules struct {
	Method  Method
	Options []string // choice methods (single-choice, approval, score, dot, ranked): at least 2
	// Eligible is the number of members who may vote (the roll at opening),
	// the denominator of participation.
	Eligible  int
	Quorum    exact.Ratio // participation needed: cast/eligible >= Quorum (every method but advice)
	Threshold exact.Ratio // majority: support strictly greater than this
	Seats     int         // ranked: winners to elect (1 = instant-runoff)
	Dots      int         // dot: dots per ballot
	MaxScore  int         // score: highest score (the co-op's default is 5)
}

// Ballot is one counted vote. Which fields matter depends on the method:
// Position (advice, consent, consensus, majority), Choices (single-choice:
// exactly one option index; approval: a set; ranked: indices in order of
// preference), Points (score and dot: one entry per option).
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
	// Counts by position (position methods), in the method's position order.
	Positions []PositionCount `json:"positions,omitempty"`
	// Totals per option (choice methods), in option order. For ranked
	// ballots these are first preferences.
	Totals []int `json:"totals,omitempty"`
	// Winners are option indices, ascending, for OutcomeElected and OutcomeTie.
	Winners       []int        `json:"winners,omitempty"`
	Participation exact.Ratio  `json:"participation"`
	Support       *exact.Ratio `json:"support,omitempty"` // majority: yes/(yes+no); nil when yes+no = 0
	// Rounds of an instant-runoff or STV count.
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
// "n/d" (or "n" when whole), one per option in option order; an option
// already elected or eliminated keeps what it held when it left.
type Round struct {
	Votes      []string `json:"votes"`
	Elected    []int    `json:"elected,omitempty"`
	Eliminated []int    `json:"eliminated,omitempty"`
	Exhausted  string   `json:"exhausted"` // value of ballots with no next preference
	Note       string   `json:"note,omitempty"`
}
