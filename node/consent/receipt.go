package consent

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// Item is a data item's identity: the SHA-256 of its content. The co-op
// sees items only by this digest.
type Item [32]byte

// ParseItem parses 64 hex digits.
func ParseItem(s string) (Item, error) {
	var it Item
	if len(s) != 64 {
		return it, fmt.Errorf("item %q: want the 64 hex digits of its SHA-256", s)
	}
	if _, err := hex.Decode(it[:], []byte(s)); err != nil {
		return it, fmt.Errorf("item %q: want the 64 hex digits of its SHA-256", s)
	}
	return it, nil
}

func (it Item) String() string               { return hex.EncodeToString(it[:]) }
func (it Item) Short() string                { return it.String()[:12] }
func (it Item) MarshalText() ([]byte, error) { return []byte(it.String()), nil }
func (it *Item) UnmarshalText(b []byte) error {
	v, err := ParseItem(string(b))
	*it = v
	return err
}

// Receipt is the body of a consent receipt: the part of a member's consent
// record shared with the co-op. It carries ISO/IEC TS 27560's information
// that is not private: what was agreed (the agreement version and the digest
// of its text), for which purposes, items (by digest only) or categories,
// recipients, retention, validity and jurisdiction, and the event. The
// record's author is the member's pseudonymous consent key for this co-op
// (the 27560 PII principal); the record ID is the receipt ID. Titles and
// other details of the items stay in the member's node (see Private).
type Receipt struct {
	Schema       string    `json:"schemaVersion"`
	Event        string    `json:"eventType"`
	Status       Status    `json:"consentStatus"`
	Key          record.ID `json:"consentKey"` // the record that registered the signing key
	Agreement    record.ID `json:"agreement"`
	Version      record.ID `json:"agreementVersion"`
	Notice       string    `json:"noticeDigest"` // SHA-256 (hex) of the version's text
	Language     string    `json:"language,omitempty"`
	Purposes     []Purpose `json:"purposes,omitempty"`
	Items        []Item    `json:"personalData,omitempty"`
	Categories   []string  `json:"personalDataCategories,omitempty"`
	Recipients   []string  `json:"recipients,omitempty"`
	Retention    string    `json:"retention,omitempty"` // ISO 8601 duration
	Jurisdiction string    `json:"jurisdiction,omitempty"`
	ValidFrom    string    `json:"validFrom,omitempty"` // RFC 3339
	ValidUntil   string    `json:"validUntil,omitempty"`
	// Withdraws is the grant a withdrawal ends.
	Withdraws        record.ID `json:"withdraws,omitzero"`
	LegalBasis       string    `json:"legalBasis"`
	WithdrawalMethod string    `json:"withdrawalMethod"`
}

// Window parses the validity window; a zero Until means no end.
func (r *Receipt) Window() (from, until time.Time, err error) {
	if r.ValidFrom != "" {
		if from, err = time.Parse(time.RFC3339, r.ValidFrom); err != nil {
			return from, until, fmt.Errorf("validFrom: %w", err)
		}
	}
	if r.ValidUntil != "" {
		if until, err = time.Parse(time.RFC3339, r.ValidUntil); err != nil {
			return from, until, fmt.Errorf("validUntil: %w", err)
		}
	}
	return from, until, nil
}

