package coop

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
)

func terms(title string, purposes ...consent.Purpose) AgreementTerms {
	return AgreementTerms{Title: title, Text: title + ": members' photos may be licensed for the purposes below.",
		Purposes: purposes, Recipients: []string{"ai-developers", "researchers"},
		Royalty:   Royalty{Standard: exact.R(1, 2), Extended: exact.R(3, 4)},
		Retention: "P3Y", Jurisdiction: "EU", Language: "en"}
}

// adopt opens an agreement proposal, has everyone vote yes and closes it.
func (w *govWorld) adopt(t AgreementTerms) (prop, cl *record.Record) {
	w.t.Helper()
	p := majority("Adopt " + t.Title)
	p.Kind, p.Agreement = KindAgreement, &t
	prop = w.open(w.ana, p)
	for _, m := range []MemberID{w.ana, w.bo, w.cy, w.di} {
		w.vote(m, prop, yes)
	}
	cl = w.closeAs(w.ana, w.recs, prop.ID, tClose, nil)
	s := Fold(w.coop(), w.recs)
	for _, id := range []record.ID{prop.ID, cl.ID} {
		if r := rejection(s, id); r != "" {
			w.t.Fatalf("record %s rejected: %s", id.Short(), r)
		}
	}
	return prop, cl
}

// consentWorld adds consent keys for Bo and Cy.
type consentWorld struct {
	*govWorld
	ckey map[MemberID]key
	creg map[MemberID]record.ID
}

func newConsentWorld(t testing.TB) *consentWorld {
	w := &consentWorld{govWorld: newGovWorld(t), ckey: map[MemberID]key{}, creg: map[MemberID]record.ID{}}
	for _, m := range []MemberID{w.bo, w.cy} {
		k := newKey(100 + w.n)
		w.n++
		w.ckey[m] = k
		w.creg[m] = w.add(RegisterConsentKey(w.dkey[m], k, w.coop(), m, t0, w.cert[m])).ID
	}
	return w
}

var item1, item2 = consent.Item{1}, consent.Item{2}

func (w *consentWorld) grant(m MemberID, v, cl *record.Record, edit func(*consent.Receipt), at time.Time, prev ...record.ID) (*record.Record, error) {
	s := Fold(w.coop(), w.recs)
	ver, ok := s.Version(v.ID)
	if !ok {
		w.t.Fatalf("version %s not adopted", v.ID.Short())
	}
	b := consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Key: w.creg[m], Agreement: ver.Agreement, Version: v.ID,
		Notice: ver.TextDigest, Language: "en", Purposes: []consent.Purpose{"ai:ModelTraining"}, Items: []consent.Item{item1},
		Recipients: []string{"ai-developers"}, Retention: "P3Y", Jurisdiction: "EU",
		ValidFrom: at.Format(time.RFC3339), ValidUntil: at.AddDate(1, 0, 0).Format(time.RFC3339)}
	if edit != nil {
		edit(&b)
	}
	return NewReceipt(w.ckey[m], w.coop(), b, at, append(prev, cl.ID)...)
}

func (w *consentWorld) withdraw(m MemberID, g *record.Record, at time.Time) *record.Record {
	w.t.Helper()
	var gb consent.Receipt
	if err := g.DecodeBody(&gb); err != nil {
		w.t.Fatal(err)
	}
	return w.add(NewReceipt(w.ckey[m], w.coop(), consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Key: w.creg[m],
		Agreement: gb.Agreement, Version: gb.Version, Notice: gb.Notice, Withdraws: g.ID}, at, g.ID))
}

