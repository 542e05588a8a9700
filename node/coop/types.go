// Package coop is the co-op's pure domain: the record types that found a
// co-op, admit members and certify their devices, and the deterministic fold
// from a set of records to the co-op's state. It imports neither storage nor
// networking: the same records, in any order, give the same State and Digest
// on every machine.
package coop

import (
	"fmt"
	"slices"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Record types this version understands, with their schema versions.
const (
	TypeGenesis  = "coop.genesis"    // founds the co-op; signed by the founder's member key
	TypeDevice   = "member.device"   // certifies a device key; signed by the member key
	TypeAdmitted = "member.admitted" // admits a member; signed by a device of a member who may admit
	// TypeJoinRequest asks to join; signed by the joiner's new member key. It
	// needs no authority: it only becomes effective through an admission.
	TypeJoinRequest = "member.join-request"
	// TypeRevoked revokes a device key; signed by the member key or another of the member's devices.
	TypeRevoked = "device.revoked"
	// TypeRemoved is a resignation: only the member may sign it. Removing
	// someone else takes a removal proposal, effective from its close.
	TypeRemoved = "member.removed"
)

// schemas maps each known type to the highest schema version this code reads.
var schemas = map[string]int{TypeGenesis: 1, TypeDevice: 1, TypeAdmitted: 1, TypeJoinRequest: 1, TypeRevoked: 1, TypeRemoved: 1,
	TypeConsentKey: 1, TypeReceipt: 1}

// Known reports whether this version can interpret records of type t at version v.
func Known(t string, v int) bool { s, ok := schemas[t]; return ok && v <= s }

// MemberID identifies a member: the record ID of their admission (the genesis for founders).
type MemberID record.ID

func ParseMemberID(s string) (MemberID, error) {
	id, err := record.ParseID(s)
	if err != nil {
		return MemberID{}, fmt.Errorf("member ID: %w", err)
	}
	return MemberID(id), nil
}
func (m MemberID) String() string               { return record.ID(m).String() }
func (m MemberID) MarshalText() ([]byte, error) { return []byte(m.String()), nil }
func (m *MemberID) UnmarshalText(b []byte) error {
	v, err := ParseMemberID(string(b))
	*m = v
	return err
}

// Voting rules.
const OneMemberOneVote = "one-member-one-vote"

// Admission rules.
const (
	AdmitDirect     = "direct"      // a member holding one of Admission.Roles admits
	AdmitByDecision = "by-decision" // an admission proposal must pass (governance)
)

// Role names used by the default bylaws.
const RoleFounder = "founder"

// Class is a class of membership.
type Class struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Votes       bool   `json:"votes"`
}

// Admission says how members are admitted.
type Admission struct {
	Rule  string   `json:"rule"`
	Roles []string `json:"roles"`
}

// Bylaws are the co-op's rules as data. Text is the human-readable bylaws.
type Bylaws struct {
	Text       string      `json:"text"`
	VotingRule string      `json:"votingRule"`
	Quorum     exact.Ratio `json:"quorum"`    // participation needed, of eligible members
	Threshold  exact.Ratio `json:"threshold"` // support must be strictly greater than this
	Classes    []Class     `json:"classes"`
	Admission  Admission   `json:"admission"`
	// Methods lists the decision methods proposals may use; empty allows every method.
	Methods []tally.Method `json:"methods,omitempty"`
	// CloseGraceHours: after a proposal's closing time, only its author may
	// close it for this many hours; then any member may.
	CloseGraceHours int `json:"closeGraceHours,omitempty"`
}

// DefaultBylaws are a small co-op's sensible first bylaws.
func DefaultBylaws(coopName string) Bylaws {
	return Bylaws{
		Text: coopName + " is a co-operative owned and governed by its members.\n\n" +
			"1. Each member has one vote.\n" +
			"2. A decision needs at least half of the voting members to take part (quorum 1/2).\n" +
			"3. A proposal passes when more than half of the yes and no votes are yes (threshold 1/2).\n" +
			"4. Founders admit new members directly until the members decide otherwise.\n" +
			"5. A proposal's author closes it after its closing time; after 24 hours more, any member may.\n",
		VotingRule: OneMemberOneVote,
		Quorum:     exact.R(1, 2),
		Threshold:  exact.R(1, 2),
		Classes: []Class{
			{Name: "member", Description: "Contributes data or work and votes", Votes: true},
			{Name: "supporter", Description: "Supports the co-op; does not vote", Votes: false},
		},
		Admission:       Admission{Rule: AdmitDirect, Roles: []string{RoleFounder}},
		CloseGraceHours: 24,
	}
}

