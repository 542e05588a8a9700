package coop

import (
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/record"
)

var benchReceipts = flag.Int("bench-receipts", 20_000, "BenchmarkConsent*: consent receipts in the co-op (the reference co-op has 200,000 across 2,000 members)")

// receiptWorld builds the consent of a reference-shaped co-op: one data
// agreement (two versions), 2,000 members per 200,000 receipts, each member
// granting per item and purpose, with one receipt in ten a withdrawal of
// the member's grant before it.
func receiptWorld(b *testing.B, receipts int) (*consentWorld, []*AgreementVersion) {
	members := max(2000*receipts/200_000, 5)
	w := &consentWorld{govWorld: newGovWorld(b), ckey: map[MemberID]key{}, creg: map[MemberID]record.ID{}}
	all := []consent.Purpose{"AcademicResearch", "CommercialResearch", "ResearchAndDevelopment", "SellInsightsFromData", "ai:ModelFineTuning", "ai:ModelTraining"}
	v1p, v1c := w.adopt(terms("Photo licence", all...))
	t2 := terms("Photo licence", all...)
	t2.Replaces, t2.Text = v1p.ID, t2.Text+" Version 2."
	v2p, v2c := w.adopt(t2)
	s := Fold(w.coop(), w.recs)
	v1, _ := s.Version(v1p.ID)
	v2, _ := s.Version(v2p.ID)
	var ids []MemberID
	for i := range members {
		m := w.admitQuick(w.founder(), fmt.Sprint("member ", i))
		k := newKey(uint64(1_000_000 + i))
		w.ckey[m] = k
		w.creg[m] = w.add(RegisterConsentKey(w.dkey[m], k, w.coop(), m, t0, w.cert[m])).ID
		ids = append(ids, m)
	}
	recipients := [][]string{{"ai-developers"}, {"researchers"}, {"ai-developers", "researchers"}}
	at := tClose.Add(time.Hour)
	last := map[MemberID]*record.Record{} // each member's latest grant
	for j := range receipts {
		m := ids[j%len(ids)]
		v, cl := v1, v1c
		if j%3 == 0 {
			v, cl = v2, v2c
		}
		if prev := last[m]; j%10 == 9 && prev != nil { // withdraw this member's latest grant
			var pb consent.Receipt
			if err := prev.DecodeBody(&pb); err != nil {
				b.Fatal(err)
			}
			delete(last, m)
			w.add(NewReceipt(w.ckey[m], w.coop(), consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Key: w.creg[m],
				Agreement: pb.Agreement, Version: pb.Version, Notice: pb.Notice, Withdraws: prev.ID}, at, prev.ID))
			continue
		}
		item := consent.Item{byte(j), byte(j >> 8), byte(j >> 16), 0xda}
		b := consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Key: w.creg[m], Agreement: v.Agreement, Version: v.ID,
			Notice: v.TextDigest, Purposes: []consent.Purpose{all[j%len(all)], all[(j+2)%len(all)]}, Items: []consent.Item{item},
			Recipients: recipients[j%len(recipients)], ValidFrom: at.Format(time.RFC3339), ValidUntil: at.AddDate(0, 0, 1+j%900).Format(time.RFC3339)}
		last[m] = w.add(NewReceipt(w.ckey[m], w.coop(), b, at, cl.ID))
	}
	return w, []*AgreementVersion{v1, v2}
}

// BenchmarkConsentQuery answers "which items may be used for purpose P by
// recipient R now" for the whole co-op, over -bench-receipts receipts.
func BenchmarkConsentQuery(b *testing.B) {
	w, _ := receiptWorld(b, *benchReceipts)
	s := Fold(w.coop(), w.recs)
	if len(s.Rejected) != 0 {
		b.Fatalf("the benchmark co-op is not valid: %+v", s.Rejected[:min(3, len(s.Rejected))])
	}
	q := consent.Query{Purpose: "ai:ModelTraining", Recipient: "ai-developers", At: tClose.Add(48 * time.Hour)}
	n := len(s.Consents().Usable(q))
	items := map[consent.Item]bool{}
	for _, g := range s.Consents().Usable(q) {
		for _, it := range g.Items {
			items[it] = true
		}
	}
	b.ResetTimer()
	for range b.N {
		if len(s.Consents().Usable(q)) != n {
			b.Fatal("answers differ")
		}
	}
	b.ReportMetric(float64(*benchReceipts), "receipts")
	b.ReportMetric(float64(n), "grants-in-force")
	b.ReportMetric(float64(len(items)), "items")
}

// BenchmarkConsentFold folds the same co-op: what a node pays to know
// every receipt's validity before it can answer.
func BenchmarkConsentFold(b *testing.B) {
	w, _ := receiptWorld(b, *benchReceipts)
	b.ResetTimer()
	for range b.N {
		Fold(w.coop(), w.recs)
	}
	b.ReportMetric(float64(len(w.recs)), "records")
}

// BenchmarkWriteReceipt judges one new consent receipt against a co-op of
// -bench-receipts receipts, as a node does before storing its own write:
// directly (Folder.With) and by folding everything (Fold), side by side.
func BenchmarkWriteReceipt(b *testing.B) {
	w, _ := receiptWorld(b, *benchReceipts)
	last := len(w.recs) - 1
	for w.recs[last].Type != TypeReceipt {
		last--
	}
	benchWrite(b, w.coop(), append(slices.Clone(w.recs[:last]), w.recs[last+1:]...), w.recs[last])
}

// benchWrite compares judging r against rest directly and by a full fold.
func benchWrite(b *testing.B, coopID record.ID, rest []*record.Record, r *record.Record) {
	recs := append(slices.Clone(rest), r)
	f := NewFolder(coopID, rest)
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			s, ok := f.With(r)
			if !ok || s.Applied != stateOf(f).Applied+1 {
				b.Fatalf("not applied directly (%v), or rejected", ok)
			}
		}
		b.ReportMetric(float64(len(recs)), "records")
	})
	b.Run("fold", func(b *testing.B) {
		for range b.N {
			Fold(coopID, recs)
		}
		b.ReportMetric(float64(len(recs)), "records")
	})
}