func TestConsentLifecycle(t *testing.T) {
	w := newConsentWorld(t)
	v1, cl1 := w.adopt(terms("Photo licence", "ResearchAndDevelopment", "ai:ModelTraining"))
	at := tClose.Add(time.Hour)
	g := w.add(w.grant(w.bo, v1, cl1, nil, at))
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, g.ID)
	q := consent.Query{Purpose: "ai:ModelTraining", Recipient: "ai-developers", At: at.Add(time.Minute)}
	if u := s.Consents().Usable(q); len(u) != 1 || u[0].ID != g.ID {
		t.Fatalf("usable after grant: %v", u)
	}
	if st, _ := s.Consents().ItemStatus(w.ckey[w.bo].PublicKey(), item1, nil, "ai:ModelTraining", v1.ID, q.At, nil); st != consent.Given {
		t.Fatalf("item status %q", st)
	}
	// Another recipient, purpose or item: no.
	for _, q2 := range []consent.Query{{Purpose: "ai:ModelTraining", Recipient: "researchers", At: q.At}, {Purpose: "ResearchAndDevelopment", At: q.At}} {
		if u := s.Consents().Usable(q2); len(u) != 0 {
			t.Fatalf("%+v usable: %v", q2, u)
		}
	}
	// Expired a year on; not yet valid before validFrom.
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: at.AddDate(1, 0, 0)}); len(u) != 0 {
		t.Fatal("usable after validUntil")
	}
	gr, _ := s.Consents().Grant(g.ID)
	if st := gr.StatusAt(at.Add(-time.Second), nil); st != consent.Requested {
		t.Fatalf("before validFrom: %q", st)
	}
	// Withdrawn: from the withdrawal on, in its causal past only.
	wd := w.withdraw(w.bo, g, at.Add(2*time.Hour))
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, wd.ID)
	if u := s.Consents().Usable(q); len(u) != 0 {
		t.Fatal("usable after withdrawal")
	}
	gr, _ = s.Consents().Grant(g.ID)
	before := func(id record.ID) bool { return id != wd.ID } // a point that has not seen the withdrawal
	if st := gr.StatusAt(q.At, before); st != consent.Given {
		t.Fatalf("at a point before the withdrawal: %q", st)
	}
	if st, dec := s.Consents().ItemStatus(w.ckey[w.bo].PublicKey(), item1, nil, "ai:ModelTraining", v1.ID, q.At, nil); st != consent.Withdrawn || dec.ID != g.ID {
		t.Fatalf("item status after withdrawal %q", st)
	}
	// Re-grant: in force again.
	g2 := w.add(w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Status = consent.RenewedGiven }, at.Add(3*time.Hour)))
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, g2.ID)
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: at.Add(4 * time.Hour)}); len(u) != 1 || u[0].ID != g2.ID {
		t.Fatalf("after re-grant: %v", u)
	}

	// Version 2 adds a purpose. Consent to version 1 is not consent to version 2.
	t2 := terms("Photo licence", "ResearchAndDevelopment", "SellInsightsFromData", "ai:ModelTraining")
	t2.Replaces = v1.ID
	t2.Text += "\nInsights may be sold."
	v2, cl2 := w.adopt(t2)
	s = Fold(w.coop(), w.recs)
	ag := s.Agreements()
	if len(ag) != 1 || len(ag[0].Versions) != 2 || ag[0].Current().ID != v2.ID || ag[0].Current().Number != 2 || ag[0].ID != v1.ID {
		t.Fatalf("agreements: %+v", ag)
	}
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: at.Add(4 * time.Hour), Version: v2.ID}); len(u) != 0 {
		t.Fatal("consent carried over to version 2")
	}
	if st, _ := s.Consents().ItemStatus(w.ckey[w.bo].PublicKey(), item1, nil, "ai:ModelTraining", v2.ID, at, nil); st != "" {
		t.Fatalf("version 2 unanswered, got %q", st)
	}
	// Cy opts out of version 2.
	ref := w.add(w.grant(w.cy, v2, cl2, func(b *consent.Receipt) {
		b.Event, b.Status, b.Items, b.Purposes, b.Recipients, b.ValidFrom, b.ValidUntil, b.Retention = consent.EventRefuse, consent.Refused, nil, nil, nil, "", "", ""
	}, at))
	s = Fold(w.coop(), w.recs)
	mustAccept(t, s, ref.ID)
	if st, _ := s.Consents().ItemStatus(w.ckey[w.cy].PublicKey(), item1, nil, "ai:ModelTraining", v2.ID, at, nil); st != consent.Refused {
		t.Fatalf("after opt-out: %q", st)
	}
}