// Check checks a receipt is complete and consistent in itself. Whether it
// fits the agreement version and the member's earlier receipts is the
// fold's to judge.
func (r *Receipt) Check() error {
	if r.Schema != SchemaVersion {
		return fmt.Errorf("schemaVersion %q (want %q)", r.Schema, SchemaVersion)
	}
	if r.LegalBasis != LegalBasis {
		return fmt.Errorf("legalBasis %q (want %q)", r.LegalBasis, LegalBasis)
	}
	if r.WithdrawalMethod == "" {
		return fmt.Errorf("a consent receipt must say how to withdraw (withdrawalMethod)")
	}
	if r.Key.IsZero() || r.Agreement.IsZero() || r.Version.IsZero() {
		return fmt.Errorf("a consent receipt names its consent key, agreement and agreement version")
	}
	if len(r.Notice) != 64 {
		return fmt.Errorf("noticeDigest must be the SHA-256 (hex) of the agreement text")
	}
	from, until, err := r.Window()
	if err != nil {
		return err
	}
	switch r.Event {
	case EventGrant:
		if !r.Status.Valid() {
			return fmt.Errorf("a grant records ConsentGiven or RenewedConsentGiven, not %q", r.Status)
		}
		if err := CheckPurposes(r.Purposes); err != nil {
			return err
		}
		if !sortedUnique(r.Purposes) || !sortedUnique(r.Categories) || !sortedUnique(r.Recipients) || !itemsSorted(r.Items) {
			return fmt.Errorf("purposes, items, categories and recipients must be sorted and without duplicates")
		}
		if len(r.Items) == 0 && len(r.Categories) == 0 {
			return fmt.Errorf("a grant names the items (by digest) or categories it covers")
		}
		if len(r.Recipients) == 0 {
			return fmt.Errorf("a grant names the recipients (licensee classes) it allows")
		}
		if r.ValidFrom == "" {
			return fmt.Errorf("a grant says from when it is valid (validFrom)")
		}
		if !until.IsZero() && !until.After(from) {
			return fmt.Errorf("validUntil (%s) must come after validFrom (%s)", r.ValidUntil, r.ValidFrom)
		}
		if r.Retention != "" {
			if _, err := ParseDuration(r.Retention); err != nil {
				return err
			}
		}
		if !r.Withdraws.IsZero() {
			return fmt.Errorf("a grant withdraws nothing")
		}
	case EventWithdraw:
		if r.Status != Withdrawn {
			return fmt.Errorf("a withdrawal records ConsentWithdrawn, not %q", r.Status)
		}
		if r.Withdraws.IsZero() {
			return fmt.Errorf("a withdrawal names the grant it ends")
		}
		if len(r.Purposes)+len(r.Items)+len(r.Categories)+len(r.Recipients) > 0 {
			return fmt.Errorf("a withdrawal ends one grant whole; it names no purposes, items or recipients")
		}
	case EventRefuse:
		if r.Status != Refused {
			return fmt.Errorf("a refusal records ConsentRefused, not %q", r.Status)
		}
		if !r.Withdraws.IsZero() || len(r.Items)+len(r.Categories) > 0 {
			return fmt.Errorf("a refusal (opting out of a version) names no grant and no items")
		}
	default:
		return fmt.Errorf("eventType %q (want grant, withdraw or refuse)", r.Event)
	}
	return nil
}

func itemsSorted(its []Item) bool {
	for i := 1; i < len(its); i++ {
		if string(its[i-1][:]) >= string(its[i][:]) {
			return false
		}
	}
	return true
}

// Duration is an ISO 8601 duration of whole years, months, weeks and days.
type Duration struct{ Years, Months, Days int }

// ParseDuration parses an ISO 8601 duration such as "P3Y", "P18M" or "P1Y6M":
// "P", then at least one of nY (up to 4 digits), nM (5), nW (5), nD (6), in
// that order. (Written out rather than as a regular expression: every
// consent receipt in a fold passes through here; FuzzParseDuration holds it
// to the expression.)
func ParseDuration(s string) (Duration, error) {
	n, ok := durationParts(s)
	if !ok {
		return Duration{}, fmt.Errorf("retention %q: want an ISO 8601 duration such as P3Y, P18M or P90D", s)
	}
	d := Duration{Years: n[0], Months: n[1], Days: n[2]*7 + n[3]}
	if d == (Duration{}) {
		return Duration{}, fmt.Errorf("retention %q is no time at all", s)
	}
	if d.Years > 100 || d.Months > 1200 || d.Days > 36500 {
		return Duration{}, fmt.Errorf("retention %q is longer than a hundred years", s)
	}
	return d, nil
}

// durationParts splits "P1Y6M" into its years, months, weeks and days.
func durationParts(s string) (n [4]int, ok bool) {
	const units = "YMWD"
	maxDigits := [4]int{4, 5, 5, 6}
	if len(s) < 2 || s[0] != 'P' {
		return n, false
	}
	next := 0 // units come in order, each at most once
	for i := 1; i < len(s); {
		j := i
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j == i || j == len(s) {
			return n, false
		}
		u := strings.IndexByte(units[next:], s[j])
		if u < 0 {
			return n, false
		}
		u += next
		if j-i > maxDigits[u] {
			return n, false
		}
		n[u], _ = strconv.Atoi(s[i:j])
		next, i = u+1, j+1
	}
	return n, true
}

// After returns t plus d.
func (d Duration) After(t time.Time) time.Time { return t.AddDate(d.Years, d.Months, d.Days) }