// Validate checks the bylaws are complete and consistent.
func (b *Bylaws) Validate() error {
	if b.VotingRule != OneMemberOneVote {
		return fmt.Errorf("bylaws: voting rule %q is not supported (want %q)", b.VotingRule, OneMemberOneVote)
	}
	if err := b.Quorum.ValidateProportion(); err != nil {
		return fmt.Errorf("bylaws: quorum: %w", err)
	}
	if err := b.Threshold.ValidateProportion(); err != nil {
		return fmt.Errorf("bylaws: threshold: %w", err)
	}
	if len(b.Classes) == 0 {
		return fmt.Errorf("bylaws: at least one member class is needed")
	}
	seen := map[string]bool{}
	for _, c := range b.Classes {
		if c.Name == "" || seen[c.Name] {
			return fmt.Errorf("bylaws: class names must be non-empty and distinct (%q)", c.Name)
		}
		seen[c.Name] = true
	}
	for _, m := range b.Methods {
		if !slices.Contains(tally.Methods, m) {
			return fmt.Errorf("bylaws: decision method %q is unknown (known: %v)", m, tally.Methods)
		}
	}
	if b.CloseGraceHours < 0 || b.CloseGraceHours > 24*365 {
		return fmt.Errorf("bylaws: the grace period for closing must be 0 to %d hours, not %d", 24*365, b.CloseGraceHours)
	}
	switch b.Admission.Rule {
	case AdmitDirect:
		if len(b.Admission.Roles) == 0 {
			return fmt.Errorf("bylaws: direct admission needs at least one role that may admit")
		}
	case AdmitByDecision:
	default:
		return fmt.Errorf("bylaws: admission rule %q (want %q or %q)", b.Admission.Rule, AdmitDirect, AdmitByDecision)
	}
	return nil
}

// HasClass reports whether the bylaws define class name.
func (b *Bylaws) HasClass(name string) bool {
	for _, c := range b.Classes {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Genesis is the body of a TypeGenesis record.
type Genesis struct {
	Name    string  `json:"name"`
	Founder Profile `json:"founder"`
	Bylaws  Bylaws  `json:"bylaws"`
}

// Profile names a member and their key, class and roles; the body of TypeAdmitted.
type Profile struct {
	Name      string           `json:"name"`
	MemberKey record.PublicKey `json:"memberKey"`
	Class     string           `json:"class"`
	Roles     []string         `json:"roles"`
	// Request is the join request this admission answers; zero for an
	// admission without one. When set, the request's device key is certified
	// by the admission itself. omitzero (not omitempty, which never omits an
	// array) keeps the bytes, and so the IDs, of profiles without a request.
	Request record.ID `json:"request,omitzero"`
}

// JoinRequest is the body of a TypeJoinRequest record. The record's author
// is the joiner's member key; DeviceKey is the device they will use day to day.
type JoinRequest struct {
	Name        string           `json:"name"`
	DeviceKey   record.PublicKey `json:"deviceKey"`
	DeviceLabel string           `json:"deviceLabel"`
	// Invite names the invite the joiner used. The fold does not read it;
	// invites are checked where they are handled. Every member gets a copy
	// of this record, so it should not hold a secret that still grants anything.
	Invite string `json:"invite"`
}

// Device is the body of a TypeDevice record.
type Device struct {
	Member MemberID         `json:"member"`
	Key    record.PublicKey `json:"key"`
	Label  string           `json:"label"`
}

// Revocation is the body of a TypeRevoked record: Key is no longer a device
// of Member. It is final: whatever Key signed outside the record's causal
// past is invalid (see Fold).
type Revocation struct {
	Member MemberID         `json:"member"`
	Key    record.PublicKey `json:"key"`
	Reason string           `json:"reason"`
}

// Removal is the body of a TypeRemoved record: Member is no longer a member.
// It is final: whatever the member's keys signed outside the record's causal
// past is invalid (see Fold).
type Removal struct {
	Member MemberID `json:"member"`
	Reason string   `json:"reason"`
}
