// Package consent is the pure domain of members' consent to uses of their
// data: the words (W3C DPV purposes and consent statuses, ISO/IEC TS 27560
// field names), the consent receipt a member shares with the co-op, the
// derivation of consent status from receipts, and the machine-readable
// preferences (aipref, TDMRep, CAWG training-and-data-mining) a member can
// publish. It imports no storage and no networking: status is a pure
// function of the receipts, a point in time and a causal past.
package consent

import (
	"fmt"
	"slices"
)

// Purpose is a W3C DPV purpose term, e.g. "ResearchAndDevelopment" or,
// from DPV's AI extension, "ai:ModelTraining".
type Purpose string

// PurposeInfo describes one purpose for people.
type PurposeInfo struct {
	ID          Purpose
	Label       string
	Description string
}

// Purposes are the DPV purposes an agreement may name, in display order.
var Purposes = []PurposeInfo{
	{"ResearchAndDevelopment", "Research and development", "Research and development of new products, services or knowledge"},
	{"CommercialResearch", "Commercial research", "Research done for commercial ends"},
	{"NonCommercialResearch", "Non-commercial research", "Research done with no commercial ends"},
	{"ScientificResearch", "Scientific research", "Research that follows the scientific method"},
	{"AcademicResearch", "Academic research", "Research by academic institutions"},
	{"CommercialPurpose", "Commercial use", "Any use for commercial ends"},
	{"NonCommercialPurpose", "Non-commercial use", "Any use with no commercial ends"},
	{"DataAltruism", "Data altruism", "Making data available for the general interest, with no reward"},
	{"SellDataToThirdParties", "Selling the data", "Licensing or selling the data itself to others"},
	{"SellInsightsFromData", "Selling insights", "Selling insights or statistics derived from the data"},
	{"PublicBenefit", "Public benefit", "Uses that benefit the public"},
	{"ai:ModelTraining", "AI model training", "Training AI models (DPV AI extension)"},
	{"ai:ModelFineTuning", "AI model fine-tuning", "Fine-tuning existing AI models (DPV AI extension)"},
}

// Info returns p's description, or false if p is not a purpose we know.
func (p Purpose) Info() (PurposeInfo, bool) {
	for _, i := range Purposes {
		if i.ID == p {
			return i, true
		}
	}
	return PurposeInfo{}, false
}

// Label is p's human name (p itself when unknown).
func (p Purpose) Label() string {
	if i, ok := p.Info(); ok {
		return i.Label
	}
	return string(p)
}

// CheckPurposes checks ps are known, non-empty and without duplicates.
func CheckPurposes(ps []Purpose) error {
	if len(ps) == 0 {
		return fmt.Errorf("name at least one purpose")
	}
	seen := map[Purpose]bool{}
	for _, p := range ps {
		if _, ok := p.Info(); !ok {
			return fmt.Errorf("purpose %q is not a DPV purpose coopnode knows (known: %v)", p, purposeIDs())
		}
		if seen[p] {
			return fmt.Errorf("purpose %q is named twice", p)
		}
		seen[p] = true
	}
	return nil
}

func purposeIDs() []Purpose {
	out := make([]Purpose, len(Purposes))
	for i, p := range Purposes {
		out[i] = p.ID
	}
	return out
}

// Status is a DPV consent status.
type Status string

// DPV consent statuses.
const (
	Requested    Status = "ConsentRequested"
	Given        Status = "ConsentGiven"
	Refused      Status = "ConsentRefused"
	Withdrawn    Status = "ConsentWithdrawn"
	Revoked      Status = "ConsentRevoked"
	Expired      Status = "ConsentExpired"
	Invalidated  Status = "ConsentInvalidated"
	RenewedGiven Status = "RenewedConsentGiven"
)

// Valid reports whether s is given consent (ConsentGiven or RenewedConsentGiven).
func (s Status) Valid() bool { return s == Given || s == RenewedGiven }

// Words says s in plain words.
func (s Status) Words() string {
	switch s {
	case Given, RenewedGiven:
		return "consent given"
	case Withdrawn:
		return "consent withdrawn"
	case Expired:
		return "consent expired"
	case Refused:
		return "opted out"
	case Invalidated:
		return "no longer valid"
	case Requested:
		return "not valid yet"
	case "":
		return "not asked yet"
	}
	return string(s)
}

// Event types of a receipt (27560's event type).
const (
	EventGrant    = "grant"
	EventWithdraw = "withdraw"
	EventRefuse   = "refuse"
)

// CategoryAll, as a receipt's category, covers every item of the member,
// including items added later.
const CategoryAll = "all"

// RecipientAnyone, as a recipient class, means anyone at all: consent to
// it is consent without a licence (what a public signal can say "allowed" to).
const RecipientAnyone = "anyone"

// LegalBasis is the DPV legal basis of every receipt: consent the member
// expressed with a signature.
const LegalBasis = "ExplicitlyExpressedConsent"

// SchemaVersion names the receipt schema and the standards it follows.
const SchemaVersion = "coopnode-consent/1 (ISO/IEC TS 27560:2023; W3C DPV 2.0)"

// WithdrawalMethod is how a member withdraws, written into every receipt.
const WithdrawalMethod = "In coopnode: the My data view (Withdraw), or `coopnode consent withdraw RECEIPT`; effective from the signed withdrawal record"

func sortedUnique[T ~string](xs []T) bool {
	return slices.IsSorted(xs) && len(slices.Compact(slices.Clone(xs))) == len(xs)
}
