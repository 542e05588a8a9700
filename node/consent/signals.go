package consent

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Use is one purpose a member's item may be used for, and by whom.
type Use struct {
	Purpose    Purpose
	Recipients []string
	// Terms names the agreement for a constrained use, e.g.
	// "Riverside data licence v2".
	Terms string
}

// Training-and-data-mining entries (C2PA 1.4 c2pa.training-mining, CAWG
// cawg.training-mining) and the DPV purposes that grant each. No purpose
// coopnode offers grants AI inference, so it is never allowed.
var miningEntries = []struct {
	Entry    string
	Purposes []Purpose
}{
	{"ai_generative_training", []Purpose{"ai:ModelTraining", "ai:ModelFineTuning"}},
	{"ai_inference", nil},
	{"ai_training", []Purpose{"ai:ModelTraining", "ai:ModelFineTuning"}},
	{"data_mining", []Purpose{"ResearchAndDevelopment", "CommercialResearch", "NonCommercialResearch", "ScientificResearch", "AcademicResearch", "SellInsightsFromData"}},
}

// MiningEntry is one entry of a training-and-data-mining assertion.
type MiningEntry struct {
	Use            string `json:"use"` // allowed, notAllowed or constrained
	ConstraintInfo string `json:"constraint_info,omitempty"`
}

// Signals are an item's consent as preferences other tools read.
type Signals struct {
	// ContentUsage is the IETF aipref preference, as an HTTP Structured
	// Field: "train-ai=y" or "train-ai=n".
	ContentUsage string
	// TDMRep is the W3C TDMRep reservation (tdm-reservation, tdm-policy).
	TDMReservation int
	TDMPolicy      string
	// TrainingMining are the c2pa/cawg training-mining entries.
	TrainingMining map[string]MiningEntry
}

// Preferences derives an item's public signals from the uses its member
// allows. The rules, because a public signal speaks to everyone:
//   - an entry is "allowed" only when a purpose that grants it is allowed
//     to RecipientAnyone; "constrained" when it is allowed only to some
//     recipient classes (under licence from the co-op: ConstraintInfo says
//     so); "notAllowed" otherwise;
//   - aipref train-ai is "y" only when ai_training is allowed (a constrained
//     use is a licence, not a preference a crawler can act on), else "n";
//     aipref's "search" has no matching DPV purpose, so it is left out
//     (aipref reads a missing label as no preference);
//   - TDMRep reserves text and data mining (tdm-reservation 1) unless
//     data_mining is allowed; the policy URL, when the member gives one
//     (their co-op's licence page), goes with a reservation.
func Preferences(uses []Use, policyURL string) Signals {
	s := Signals{TrainingMining: map[string]MiningEntry{}}
	for _, e := range miningEntries {
		entry := MiningEntry{Use: "notAllowed"}
		var terms []string
		for _, u := range uses {
			if !slices.Contains(e.Purposes, u.Purpose) {
				continue
			}
			if slices.Contains(u.Recipients, RecipientAnyone) {
				entry = MiningEntry{Use: "allowed"}
				break
			}
			terms = append(terms, fmt.Sprintf("%s for %s (%s)", strings.Join(u.Recipients, ", "), u.Purpose.Label(), u.Terms))
		}
		if entry.Use != "allowed" && len(terms) > 0 {
			slices.Sort(terms)
			terms = slices.Compact(terms)
			entry = MiningEntry{Use: "constrained", ConstraintInfo: "Only under licence from the co-op, to " + strings.Join(terms, "; ")}
		}
		s.TrainingMining[e.Entry] = entry
	}
	s.ContentUsage = "train-ai=n"
	if s.TrainingMining["ai_training"].Use == "allowed" {
		s.ContentUsage = "train-ai=y"
	}
	s.TDMReservation = 1
	if s.TrainingMining["data_mining"].Use == "allowed" {
		s.TDMReservation = 0
	} else {
		s.TDMPolicy = policyURL
	}
	return s
}

// Header is the aipref HTTP header line.
func (s Signals) Header() string { return "Content-Usage: " + s.ContentUsage }

// RobotsLine is the aipref robots.txt line (for the whole site).
func (s Signals) RobotsLine() string { return "Content-Usage: " + s.ContentUsage }

// TDMRepJSON is a TDMRep /.well-known/tdmrep.json entry for the item's location.
func (s Signals) TDMRepJSON(location string) string {
	entry := map[string]any{"location": location, "tdm-reservation": s.TDMReservation}
	if s.TDMPolicy != "" {
		entry["tdm-policy"] = s.TDMPolicy
	}
	b, _ := json.MarshalIndent([]any{entry}, "", "  ")
	return string(b)
}

// TrainingMiningJSON is the assertion in CAWG's form (C2PA 1.4 used the
// label c2pa.training-mining with the same entries).
func (s Signals) TrainingMiningJSON() string {
	entries := map[string]MiningEntry{}
	for k, v := range s.TrainingMining {
		entries[prefixMining+k] = v
	}
	b, _ := json.MarshalIndent(map[string]any{"label": "cawg.training-mining", "data": map[string]any{"entries": entries}}, "", "  ")
	return string(b)
}

const prefixMining = "cawg."
