package node

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
	"github.com/coopnode/coopnode/node/vault"
)

// TestDataAndConsentAcrossNodes: a member adds an item to their vault,
// consents to an adopted agreement for it, and withdraws; the founder's node
// sees the receipts (by pseudonymous key, never the item or its title), and
// a new version of the agreement asks again.
func TestDataAndConsentAcrossNodes(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { return now }
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	bhome := filepath.Join(t.TempDir(), "b")
	b, err := Join(bhome, a.CoopID(), pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	req, err := b.RequestJoin("Bo", "inv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Admit(req, ""); err != nil {
		t.Fatal(err)
	}
	nodes := []*Node{a, b}
	sync := func() {
		t.Helper()
		for _, from := range nodes {
			for _, to := range nodes {
				if err := to.Put(recordsOf(t, from)...); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	sync()
	adopt := func(terms coop.AgreementTerms) *coop.AgreementVersion {
		t.Helper()
		p, err := a.Propose(coop.Proposal{Title: "Adopt " + terms.Title, Body: "As drafted.", Kind: coop.KindAgreement, Method: tally.Majority,
			Closes: now.Add(time.Hour).Format(record.TimeFormat), Agreement: &terms})
		if err != nil {
			t.Fatal(err)
		}
		sync()
		for _, n := range nodes {
			if _, err := n.Vote(p.ID, tally.Ballot{Position: tally.Yes}); err != nil {
				t.Fatal(err)
			}
		}
		sync()
		now = now.Add(2 * time.Hour)
		if _, err := a.CloseProposal(p.ID); err != nil {
			t.Fatal(err)
		}
		sync()
		tell(t, b)
		sync()
		v, ok := b.State().Version(p.ID)
		if !ok {
			t.Fatalf("version not adopted: %v", b.Problems())
		}
		return v
	}
	terms := coop.AgreementTerms{Title: "Photo licence", Text: "Members' photos may be licensed to AI developers and researchers.",
		Purposes: []consent.Purpose{"ResearchAndDevelopment", "ai:ModelTraining"}, Recipients: []string{"ai-developers", "researchers"},
		Royalty: coop.Royalty{Standard: exact.R(1, 2), Extended: exact.R(3, 4)}, Retention: "P3Y", Jurisdiction: "EU", Language: "en"}
	v1 := adopt(terms)

	// Bo adds a photo: a distinctive marker, so we can look for it on disk.
	marker := make([]byte, 64)
	rand.Read(marker)
	content := bytes.Repeat(marker, 2000)
	item, err := b.AddData(bytes.NewReader(content), "harbour.jpg", "Harbour at dawn", []string{"Landscapes"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if item.Digest != vault.Digest(sha256.Sum256(content)) || item.Size != int64(len(content)) || item.MediaType != "image/jpeg" || item.Tags[0] != "landscapes" {
		t.Fatalf("item %+v", item)
	}
	// Encrypted at rest: neither the content nor the title is anywhere in Bo's home.
	filepath.WalkDir(bhome, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil // the lock file, say
		}
		if bytes.Contains(raw, marker[:32]) || bytes.Contains(raw, []byte("Harbour at dawn")) {
			t.Errorf("%s holds the item's bytes or title in the clear", p)
		}
		return nil
	})
	rd, err := b.OpenData(item.Digest)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(rd)
	rd.Close()
	if err != nil || !bytes.Equal(back, content) {
		t.Fatalf("read back: %v", err)
	}

	// Two clicks: allow AI training for this photo.
	recs, err := b.SetItemConsent(item.Digest, v1, "ai:ModelTraining", true)
	if err != nil || len(recs) != 1 {
		t.Fatalf("grant: %v %v", recs, err)
	}
	grant := recs[0]
	sync()
	q := consent.Query{Purpose: "ai:ModelTraining", Recipient: "ai-developers", At: now}
	use := a.State().Consents().Usable(q)
	if len(use) != 1 || use[0].Principal != b.ConsentKey() || use[0].Items[0] != consent.Item(item.Digest) {
		t.Fatalf("the founder's node sees %v", use)
	}
	if _, ok := a.State().MemberByKey(b.ConsentKey()); ok {
		t.Fatal("the consent key is a member key")
	}
	for _, r := range recordsOf(t, b) {
		if bytes.Contains(r.Payload, []byte("Harbour")) || bytes.Contains(r.Payload, []byte("Bo\"")) && r.Type == coop.TypeReceipt {
			t.Fatalf("shared record %s (%s) carries private details", r.ID.Short(), r.Type)
		}
	}
	doc, err := b.ConsentDocument(grant.ID)
	if err != nil || doc["receiptId"] != grant.ID || doc["recordId"] == (record.ID{}) {
		t.Fatalf("27560 document %v %v", doc, err)
	}
	// Research stays off; allowing it again is a no-op for training.
	if again, err := b.SetItemConsent(item.Digest, v1, "ai:ModelTraining", true); err != nil || len(again) != 0 {
		t.Fatalf("allowing twice: %v %v", again, err)
	}

	// Opt in to everything, then stop training for this photo: the research
	// part stays in force, training ends from the withdrawal on.
	now = now.Add(time.Minute)
	all, err := b.Grant(GrantInput{Version: v1, Categories: []string{consent.CategoryAll}})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	stop, err := b.SetItemConsent(item.Digest, v1, "ai:ModelTraining", false)
	if err != nil {
		t.Fatal(err)
	}
	// Withdraw the single grant, withdraw the opt-in and grant its research part again.
	if len(stop) != 3 {
		t.Fatalf("stopping made %d receipts", len(stop))
	}
	sync()
	s := a.State()
	if u := s.Consents().Usable(consent.Query{Purpose: "ai:ModelTraining", At: now}); len(u) != 0 {
		t.Fatalf("training still allowed: %v", u)
	}
	if u := s.Consents().Usable(consent.Query{Purpose: "ResearchAndDevelopment", At: now}); len(u) != 1 || u[0].Categories[0] != consent.CategoryAll {
		t.Fatalf("research after stopping training: %v", u)
	}
	g, _ := s.Consents().Grant(all.ID)
	if g.StatusAt(now, nil) != consent.Withdrawn {
		t.Fatal("the opt-in is not withdrawn")
	}
	if st, _ := b.State().Consents().ItemStatus(b.ConsentKey(), consent.Item(item.Digest), item.Tags, "ai:ModelTraining", v1.ID, now, nil); st != consent.Withdrawn {
		t.Fatalf("item status %q", st)
	}

	// Version 2: nothing carried over.
	t2 := terms
	t2.Replaces, t2.Text = v1.ID, terms.Text+" Insights may be sold."
	t2.Purposes = []consent.Purpose{"ResearchAndDevelopment", "SellInsightsFromData", "ai:ModelTraining"}
	v2 := adopt(t2)
	if v2.Number != 2 || v2.Agreement != v1.ID {
		t.Fatalf("version 2: %+v", v2)
	}
	if st, _ := b.State().Consents().ItemStatus(b.ConsentKey(), consent.Item(item.Digest), item.Tags, "ResearchAndDevelopment", v2.ID, now, nil); st != "" {
		t.Fatalf("version 2 status %q before Bo answers", st)
	}
	if _, err := b.Refuse(v2, "not for sale"); err != nil {
		t.Fatal(err)
	}
	// Removing the item is recorded; the consent history stays.
	now = now.Add(time.Minute)
	if err := b.RemoveData(item.Digest, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.OpenData(item.Digest); !strings.Contains(errString(err), "no such data item") {
		t.Fatalf("open removed item: %v", err)
	}
	log, err := b.ActivityLog()
	if err != nil || log[0].Type != TypeDataRemoved {
		t.Fatalf("activity log: %v", err)
	}
	sync()
	if a.State().Digest() != b.State().Digest() {
		t.Fatal("digests differ")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// soloCoop is a founder alone, with an adopted agreement.
func soloCoop(t *testing.T) (*Node, *coop.AgreementVersion) {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	terms := coop.AgreementTerms{Title: "Photo licence", Text: "Photos may be licensed.", Purposes: []consent.Purpose{"ResearchAndDevelopment", "ai:ModelTraining"},
		Recipients: []string{"researchers"}, Royalty: coop.Royalty{Standard: exact.R(1, 2), Extended: exact.R(3, 4)}, Retention: "P3Y", Jurisdiction: "EU", Language: "en"}
	p, err := a.Propose(coop.Proposal{Title: "Adopt", Body: ".", Kind: coop.KindAgreement, Method: tally.Majority,
		Closes: now.Add(time.Hour).Format(record.TimeFormat), Agreement: &terms})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(p.ID, tally.Ballot{Position: tally.Yes}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	if _, err := a.CloseProposal(p.ID); err != nil {
		t.Fatal(err)
	}
	v, _ := a.State().Version(p.ID)
	return a, v
}

// Stopping two items at once, from two goroutines (two clicks in the UI):
// both end up stopped, and nothing else changes.
func TestSetItemConsentConcurrently(t *testing.T) {
	a, v := soloCoop(t)
	var items []ItemMeta
	for _, s := range []string{"one", "two", "three"} {
		m, err := a.AddData(strings.NewReader(s), s+".txt", "", []string{"Family"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, m)
	}
	if _, err := a.Grant(GrantInput{Version: v, Categories: []string{consent.CategoryAll}, Purposes: []consent.Purpose{"ai:ModelTraining"}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, m := range items[:2] {
		wg.Go(func() {
			if _, err := a.SetItemConsent(m.Digest, v, "ai:ModelTraining", false); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := a.State()
	for i, m := range items {
		st, _ := s.Consents().ItemStatus(a.ConsentKey(), consent.Item(m.Digest), m.Tags, "ai:ModelTraining", v.ID, a.Now(), nil)
		if want := i == 2; (st == consent.Given) != want {
			t.Errorf("item %d: %q", i, st)
		}
	}
	// Tags never leave the node: a grant by tag names the items tagged so.
	g, err := a.Grant(GrantInput{Version: v, Categories: []string{"family"}, Purposes: []consent.Purpose{"ResearchAndDevelopment"}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(g.Payload, []byte("family")) || len(s.Consents().Grants) == 0 {
		t.Fatalf("a tag in a shared receipt: %s", g.Payload)
	}
	if _, err := a.Grant(GrantInput{Version: v, Categories: []string{"holidays"}}); err == nil || !strings.Contains(err.Error(), "no item of yours is tagged") {
		t.Fatalf("a tag no item has: %v", err)
	}
}

// A grant whose stored copy the background check found damaged (its
// signature, say) is still part of the state: the member can still read it
// and withdraw it.
func TestReceiptOfDamagedRecord(t *testing.T) {
	a, v := soloCoop(t)
	g, err := a.Grant(GrantInput{Version: v, Categories: []string{consent.CategoryAll}, Purposes: []consent.Purpose{"ai:ModelTraining"}})
	if err != nil {
		t.Fatal(err)
	}
	a.markBad(g.ID)
	rc, body, err := a.Receipt(g.ID)
	if err != nil || rc.ID != g.ID || len(body.Purposes) != 1 || body.Purposes[0] != "ai:ModelTraining" {
		t.Fatalf("reading a receipt marked damaged: %v %+v", err, body)
	}
	if _, err := a.ConsentDocument(g.ID); err != nil {
		t.Fatalf("its consent document: %v", err)
	}
	w, err := a.Withdraw(g.ID, "changed my mind")
	if err != nil {
		t.Fatalf("withdrawing it: %v", err)
	}
	var wb consent.Receipt
	if err := w.DecodeBody(&wb); err != nil || wb.Agreement != v.Agreement || wb.Notice != v.TextDigest || wb.Language != "en" || wb.Withdraws != g.ID {
		t.Fatalf("the withdrawal: %v %+v", err, wb)
	}
	if _, _, err := a.Receipt(record.ID{1}); !errors.Is(err, ErrNoGrant) {
		t.Fatalf("no such receipt: %v", err)
	}
}

// What the rules refuse is ErrRefused (the caller's to fix); unknown
// references keep their own sentinels; a node that cannot write fails
// with neither.
func TestConsentRefusals(t *testing.T) {
	a, v := soloCoop(t)
	m, err := a.AddData(strings.NewReader("harbour"), "harbour.jpg", "Harbour", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"twin one", "twin two"} { // two items, one title
		if _, err := a.AddData(strings.NewReader(content), "twin.txt", "Twin", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	g, err := a.Grant(GrantInput{Version: v, Items: []vault.Digest{m.Digest}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Withdraw(g.ID, ""); err != nil {
		t.Fatal(err)
	}
	unadopted := *v
	unadopted.ID = record.ID{9} // not an adopted version: only the fold can tell
	items := []vault.Digest{m.Digest}
	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{"no items", func() error { _, err := a.Grant(GrantInput{Version: v}); return err }, ErrRefused},
		{"a tag no item has", func() error { _, err := a.Grant(GrantInput{Version: v, Categories: []string{"holidays"}}); return err }, ErrRefused},
		{"a purpose the version lacks", func() error {
			_, err := a.Grant(GrantInput{Version: v, Items: items, Purposes: []consent.Purpose{"SellDataToThirdParties"}})
			return err
		}, ErrRefused},
		{"not a DPV purpose", func() error {
			_, err := a.Grant(GrantInput{Version: v, Items: items, Purposes: []consent.Purpose{"Marketing"}})
			return err
		}, ErrRefused},
		{"a recipient the version lacks", func() error {
			_, err := a.Grant(GrantInput{Version: v, Items: items, Recipients: []string{"advertisers"}})
			return err
		}, ErrRefused},
		{"ends before it begins", func() error {
			_, err := a.Grant(GrantInput{Version: v, Items: items, Until: a.Now().Add(-time.Hour)})
			return err
		}, ErrRefused},
		{"refused by the co-op's rules", func() error { _, err := a.Grant(GrantInput{Version: &unadopted, Items: items}); return err }, ErrRefused},
		{"withdrawn twice", func() error { _, err := a.Withdraw(g.ID, ""); return err }, ErrRefused},
		{"a purpose of an item the version lacks", func() error {
			_, err := a.SetItemConsent(m.Digest, v, "SellDataToThirdParties", true)
			return err
		}, ErrRefused},
		{"a title two items have", func() error { _, err := a.FindItem("Twin"); return err }, ErrRefused},
		{"no such item", func() error { _, err := a.FindItem("Nothing"); return err }, ErrNoItem},
		{"no such item to consent for", func() error { _, err := a.SetItemConsent(vault.Digest{7}, v, "ai:ModelTraining", true); return err }, ErrNoItem},
		{"no such grant", func() error { _, err := a.Withdraw(record.ID{7}, ""); return err }, ErrNoGrant},
		{"no such version", func() error { _, err := a.FindVersion("0123456789abcdef"); return err }, ErrNoVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			t.Logf("%v", err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != ErrRefused && errors.Is(err, ErrRefused) {
				t.Fatalf("%v is also a refusal", err)
			}
		})
	}
	// A store that cannot be written is not the caller's mistake.
	a.Close()
	for name, do := range map[string]func() error{
		"grant":    func() error { _, err := a.Grant(GrantInput{Version: v, Items: items}); return err },
		"refuse":   func() error { _, err := a.Refuse(v, ""); return err },
		"set item": func() error { _, err := a.SetItemConsent(m.Digest, v, "ai:ModelTraining", true); return err },
	} {
		err := do()
		t.Logf("%s: %v", name, err)
		if err == nil || errors.Is(err, ErrRefused) {
			t.Errorf("%s on a closed node: %v", name, err)
		}
	}
}
