package coop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Governance record types.
const (
	// TypeProposal opens a proposal; signed by a device of a member.
	TypeProposal = "proposal.opened"
	// TypeBallot is a member's vote on a proposal; a later ballot of the
	// same member (one naming the earlier in its past) replaces it.
	TypeBallot = "proposal.ballot"
	// TypeClosed closes a proposal: it lists the ballots counted and the
	// result, and every node recomputes both.
	TypeClosed = "proposal.closed"
	// TypeDelegation gives a member's vote to another member, on one
	// proposal, on a kind of proposal, or on every proposal.
	TypeDelegation = "vote.delegation"
	// TypeDelegationEnded withdraws a delegation.
	TypeDelegationEnded = "vote.delegation-ended"
)

func init() {
	for _, t := range []string{TypeProposal, TypeBallot, TypeClosed, TypeDelegation, TypeDelegationEnded} {
		schemas[t] = 1
	}
	schemas[TypeProposal] = 2 // see schemas
}

// Proposal kinds. Every kind but general changes the co-op when it passes,
// and only through its close record.
const (
	KindGeneral      = "general"       // decides nothing the fold acts on
	KindAdmission    = "admission"     // admits the author of a join request
	KindRemoval      = "removal"       // removes a member (final, like a resignation)
	KindMemberChange = "member-change" // changes a member's class and roles
	KindBylaws       = "bylaws"        // replaces the bylaws
)

// Kinds lists the proposal kinds.
var Kinds = []string{KindGeneral, KindAdmission, KindRemoval, KindMemberChange, KindBylaws, KindAgreement}

// binding reports whether a method can decide a change to the co-op: one
// that passes or fails, not one that advises or picks among options.
func binding(m tally.Method) bool {
	return m == tally.Majority || m == tally.Consent || m == tally.Consensus
}

// Roll names the members who may vote on a proposal, as its author saw
// them: how many, and SHA-256 over their member IDs in ascending order.
// The fold recomputes it from the proposal's causal past; ballots repeat
// the hash, so a ballot cast against another roll is refused.
type Roll struct {
	Count int    `json:"count"`
	Hash  string `json:"hash"`
}

// RollOf computes the Roll of a sorted list of member IDs.
func RollOf(ids []MemberID) Roll {
	h := sha256.New()
	for _, id := range ids {
		h.Write(id[:])
	}
	return Roll{Count: len(ids), Hash: hex.EncodeToString(h.Sum(nil))}
}

// Draft pins the collaboratively edited text a proposal's body came from:
// the Automerge document, its heads, and SHA-256 of the body text.
type Draft struct {
	Doc    string   `json:"doc"`
	Heads  []string `json:"heads"`
	SHA256 string   `json:"sha256"`
}

// Proposal is the body of a TypeProposal record.
type Proposal struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Kind  string `json:"kind"`
	Draft *Draft `json:"draft,omitempty"`
	// How it is decided.
	Method   tally.Method `json:"method"`
	Options  []string     `json:"options,omitempty"`
	Seats    int          `json:"seats,omitempty"`
	Dots     int          `json:"dots,omitempty"`
	MaxScore int          `json:"maxScore,omitempty"`
	// Quorum and Threshold may tighten the bylaws' (never loosen); nil takes the bylaws'.
	Quorum    *exact.Ratio `json:"quorum,omitempty"`
	Threshold *exact.Ratio `json:"threshold,omitempty"`
	// Classes may vote; empty means every class the bylaws give a vote.
	Classes []string `json:"classes,omitempty"`
	// Closes is when voting ends (RFC 3339). After it the author may
	// close; any member may after the bylaws' grace period.
	Closes string `json:"closes"`
	// HideResults hides running tallies until close. A display rule only:
	// ballots are signed records every member holds.
	HideResults bool `json:"hideResults,omitempty"`
	Roll        Roll `json:"roll"`

	// What a passing proposal changes, by kind.
	Request record.ID `json:"request,omitzero"` // admission: the join request
	Member  MemberID  `json:"member,omitzero"`  // removal, member-change
	Class   string    `json:"class,omitempty"`  // admission, member-change
	Roles   []string  `json:"roles,omitempty"`  // admission, member-change: the full new set
	Bylaws  *Bylaws   `json:"bylaws,omitempty"` // bylaws: the new bylaws, whole
	// agreement: the version of a data agreement it adopts.
	Agreement *AgreementTerms `json:"agreement,omitempty"`
}