func TestConsentRules(t *testing.T) {
	w := newConsentWorld(t)
	v1, cl1 := w.adopt(terms("Photo licence", "ResearchAndDevelopment", "ai:ModelTraining"))
	at := tClose.Add(time.Hour)
	g := w.add(w.grant(w.bo, v1, cl1, nil, at))
	stranger := newKey(999)
	for _, tc := range []struct {
		name string
		rec  func() (*record.Record, error)
		want string
	}{
		{"purpose not in the version", func() (*record.Record, error) {
			return w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Purposes = []consent.Purpose{"SellDataToThirdParties"} }, at)
		}, "not among version 1's purposes"},
		{"recipient not in the version", func() (*record.Record, error) {
			return w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Recipients = []string{"advertisers"} }, at)
		}, "not among version 1's recipients"},
		{"wrong text digest", func() (*record.Record, error) {
			return w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Notice = strings.Repeat("0", 64) }, at)
		}, "text"},
		{"unregistered key", func() (*record.Record, error) {
			s := Fold(w.coop(), w.recs)
			ver, _ := s.Version(v1.ID)
			return NewReceipt(stranger, w.coop(), consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Key: w.creg[w.bo],
				Agreement: ver.Agreement, Version: v1.ID, Notice: ver.TextDigest, Purposes: []consent.Purpose{"ai:ModelTraining"},
				Items: []consent.Item{item2}, Recipients: []string{"ai-developers"}, ValidFrom: at.Format(time.RFC3339)}, at, cl1.ID)
		}, "not a registered consent key"},
		{"withdrawing another member's grant", func() (*record.Record, error) {
			var gb consent.Receipt
			g.DecodeBody(&gb)
			return NewReceipt(w.ckey[w.cy], w.coop(), consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Key: w.creg[w.cy],
				Agreement: gb.Agreement, Version: gb.Version, Notice: gb.Notice, Withdraws: g.ID}, at, g.ID)
		}, "only the member who gave consent"},
		{"version not adopted (the proposal, not its close)", func() (*record.Record, error) {
			s := Fold(w.coop(), w.recs)
			ver, _ := s.Version(v1.ID)
			return NewReceipt(w.ckey[w.bo], w.coop(), consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Key: w.creg[w.bo],
				Agreement: ver.Agreement, Version: v1.ID, Notice: ver.TextDigest, Purposes: []consent.Purpose{"ai:ModelTraining"},
				Items: []consent.Item{item2}, Recipients: []string{"ai-developers"}, ValidFrom: at.Format(time.RFC3339)}, at, v1.ID)
		}, "adopted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.rec()
			if err != nil {
				t.Fatal(err)
			}
			s := Fold(w.coop(), append(w.recs[:len(w.recs):len(w.recs)], r))
			if got := rejection(s, r.ID); !strings.Contains(got, tc.want) {
				t.Fatalf("rejection %q, want %q", got, tc.want)
			}
		})
	}
	// A receipt that breaks its own schema is refused before signing.
	if _, err := w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Items, b.Categories = nil, nil }, at); err == nil {
		t.Fatal("a grant of nothing was built")
	}
	// A consent key registered by another member's device is refused.
	reg, err := RegisterConsentKey(w.dkey[w.cy], newKey(1234), w.coop(), w.bo, t0, w.cert[w.cy])
	if err != nil {
		t.Fatal(err)
	}
	if got := rejection(Fold(w.coop(), append(w.recs[:len(w.recs):len(w.recs)], reg)), reg.ID); !strings.Contains(got, "own devices") {
		t.Fatalf("foreign registration: %q", got)
	}
}

