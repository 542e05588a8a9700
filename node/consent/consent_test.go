package consent

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

var (
	t0       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	alice    = record.PublicKey{1}
	bob      = record.PublicKey{2}
	v1, v2   = record.ID{0xa1}, record.ID{0xa2}
	photo    = Item{7}
	song     = Item{8}
	training = Purpose("ai:ModelTraining")
	research = Purpose("ResearchAndDevelopment")
)

func rid(n byte) record.ID { return record.ID{0xee, n} }

// past returns a Past holding exactly ids.
func past(ids ...record.ID) Past {
	m := map[record.ID]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return func(id record.ID) bool { return m[id] }
}

func TestGrantStatus(t *testing.T) {
	g := &Grant{ID: rid(1), Principal: alice, Version: v1, Purposes: []Purpose{training}, Items: []Item{photo},
		Recipients: []string{"ai-developers"}, From: t0, Until: t0.AddDate(1, 0, 0), Withdrawals: []record.ID{rid(2)}, Removal: rid(3)}
	open := &Grant{ID: rid(4), From: t0} // no end
	for _, tc := range []struct {
		name string
		g    *Grant
		at   time.Time
		past Past
		want Status
	}{
		{"in force", g, t0.Add(time.Hour), past(rid(1)), Given},
		{"exactly at validFrom", g, t0, past(rid(1)), Given},
		{"before validFrom", g, t0.Add(-time.Second), past(rid(1)), Requested},
		{"one second before validUntil", g, t0.AddDate(1, 0, 0).Add(-time.Second), past(rid(1)), Given},
		{"exactly at validUntil", g, t0.AddDate(1, 0, 0), past(rid(1)), Expired},
		{"withdrawn in the past", g, t0.Add(time.Hour), past(rid(1), rid(2)), Withdrawn},
		{"withdrawal outside the past: still given", g, t0.Add(time.Hour), past(rid(1), rid(9)), Given},
		{"member left", g, t0.Add(time.Hour), past(rid(1), rid(3)), Invalidated},
		{"withdrawn and left: withdrawn", g, t0.Add(time.Hour), past(rid(1), rid(2), rid(3)), Withdrawn},
		{"grant not in the past", g, t0.Add(time.Hour), past(rid(9)), ""},
		{"now (nil past) sees the withdrawal", g, t0.Add(time.Hour), nil, Withdrawn},
		{"no end never expires", open, t0.AddDate(50, 0, 0), nil, Given},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.g.StatusAt(tc.at, tc.past); got != tc.want {
				t.Fatalf("StatusAt = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBook(t *testing.T) {
	var b Book
	at := t0.Add(time.Hour)
	g1 := &Grant{ID: rid(1), Principal: alice, Version: v1, Purposes: []Purpose{research, training}, Items: []Item{photo},
		Recipients: []string{"ai-developers", "researchers"}, From: t0, Time: t0}
	g2 := &Grant{ID: rid(2), Principal: bob, Version: v1, Purposes: []Purpose{training}, Categories: []string{CategoryAll},
		Recipients: []string{"researchers"}, From: t0, Time: t0}
	g3 := &Grant{ID: rid(3), Principal: alice, Version: v2, Purposes: []Purpose{training}, Categories: []string{"landscapes"},
		Recipients: []string{"ai-developers"}, From: t0, Until: t0.Add(30 * time.Minute), Time: t0.Add(time.Minute)}
	for _, g := range []*Grant{g1, g2, g3} {
		b.Add(g)
	}
	b.Refusals = append(b.Refusals, Refusal{ID: rid(4), Principal: bob, Version: v2, Time: t0})
	ids := func(gs []*Grant) (out []byte) {
		for _, g := range gs {
			out = append(out, g.ID[1])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    Query
		want []byte
	}{
		{"training, any recipient", Query{Purpose: training, At: at}, []byte{1, 2}},
		{"training for researchers", Query{Purpose: training, Recipient: "researchers", At: at}, []byte{1, 2}},
		{"training for AI developers", Query{Purpose: training, Recipient: "ai-developers", At: at}, []byte{1}},
		{"while g3 is in force", Query{Purpose: training, Recipient: "ai-developers", At: t0.Add(time.Minute)}, []byte{1, 3}},
		{"version 1 only", Query{Purpose: training, At: t0.Add(time.Minute), Version: v1}, []byte{1, 2}},
		{"research", Query{Purpose: research, At: at}, []byte{1}},
		{"a purpose nobody granted", Query{Purpose: "DataAltruism", At: at}, nil},
		{"at a point that has seen only g2", Query{Purpose: training, At: at, Past: past(rid(2))}, []byte{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(b.Usable(tc.q)); string(got) != string(tc.want) {
				t.Fatalf("Usable = %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name      string
		principal record.PublicKey
		item      Item
		tags      []string
		purpose   Purpose
		version   record.ID
		at        time.Time
		want      Status
	}{
		{"named item", alice, photo, nil, training, v1, at, Given},
		{"other item", alice, song, nil, training, v1, at, ""},
		{"category all covers every item", bob, song, nil, training, v1, at, Given},
		{"tag category", alice, song, []string{"landscapes"}, training, v2, t0.Add(time.Minute), Given},
		{"tag category expired", alice, song, []string{"landscapes"}, training, v2, at, Expired},
		{"tag not carried", alice, song, []string{"portraits"}, training, v2, t0.Add(time.Minute), ""},
		{"opted out of version 2", bob, song, nil, training, v2, at, Refused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := b.ItemStatus(tc.principal, tc.item, tc.tags, tc.purpose, tc.version, tc.at, nil)
			if got != tc.want {
				t.Fatalf("ItemStatus = %q, want %q", got, tc.want)
			}
		})
	}
}

func validGrant() Receipt {
	return Receipt{Schema: SchemaVersion, Event: EventGrant, Status: Given, Key: rid(9), Agreement: v1, Version: v1,
		Notice: strings.Repeat("ab", 32), Purposes: []Purpose{research, training}, Items: []Item{photo},
		Recipients: []string{"ai-developers"}, Retention: "P3Y", ValidFrom: t0.Format(time.RFC3339),
		LegalBasis: LegalBasis, WithdrawalMethod: WithdrawalMethod}
}

func TestReceiptCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Receipt)
		want string // "" = valid
	}{
		{"valid grant", func(*Receipt) {}, ""},
		{"renewed", func(r *Receipt) { r.Status = RenewedGiven }, ""},
		{"grant recording withdrawal", func(r *Receipt) { r.Status = Withdrawn }, "a grant records"},
		{"unknown purpose", func(r *Receipt) { r.Purposes = []Purpose{"Marketing"} }, "not a DPV purpose"},
		{"unsorted purposes", func(r *Receipt) { r.Purposes = []Purpose{training, research} }, "sorted"},
		{"nothing covered", func(r *Receipt) { r.Items = nil }, "items (by digest) or categories"},
		{"no recipients", func(r *Receipt) { r.Recipients = nil }, "recipients"},
		{"until before from", func(r *Receipt) { r.ValidUntil = t0.Add(-time.Hour).Format(time.RFC3339) }, "must come after"},
		{"bad time", func(r *Receipt) { r.ValidFrom = "yesterday" }, "validFrom"},
		{"bad retention", func(r *Receipt) { r.Retention = "3 years" }, "ISO 8601"},
		{"withdrawal without grant", func(r *Receipt) {
			*r = Receipt{Schema: SchemaVersion, Event: EventWithdraw, Status: Withdrawn, Key: rid(9), Agreement: v1, Version: v1, Notice: r.Notice, LegalBasis: LegalBasis, WithdrawalMethod: "x"}
		}, "names the grant"},
		{"withdrawal with purposes", func(r *Receipt) { r.Event, r.Status, r.Withdraws = EventWithdraw, Withdrawn, rid(1) }, "ends one grant whole"},
		{"refusal", func(r *Receipt) { r.Event, r.Status, r.Items = EventRefuse, Refused, nil }, ""},
		{"unknown event", func(r *Receipt) { r.Event = "maybe" }, "eventType"},
		{"no withdrawal method", func(r *Receipt) { r.WithdrawalMethod = "" }, "how to withdraw"},
		{"wrong schema", func(r *Receipt) { r.Schema = "v0" }, "schemaVersion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validGrant()
			tc.edit(&r)
			err := r.Check()
			if tc.want == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]Duration{"P3Y": {Years: 3}, "P18M": {Months: 18}, "P1Y6M": {Years: 1, Months: 6}, "P2W": {Days: 14}, "P90D": {Days: 90}} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "P", "3Y", "P1.5Y", "PT5H", "P1000Y", "P0D", "P2000000000000000000W"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestPreferences(t *testing.T) {
	for _, tc := range []struct {
		name         string
		uses         []Use
		contentUsage string
		reservation  int
		entries      map[string]string
	}{
		{"nothing consented", nil, "train-ai=n", 1,
			map[string]string{"ai_training": "notAllowed", "ai_generative_training": "notAllowed", "data_mining": "notAllowed", "ai_inference": "notAllowed"}},
		{"training under licence only", []Use{{Purpose: training, Recipients: []string{"ai-developers"}, Terms: "Photo licence v1"}}, "train-ai=n", 1,
			map[string]string{"ai_training": "constrained", "ai_generative_training": "constrained", "data_mining": "notAllowed", "ai_inference": "notAllowed"}},
		{"training for anyone", []Use{{Purpose: "ai:ModelFineTuning", Recipients: []string{RecipientAnyone}}}, "train-ai=y", 1,
			map[string]string{"ai_training": "allowed", "data_mining": "notAllowed"}},
		{"research for anyone", []Use{{Purpose: research, Recipients: []string{RecipientAnyone}}}, "train-ai=n", 0,
			map[string]string{"ai_training": "notAllowed", "data_mining": "allowed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Preferences(tc.uses, "https://coop.example/licence")
			if s.ContentUsage != tc.contentUsage || s.TDMReservation != tc.reservation {
				t.Fatalf("aipref %q tdm-reservation %d", s.ContentUsage, s.TDMReservation)
			}
			for k, v := range tc.entries {
				if got := s.TrainingMining[k].Use; got != v {
					t.Errorf("%s = %s, want %s", k, got, v)
				}
			}
			if e := s.TrainingMining["ai_training"]; e.Use == "constrained" && !strings.Contains(e.ConstraintInfo, "Photo licence v1") {
				t.Errorf("constraint_info %q does not name the agreement", e.ConstraintInfo)
			}
			var tdm []map[string]any
			if err := json.Unmarshal([]byte(s.TDMRepJSON("/photos/")), &tdm); err != nil || tdm[0]["tdm-reservation"] != float64(tc.reservation) {
				t.Fatalf("TDMRep JSON %s: %v", s.TDMRepJSON("/photos/"), err)
			}
			if (tc.reservation == 1) != (tdm[0]["tdm-policy"] != nil) {
				t.Fatalf("tdm-policy goes with a reservation only: %v", tdm)
			}
			var cawg struct {
				Label string
				Data  struct{ Entries map[string]MiningEntry }
			}
			if err := json.Unmarshal([]byte(s.TrainingMiningJSON()), &cawg); err != nil || cawg.Label != "cawg.training-mining" || len(cawg.Data.Entries) != 4 || cawg.Data.Entries["cawg.ai_training"].Use != s.TrainingMining["ai_training"].Use {
				t.Fatalf("CAWG JSON %s: %v", s.TrainingMiningJSON(), err)
			}
		})
	}
}

func TestDocumentHas27560Fields(t *testing.T) {
	r := validGrant()
	doc := Document(DocumentInput{RecordID: rid(1), ReceiptID: rid(2), Principal: alice, Time: t0, Receipt: r,
		Private:    &Private{Receipt: rid(2), Items: []ItemDetail{{Digest: photo, Title: "Harbour at dawn", MediaType: "image/jpeg", Size: 12}}, Storage: "laptop"},
		Controller: Controller{ID: rid(3), Name: "Riverside"}, AgreementTitle: "Photo licence", VersionNumber: 1})
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"schemaVersion", "recordId", "receiptId", "dataSubject", "notice", "language", "purposes", "personalData",
		"dataController", "storageLocations", "retention", "jurisdiction", "recipients", "withdrawalMethod", "personalDataCategories",
		"event", "validUntil", "consentStatus", "legalBasis", "dpv:ResearchAndDevelopment", "ai:ModelTraining", "Harbour at dawn"} {
		if !strings.Contains(string(raw), `"`+f) {
			t.Errorf("the 27560 document lacks %q: %s", f, raw)
		}
	}
	if strings.Contains(string(raw), "Alice") {
		t.Error("the document names the member")
	}
}

// durationRE is the rule ParseDuration implements by hand.
var durationRE = regexp.MustCompile(`^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?$`)

// parseDurationRE is ParseDuration as it was written, over durationRE.
func parseDurationRE(s string) (Duration, bool) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" {
		return Duration{}, false
	}
	n := func(x string) int { v, _ := strconv.Atoi(x); return v }
	return Duration{Years: n(m[1]), Months: n(m[2]), Days: n(m[3])*7 + n(m[4])}, true
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"P3Y", "P18M", "P1Y6M", "P2W", "P90D", "P1Y2M3W4D", "P", "", "PT1H", "P1M1Y", "P1Y1Y",
		"P12345Y", "P1234Y", "P123456D", "P1234567D", "P0D", "PY", "P1", "p1Y", "P١Y", "P 1Y", "P1Y ", "P007M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, ok := parseDurationRE(s)
		n, got := durationParts(s)
		if got != ok {
			t.Fatalf("%q: parsed %v, the expression says %v", s, got, ok)
		}
		if ok && (Duration{Years: n[0], Months: n[1], Days: n[2]*7 + n[3]}) != want {
			t.Fatalf("%q: %v, the expression says %v", s, n, want)
		}
	})
}