// ClosesAt parses Closes.
func (p *Proposal) ClosesAt() (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, p.Closes)
	if err != nil {
		return time.Time{}, fmt.Errorf("closing time %q is not an RFC 3339 time", p.Closes)
	}
	return t, nil
}

// Ballot is the body of a TypeBallot record.
type Ballot struct {
	Proposal record.ID    `json:"proposal"`
	Roll     string       `json:"roll"` // the proposal's Roll.Hash the voter saw
	Vote     tally.Ballot `json:"vote"`
}

// Delegation is the body of a TypeDelegation record. Its scope is one
// proposal (Proposal set), one kind of proposal (Kind set), or every
// proposal (neither). A narrower scope wins over a wider one.
type Delegation struct {
	Delegate MemberID  `json:"delegate"`
	Proposal record.ID `json:"proposal,omitzero"`
	Kind     string    `json:"kind,omitempty"`
}

// DelegationEnded is the body of a TypeDelegationEnded record.
type DelegationEnded struct {
	Delegation record.ID `json:"delegation"`
}

// Proxy is a vote cast for Member by the ballot of the member their
// delegations (Via, in chain order) lead to.
type Proxy struct {
	Member MemberID    `json:"member"`
	Ballot record.ID   `json:"ballot"`
	Via    []record.ID `json:"via"`
}

// Closing is the body of a TypeClosed record.
type Closing struct {
	Proposal record.ID    `json:"proposal"`
	Counted  []record.ID  `json:"counted"` // direct ballots, ascending
	Proxies  []Proxy      `json:"proxies,omitempty"`
	Result   tally.Result `json:"result"`
}

// Open builds a proposal signed by the proposer's device. prev must hold
// the proposer's device certificate and the membership frontier the roll
// was computed from (State.Frontier); an admission's join request is added.
func Open(device record.Signer, coopID record.ID, p Proposal, now time.Time, prev ...record.ID) (*record.Record, error) {
	if p.Title == "" {
		return nil, errors.New("open a proposal: it needs a title")
	}
	if !p.Request.IsZero() {
		prev = append(prev, p.Request)
	}
	r, err := record.New(device, TypeProposal, bylawsVersion(p.Bylaws), coopID, now, prev, p)
	if err != nil {
		return nil, fmt.Errorf("open proposal %q: %w", p.Title, err)
	}
	return r, nil
}

// Cast builds a ballot. prev must hold the proposal, the voter's device
// certificate, and the voter's earlier ballots on it (which this one replaces).
func Cast(device record.Signer, coopID record.ID, b Ballot, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(device, TypeBallot, 1, coopID, now, append(prev, b.Proposal), b)
	if err != nil {
		return nil, fmt.Errorf("cast ballot: %w", err)
	}
	return r, nil
}

// Delegate builds a delegation. prev must hold the delegator's device
// certificate, the delegate's admission, and (for one proposal) the proposal.
func Delegate(device record.Signer, coopID record.ID, d Delegation, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(device, TypeDelegation, 1, coopID, now, append(prev, record.ID(d.Delegate)), d)
	if err != nil {
		return nil, fmt.Errorf("delegate: %w", err)
	}
	return r, nil
}

// EndDelegation builds the withdrawal of delegation d.
func EndDelegation(device record.Signer, coopID record.ID, d record.ID, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(device, TypeDelegationEnded, 1, coopID, now, append(prev, d), DelegationEnded{Delegation: d})
	if err != nil {
		return nil, fmt.Errorf("end delegation: %w", err)
	}
	return r, nil
}

// Close builds a close record from a count (State.CountFor gives one, with
// uses: the records besides the counted ballots the count relied on).
// prev must hold the closer's device certificate; the proposal, the
// counted ballots, the proxies' ballots and uses are added, so that the
// close's causal past holds exactly what it was counted from.
func Close(device record.Signer, coopID record.ID, c Closing, uses []record.ID, now time.Time, prev ...record.ID) (*record.Record, error) {
	prev = append(prev, c.Proposal)
	prev = append(prev, c.Counted...)
	for _, p := range c.Proxies {
		prev = append(prev, p.Ballot)
		prev = append(prev, p.Via...)
	}
	prev = append(prev, uses...)
	slices.SortFunc(prev, record.CompareIDs)
	prev = slices.Compact(prev)
	if len(prev) > record.MaxPrev {
		return nil, fmt.Errorf("close proposal: %d ballots and delegations exceed the %d a record can name", len(prev), record.MaxPrev)
	}
	r, err := record.New(device, TypeClosed, 1, coopID, now, prev, c)
	if err != nil {
		return nil, fmt.Errorf("close proposal: %w", err)
	}
	return r, nil
}
