// Package coop is the co-op's pure domain: the record types that found a
// co-op, admit members and certify their devices, and the deterministic fold
// from a set of records to the co-op's state. It imports neither storage nor
// networking: the same records, in any order, give the same State and Digest
// on every machine.
package coop

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Record types this version understands, with their schema versions.
const (
	TypeGenesis = "coop.genesis" // founds the co-op; signed by the founder's member key
	// TypeDevice certifies a device key; signed by the member key and, from
	// version 2, co-signed by the device key itself (see Device).
	TypeDevice   = "member.device"
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
// Version 2 of the genesis and of proposals is version 1 whose bylaws may
// have special rules (Bylaws.Special): a node that knows only version 1
// keeps such a record as needing a newer coopnode instead of judging it
// by other rules. Bylaws without special rules are written as version 1.
// Version 2 of a device certificate is version 1 that carries the device
// key's own signature (see Device).
var schemas = map[string]int{TypeGenesis: 2, TypeDevice: 2, TypeAdmitted: 1, TypeJoinRequest: 1, TypeRevoked: 1, TypeRemoved: 1,
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
	// Tellers is how many members other than a close's author must co-sign
	// it before it decides (see closes.go): their nodes co-sign only a close
	// that counts every ballot they hold. At most the members on the
	// proposal's roll other than the author are needed. Zero (bylaws from
	// before this field, which omit it) leaves the closer as the only
	// teller; omitempty keeps those bylaws' bytes, IDs and digests.
	Tellers int `json:"tellers,omitempty"`
	// MaxSkewMinutes is how far ahead of a node's clock a record may be
	// dated and still be applied on arrival; one dated later is held until
	// the node's clock is within this of its date (see Skew). A signer
	// picks its record's time, and a time in the future can claim what
	// has not happened yet (a closing time reached): nodes bound that by
	// what their own clocks see. Zero: DefaultMaxSkew. omitempty keeps the
	// bytes, and so the IDs and digests, of bylaws that do not set it.
	MaxSkewMinutes int `json:"maxSkewMinutes,omitempty"`
	// Special holds stricter rules ("special resolutions") for kinds of
	// proposal, by kind: admission, removal, member-change, bylaws or
	// agreement (never general). A proposal of such a kind is decided by its
	// rule instead of Quorum and Threshold; see DecisionRule. Empty: every
	// kind uses Quorum and Threshold. omitzero keeps the bytes, and so the
	// IDs and digests, of bylaws without special rules.
	Special SpecialRules `json:"special,omitzero"`
}

// SpecialRules are the bylaws' special rules, one field per kind of
// proposal, named in JSON by the kind ({"bylaws": {...}, "removal":
// {...}}); nil: no special rule for that kind. A struct, not a map, so
// that record bodies holding bylaws keep record.DecodeBody's plain path,
// and so that no rule can name general or an unknown kind.
type SpecialRules struct {
	Admission    *DecisionRule `json:"admission,omitempty"`
	Agreement    *DecisionRule `json:"agreement,omitempty"`
	Bylaws       *DecisionRule `json:"bylaws,omitempty"`
	MemberChange *DecisionRule `json:"member-change,omitempty"`
	Removal      *DecisionRule `json:"removal,omitempty"`
}

// slot returns the field for kind, or nil for general and unknown kinds.
func (r *SpecialRules) slot(kind string) **DecisionRule {
	switch kind {
	case KindAdmission:
		return &r.Admission
	case KindAgreement:
		return &r.Agreement
	case KindBylaws:
		return &r.Bylaws
	case KindMemberChange:
		return &r.MemberChange
	case KindRemoval:
		return &r.Removal
	}
	return nil
}

// For returns the special rule for kind, or nil if there is none.
func (r SpecialRules) For(kind string) *DecisionRule {
	if f := r.slot(kind); f != nil {
		return *f
	}
	return nil
}

// Set sets (nil: removes) the special rule for kind. It refuses general
// and unknown kinds.
func (r *SpecialRules) Set(kind string, rule *DecisionRule) error {
	f := r.slot(kind)
	switch {
	case kind == KindGeneral:
		return errors.New("bylaws: a special rule is for a kind of proposal that changes the co-op, not for general proposals (their rule is the bylaws' quorum and threshold)")
	case f == nil:
		return fmt.Errorf("bylaws: special rule for %q: not a kind of proposal (kinds: %s)", kind, strings.Join(SpecialKinds(), ", "))
	}
	*f = rule
	return nil
}

// Kinds lists the kinds that have a special rule, in the order of Kinds.
func (r SpecialRules) Kinds() []string {
	var out []string
	for _, k := range Kinds {
		if r.For(k) != nil {
			out = append(out, k)
		}
	}
	return out
}

// SpecialKinds lists the kinds a special rule may be for: every kind but general.
func SpecialKinds() []string {
	return slices.DeleteFunc(slices.Clone(Kinds), func(k string) bool { return k == KindGeneral })
}

// DecisionRule is the rule the bylaws set for one kind of proposal (a
// "special resolution"), judged in the bylaws in force in the proposal's
// causal past (so an amendment of the bylaws is decided by the bylaws it
// would replace, not by itself):
//
//   - Quorum replaces the bylaws' quorum: participation (ballots cast,
//     abstentions included, over the roll) must be at least Quorum.
//   - Threshold replaces the bylaws' threshold: support (yes over yes and
//     no) must be strictly greater than Threshold, so with 2/3, 2 yes and
//     1 no (support exactly 2/3) fails. Consent and consensus have no
//     threshold by their definition: a co-op that wants the threshold to
//     bind a kind must list only majority in Methods.
//   - Methods, when set, are the only methods a proposal of the kind may
//     use (each must pass or fail: majority, consent or consensus, and be
//     allowed by Bylaws.Methods when that is set). Empty: any binding
//     method the bylaws allow.
//
// A proposal of the kind may tighten Quorum and Threshold, never loosen
// them; one that sets neither takes the rule's. A rule is never looser than
// the bylaws' general Quorum and Threshold (Validate refuses one that is).
type DecisionRule struct {
	Quorum    exact.Ratio    `json:"quorum"`
	Threshold exact.Ratio    `json:"threshold"`
	Methods   []tally.Method `json:"methods,omitempty"`
}

// bylawsVersion is the schema version of a genesis or proposal carrying b.
func bylawsVersion(b *Bylaws) int {
	if b == nil || b.Special == (SpecialRules{}) {
		return 1
	}
	return 2
}

// checkBylawsVersion refuses special rules in a version 1 record (body is
// its body, b the bylaws decoded from it): a node that reads only version 1
// refuses a "special" key in the bylaws whatever its value, so its mere
// presence (null, empty, any case, as encoding/json matches keys) is
// refused here too, and every node judges the record alike.
func checkBylawsVersion(v int, b *Bylaws, body []byte) string {
	if v >= 2 {
		return ""
	}
	if bylawsVersion(b) > v || specialKeyIn(body) {
		return fmt.Sprintf("bylaws with special rules need a version 2 record, this one is version %d", v)
	}
	return ""
}

// specialKeyIn probes with encoding/json itself: it also matches keys that
// fold to "special" only by Unicode rules ("ſpecial"), as the strict
// decoder of a version-1-only node does.
func specialKeyIn(body []byte) bool {
	var probe struct {
		Bylaws *struct {
			Special json.RawMessage `json:"special"` // null too: RawMessage keeps it
		} `json:"bylaws"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Bylaws != nil && probe.Bylaws.Special != nil
}

// Rule returns the quorum, threshold and methods (empty: any the bylaws
// allow) a proposal of kind must meet at least, and whether a special rule
// sets them.
func (b *Bylaws) Rule(kind string) (rule DecisionRule, special bool) {
	if r := b.Special.For(kind); r != nil {
		return *r, true
	}
	return DecisionRule{Quorum: b.Quorum, Threshold: b.Threshold}, false
}

// DefaultMaxSkew is the skew of bylaws that do not set MaxSkewMinutes:
// enough for the clocks of laptops that sync their time now and then.
const DefaultMaxSkew = 5 * time.Minute

// maxSkewLimit bounds MaxSkewMinutes: a day. A wider skew would let a
// record claim a closing time a day before it comes.
const maxSkewLimit = 24 * 60

// Skew is how far ahead of a node's clock a record may be dated and be
// applied: MaxSkewMinutes, or DefaultMaxSkew when unset.
func (b *Bylaws) Skew() time.Duration {
	if b.MaxSkewMinutes <= 0 {
		return DefaultMaxSkew
	}
	return time.Duration(b.MaxSkewMinutes) * time.Minute
}

// DefaultBylaws are a small co-op's sensible first bylaws.
func DefaultBylaws(coopName string) Bylaws {
	return Bylaws{
		Text: coopName + " is a co-operative owned and governed by its members.\n\n" +
			"1. Each member has one vote.\n" +
			"2. A decision needs at least half of the voting members to take part (quorum 1/2).\n" +
			"3. A proposal passes when more than half of the yes and no votes are yes (threshold 1/2).\n" +
			"4. Founders admit new members directly until the members decide otherwise.\n" +
			"5. A proposal's author closes it after its closing time; after 24 hours more, any member may.\n" +
			"6. A close decides once two other members (one, in a co-op of two) have checked and co-signed it.\n",
		VotingRule: OneMemberOneVote,
		Quorum:     exact.R(1, 2),
		Threshold:  exact.R(1, 2),
		Classes: []Class{
			{Name: "member", Description: "Contributes data or work and votes", Votes: true},
			{Name: "supporter", Description: "Supports the co-op; does not vote", Votes: false},
		},
		Admission:       Admission{Rule: AdmitDirect, Roles: []string{RoleFounder}},
		CloseGraceHours: 24,
		Tellers:         2,
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
	if err := b.validateSpecial(); err != nil {
		return err
	}
	if b.Tellers < 0 || b.Tellers > MaxTellers {
		return fmt.Errorf("bylaws: tellers must be 0 to %d members, not %d", MaxTellers, b.Tellers)
	}
	if b.CloseGraceHours < 0 || b.CloseGraceHours > 24*365 {
		return fmt.Errorf("bylaws: the grace period for closing must be 0 to %d hours, not %d", 24*365, b.CloseGraceHours)
	}
	if b.MaxSkewMinutes < 0 || b.MaxSkewMinutes > maxSkewLimit {
		return fmt.Errorf("bylaws: the clock skew allowed must be 0 (the default, %d minutes) to %d minutes, not %d",
			int(DefaultMaxSkew/time.Minute), maxSkewLimit, b.MaxSkewMinutes)
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

// validateSpecial checks the special rules, kind by kind in Kinds order
// (so the first error is the same on every machine). Their type admits no
// rule for general or an unknown kind.
func (b *Bylaws) validateSpecial() error {
	for _, kind := range b.Special.Kinds() {
		r := b.Special.For(kind)
		if err := r.Quorum.ValidateProportion(); err != nil {
			return fmt.Errorf("bylaws: special rule for %s proposals: quorum: %w", kind, err)
		}
		if err := r.Threshold.ValidateProportion(); err != nil {
			return fmt.Errorf("bylaws: special rule for %s proposals: threshold: %w", kind, err)
		}
		if r.Quorum.Cmp(b.Quorum) < 0 {
			return fmt.Errorf("bylaws: the special rule for %s proposals has quorum %s, looser than the general quorum %s: a special rule may only be stricter",
				kind, r.Quorum, b.Quorum)
		}
		if r.Threshold.Cmp(b.Threshold) < 0 {
			return fmt.Errorf("bylaws: the special rule for %s proposals has threshold %s, looser than the general threshold %s: a special rule may only be stricter",
				kind, r.Threshold, b.Threshold)
		}
		for i, m := range r.Methods {
			switch {
			case !binding(m):
				return fmt.Errorf("bylaws: the special rule for %s proposals lists the %s method: only majority, consent and consensus pass or fail", kind, m)
			case len(b.Methods) > 0 && !slices.Contains(b.Methods, m):
				return fmt.Errorf("bylaws: the special rule for %s proposals lists the %s method, which the bylaws' methods (%v) do not allow", kind, m, b.Methods)
			case slices.Contains(r.Methods[:i], m):
				return fmt.Errorf("bylaws: the special rule for %s proposals lists the %s method twice", kind, m)
			}
		}
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

// Device is the body of a TypeDevice record, the same in both versions.
//
// Version 2 (what this code writes) is valid only with a co-signature by
// Key over the record: proof that whoever certifies the key holds it, so
// no member can claim another's device key first and so block it (or
// revoke it, and so cut what it signed). The co-signature covers the whole
// payload (co-op, member, label, predecessors), so it cannot be moved to
// another member's certificate; it does not change the record's ID.
//
// Version 1 (no proof) stays valid, since existing co-ops hold such
// certificates and a claimed time cannot tell an old one from a new one.
// It is outranked instead: a key that signed a version 2 certificate or a
// join request for one member key cannot be claimed by a version 1
// certificate (or an admission answering an unsigned join request) for
// another; see State.unprovenClaim.
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