// A member who resigns: their grants end there, and what their consent key
// signs outside the resignation's cut is invalid.
func TestConsentOfMemberWhoLeft(t *testing.T) {
	w := newConsentWorld(t)
	v1, cl1 := w.adopt(terms("Photo licence", "ai:ModelTraining"))
	at := tClose.Add(time.Hour)
	g := w.add(w.grant(w.bo, v1, cl1, nil, at))
	heads := KeyHeads(w.recs, w.mkey[w.bo].PublicKey(), w.dkey[w.bo].PublicKey(), w.ckey[w.bo].PublicKey())
	res := w.add(Resign(w.dkey[w.bo], w.coop(), w.bo, "moving away", at.Add(time.Hour), heads...))
	late := w.add(w.grant(w.bo, v1, cl1, func(b *consent.Receipt) { b.Items = []consent.Item{item2} }, at.Add(2*time.Hour), res.ID))
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, g.ID, res.ID)
	if rejection(s, late.ID) == "" {
		t.Fatal("a receipt signed after the member left was accepted")
	}
	gr, _ := s.Consents().Grant(g.ID)
	if st := gr.StatusAt(at.Add(3*time.Hour), nil); st != consent.Invalidated {
		t.Fatalf("grant of a member who left: %q", st)
	}
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: at.Add(3 * time.Hour)}); len(u) != 0 {
		t.Fatal("usable after the member left")
	}
}

// FuzzConsentBodies: consent receipts and key registrations with any body a
// member could sign never crash the fold, and the fold stays deterministic.
func FuzzConsentBodies(f *testing.F) {
	f.Add(uint8(0), []byte(`{"schemaVersion":"coopnode-consent/1 (ISO/IEC TS 27560:2023; W3C DPV 2.0)","eventType":"grant","consentStatus":"ConsentGiven","purposes":["ai:ModelTraining"],"personalDataCategories":["all"],"recipients":["ai-developers"],"validFrom":"2026-01-01T00:00:00Z"}`))
	f.Add(uint8(0), []byte(`{"eventType":"withdraw","consentStatus":"ConsentWithdrawn","withdraws":"00"}`))
	f.Add(uint8(1), []byte(`{"member":"00","key":"00"}`))
	w := newConsentWorld(f)
	v1, cl1 := w.adopt(terms("Photo licence", "ResearchAndDevelopment", "ai:ModelTraining"))
	g := w.add(w.grant(w.bo, v1, cl1, nil, tClose.Add(time.Hour)))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		signer, typ := record.Signer(w.ckey[w.bo]), TypeReceipt
		if kind%2 == 1 {
			signer, typ = w.dkey[w.bo], TypeConsentKey
		}
		r, err := record.New(signer, typ, 1, w.coop(), tClose.Add(2*time.Hour), []record.ID{w.creg[w.bo], cl1.ID, g.ID, w.cert[w.bo]}, json.RawMessage(body))
		if err != nil {
			return
		}
		recs := append(w.recs[:len(w.recs):len(w.recs)], r)
		a := Fold(w.coop(), recs)
		rev := make([]*record.Record, len(recs))
		for i := range recs {
			rev[i] = recs[len(recs)-1-i]
		}
		if Fold(w.coop(), rev).Digest() != a.Digest() {
			t.Fatal("digest depends on order")
		}
	})
}

// Two devices of one member register the same consent key concurrently: a
// receipt relying on either registration stands.
func TestConsentKeyRegisteredTwice(t *testing.T) {
	w := newConsentWorld(t)
	v1, cl1 := w.adopt(terms("Photo licence", "ai:ModelTraining"))
	dk, cert := w.device(w.bo, "phone")
	reg2 := w.add(RegisterConsentKey(dk, w.ckey[w.bo], w.coop(), w.bo, t0, cert.ID))
	w.creg[w.bo] = reg2.ID
	g := w.add(w.grant(w.bo, v1, cl1, nil, tClose.Add(time.Hour)))
	s := Fold(w.coop(), w.recs)
	mustAccept(t, s, reg2.ID, g.ID)
	if s.ConsentKeyCount() != 2 { // Bo's key, and Cy's
		t.Fatalf("%d consent keys", s.ConsentKeyCount())
	}
}

