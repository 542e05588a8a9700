package consent

import (
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// Private is the body of a member's full consent record: what stays in the
// member's node. It names the receipt it completes and adds the details the
// co-op does not need (item titles, the notice text's location, contacts).
// It is signed by the same consent key as the receipt, so the two together
// are the member's complete, verifiable ISO/IEC TS 27560 record.
type Private struct {
	Receipt     record.ID    `json:"receipt"`
	Items       []ItemDetail `json:"items,omitempty"`
	Storage     string       `json:"storageLocation"`
	Reason      string       `json:"reason,omitempty"`
	MemberName  string       `json:"memberName,omitempty"`
	AgreementTi string       `json:"agreementTitle"`
}

// ItemDetail describes an item privately.
type ItemDetail struct {
	Digest    Item     `json:"digest"`
	Title     string   `json:"title"`
	MediaType string   `json:"mediaType"`
	Size      int64    `json:"size"`
	Tags      []string `json:"tags,omitempty"`
}

// Controller is the party the data is shared with: the co-op.
type Controller struct {
	ID   record.ID
	Name string
}

// DocumentInput is what a full 27560 record is rendered from.
type DocumentInput struct {
	RecordID  record.ID // the private record's ID (27560 record id)
	ReceiptID record.ID
	Principal record.PublicKey
	Time      time.Time // event time
	Receipt   Receipt
	Private   *Private // nil when this node does not hold it (another member's receipt)
	Controller
	AgreementTitle string
	VersionNumber  int
}

// Document renders a consent record with ISO/IEC TS 27560's information,
// named as W3C DPV names it (27560's names in the comments where they
// differ), ready to be marshalled as JSON.
func Document(in DocumentInput) map[string]any {
	r := in.Receipt
	purposes := make([]map[string]any, 0, len(r.Purposes))
	for _, p := range r.Purposes {
		purposes = append(purposes, map[string]any{"purpose": purposeTerm(p), "label": p.Label(), "legalBasis": "dpv:" + LegalBasis})
	}
	personal := []map[string]any{}
	if in.Private != nil {
		for _, it := range in.Private.Items {
			personal = append(personal, map[string]any{"sha256": it.Digest, "title": it.Title, "mediaType": it.MediaType, "size": it.Size})
		}
	} else {
		for _, it := range r.Items {
			personal = append(personal, map[string]any{"sha256": it})
		}
	}
	doc := map[string]any{
		"@context":      map[string]string{"dpv": "https://w3id.org/dpv#", "ai": "https://w3id.org/dpv/ai#"},
		"schemaVersion": r.Schema,
		"recordId":      in.RecordID, // 27560: record id
		"receiptId":     in.ReceiptID,
		// 27560: PII principal id. A pseudonymous key for this co-op, never the member's name.
		"dataSubject": map[string]any{"id": in.Principal, "type": "dpv:DataSubject", "pseudonymous": true},
		"dataController": []map[string]any{{ // 27560: PII controllers
			"id": in.Controller.ID, "name": in.Controller.Name, "type": "dpv:DataController",
			"address": "a co-operative without servers: reach it through any member's coopnode node",
		}},
		"notice": map[string]any{ // 27560: privacy notice
			"agreement": r.Agreement, "version": r.Version, "versionNumber": in.VersionNumber,
			"title": in.AgreementTitle, "sha256": r.Notice,
		},
		"language":               r.Language,
		"purposes":               purposes,
		"personalData":           personal,     // 27560: PII information
		"personalDataCategories": r.Categories, // 27560: PII type
		"recipients":             r.Recipients, // 27560: recipient third parties
		"retention":              r.Retention,
		"jurisdiction":           r.Jurisdiction,
		"withdrawalMethod":       r.WithdrawalMethod,
		"legalBasis":             "dpv:" + r.LegalBasis,
		"collectionMethod":       "signed by the data subject's consent key in coopnode",
		"event": map[string]any{
			"time": in.Time.UTC().Format(time.RFC3339), "type": r.Event, "entity": in.Principal,
			"validFrom": r.ValidFrom, "validUntil": r.ValidUntil, // 27560: validity duration
		},
		"consentStatus": "dpv:" + string(r.Status), // 27560: event state
	}
	if !r.Withdraws.IsZero() {
		doc["withdraws"] = r.Withdraws
	}
	if in.Private != nil {
		doc["storageLocations"] = []string{in.Private.Storage}
	} else {
		doc["storageLocations"] = []string{"the data subject's own coopnode node"}
	}
	return doc
}

// purposeTerm writes a purpose as a compact IRI: DPV AI-extension terms
// keep their "ai:" prefix, core terms get "dpv:" (see the @context).
func purposeTerm(p Purpose) string {
	if strings.HasPrefix(string(p), "ai:") {
		return string(p)
	}
	return "dpv:" + string(p)
}