// Attacks on another member's consent key: registering it without holding
// it is refused; certifying it as one's own device and revoking that
// "device" cuts none of its receipts (cuts go by role).
func TestConsentKeyAttacks(t *testing.T) {
	w := newConsentWorld(t)
	v1, cl1 := w.adopt(terms("Photo licence", "ai:ModelTraining"))
	at := tClose.Add(time.Hour)
	g := w.add(w.grant(w.bo, v1, cl1, nil, at))
	boKey := w.ckey[w.bo].PublicKey()

	// Cy claims Bo's consent key, with a proof she cannot make.
	forged, err := record.New(w.dkey[w.cy], TypeConsentKey, 1, w.coop(), t0, []record.ID{w.cert[w.cy]},
		ConsentKey{Member: w.cy, Key: boKey, Proof: make([]byte, 64)})
	if err != nil {
		t.Fatal(err)
	}
	// ... and signs a proof with her own consent key for Bo's key: still not Bo's key's signature.
	proof, _ := w.ckey[w.cy].Sign(ConsentKeyProof(w.coop(), w.cy, boKey))
	forged2, _ := record.New(w.dkey[w.cy], TypeConsentKey, 1, w.coop(), t0.Add(time.Second), []record.ID{w.cert[w.cy]},
		ConsentKey{Member: w.cy, Key: boKey, Proof: proof})
	// Cy certifies Bo's consent key as a device of hers, then revokes it.
	cert := w.add(certifyV1(w.mkey[w.cy], w.coop(), w.cy, boKey, "not mine", t0, record.ID(w.cy)))
	rev := w.add(RevokeDevice(w.mkey[w.cy], w.coop(), w.cy, boKey, "lost", at, cert.ID))
	recs := append(w.recs[:len(w.recs):len(w.recs)], forged, forged2)
	// Bo withdraws after all that: it must stand, and end the grant.
	var gb consent.Receipt
	g.DecodeBody(&gb)
	wd, err := NewReceipt(w.ckey[w.bo], w.coop(), consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Key: w.creg[w.bo],
		Agreement: gb.Agreement, Version: gb.Version, Notice: gb.Notice, Withdraws: g.ID}, at.Add(time.Hour), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, wd)
	s := Fold(w.coop(), recs)
	for _, f := range []*record.Record{forged, forged2} {
		if got := rejection(s, f.ID); !strings.Contains(got, "proof does not verify") {
			t.Fatalf("forged registration: %q", got)
		}
	}
	mustAccept(t, s, g.ID, wd.ID, w.creg[w.bo], rev.ID)
	if m, _ := s.MemberOfConsentKey(boKey); m != w.bo {
		t.Fatal("Bo's consent key is not Bo's")
	}
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: at.Add(2 * time.Hour)}); len(u) != 0 {
		t.Fatal("the withdrawal did not end the grant")
	}
}

// A proposal to replace a version that a later one already replaced is
// refused: it would silently revert the later version.
func TestStaleReplacement(t *testing.T) {
	w := newConsentWorld(t)
	v1, _ := w.adopt(terms("Photo licence", "ai:ModelTraining"))
	t2 := terms("Photo licence", "ResearchAndDevelopment", "ai:ModelTraining")
	t2.Replaces = v1.ID
	w.adopt(t2)
	t3 := terms("Photo licence", "ai:ModelTraining")
	t3.Replaces, t3.Text = v1.ID, "An older draft."
	p := majority("Adopt a stale draft")
	p.Kind, p.Agreement = KindAgreement, &t3
	stale := w.open(w.ana, p)
	if got := rejection(Fold(w.coop(), w.recs), stale.ID); !strings.Contains(got, "already replaced") {
		t.Fatalf("stale replacement: %q", got)
	}
}
