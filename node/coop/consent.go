package coop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
)

// Consent record types.
const (
	// TypeConsentKey registers a member's pseudonymous consent key; signed
	// by a device of the member. Licensees and auditors see the key, not
	// this record.
	TypeConsentKey = "consent.key"
	// TypeReceipt is a consent receipt (consent.Receipt); signed by a
	// registered consent key.
	TypeReceipt = "consent.receipt"
)

// KindAgreement: a proposal that adopts a version of a data agreement when it passes.
const KindAgreement = "agreement"

// ConsentKey is the body of a TypeConsentKey record. Proof is the consent
// key's own signature over ConsentKeyProof: whoever registers a key must
// hold it, so nobody can claim another member's (or device's) key.
type ConsentKey struct {
	Member MemberID         `json:"member"`
	Key    record.PublicKey `json:"key"`
	Proof  []byte           `json:"proof"`
}

// ConsentKeyProof is what a consent key signs to be registered for member in coopID.
func ConsentKeyProof(coopID record.ID, member MemberID, key record.PublicKey) []byte {
	msg := []byte("coopnode consent key registration v1\x00")
	msg = append(msg, coopID[:]...)
	msg = append(msg, member[:]...)
	return append(msg, key[:]...)
}

// Royalty is the member's share of license revenue under an agreement.
type Royalty struct {
	Standard exact.Ratio `json:"standard"`
	Extended exact.Ratio `json:"extended"`
}

// AgreementTerms are one version of a data agreement, as a proposal of
// kind agreement carries them. Consent is given to exactly one version: a
// new version asks every member again.
type AgreementTerms struct {
	// Replaces is the adopted version this one follows; zero for a new
	// agreement, whose ID is then the adopting proposal's ID.
	Replaces     record.ID         `json:"replaces,omitzero"`
	Title        string            `json:"title"`
	Text         string            `json:"text"`
	Purposes     []consent.Purpose `json:"purposes"`
	Recipients   []string          `json:"recipients"` // licensee classes
	Royalty      Royalty           `json:"royalty"`
	Retention    string            `json:"retention"` // ISO 8601 duration
	Jurisdiction string            `json:"jurisdiction"`
	Language     string            `json:"language"`
}

// Check checks the terms are complete.
func (t *AgreementTerms) Check() error {
	switch {
	case t.Title == "":
		return errors.New("an agreement needs a title")
	case t.Text == "":
		return errors.New("an agreement needs its text: what members consent to")
	case len(t.Recipients) == 0:
		return errors.New("an agreement names the recipients (licensee classes) it allows")
	case t.Jurisdiction == "":
		return errors.New("an agreement names its jurisdiction (e.g. EU, US-CA)")
	case t.Language == "":
		return errors.New("an agreement names the language of its text (e.g. en)")
	}
	if err := consent.CheckPurposes(t.Purposes); err != nil {
		return err
	}
	if !slices.IsSorted(t.Purposes) || !slices.IsSorted(t.Recipients) || len(slices.Compact(slices.Clone(t.Recipients))) != len(t.Recipients) {
		return errors.New("an agreement's purposes and recipients must be sorted and without duplicates")
	}
	for _, r := range t.Recipients {
		if r == "" {
			return errors.New("a recipient class needs a name")
		}
	}
	if _, err := consent.ParseDuration(t.Retention); err != nil {
		return err
	}
	for _, r := range []exact.Ratio{t.Royalty.Standard, t.Royalty.Extended} {
		if err := r.ValidateProportion(); err != nil {
			return fmt.Errorf("royalty: %w", err)
		}
	}
	return nil
}

// TextDigest is the SHA-256 (hex) of an agreement text: what a receipt names.
func TextDigest(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// AgreementVersion is an adopted version of a data agreement.
type AgreementVersion struct {
	ID         record.ID // the proposal that adopted it
	Agreement  record.ID // the first version's ID
	Number     int
	Terms      AgreementTerms
	TextDigest string
	Adopted    record.ID // the close
	AdoptedAt  time.Time
}

// Agreement is a data agreement with its versions in order.
type Agreement struct {
	ID       record.ID
	Versions []*AgreementVersion // by number; concurrent adoptions of one number by fold order
}

// Current is the latest version.
func (a *Agreement) Current() *AgreementVersion { return a.Versions[len(a.Versions)-1] }

type consentKeyReg struct {
	id     record.ID
	member MemberID
	key    record.PublicKey
}

// Agreements lists the adopted data agreements, oldest first.
func (s *State) Agreements() []*Agreement {
	byID := map[record.ID]*Agreement{}
	var out []*Agreement
	for _, v := range s.versionOrder {
		a, ok := byID[v.Agreement]
		if !ok {
			a = &Agreement{ID: v.Agreement}
			byID[v.Agreement] = a
			out = append(out, a)
		}
		a.Versions = append(a.Versions, v)
	}
	for _, a := range out {
		slices.SortStableFunc(a.Versions, func(x, y *AgreementVersion) int { return x.Number - y.Number })
	}
	return out
}

// Version finds an adopted agreement version.
func (s *State) Version(id record.ID) (*AgreementVersion, bool) {
	v, ok := s.versions[id]
	return v, ok
}

// Consents is the book of valid consent grants and refusals.
func (s *State) Consents() *consent.Book { return &s.consents }

// ConsentKeyOf is the consent key a member registered (the latest, in fold
// order), with its registration record.
func (s *State) ConsentKeyOf(m MemberID) (record.PublicKey, record.ID, bool) {
	mm, ok := s.Members[m]
	if !ok || len(mm.consentKeys) == 0 {
		return record.PublicKey{}, record.ID{}, false
	}
	k := mm.consentKeys[len(mm.consentKeys)-1]
	return k.key, k.id, true
}

// MemberOfConsentKey finds the member who registered consent key k.
func (s *State) MemberOfConsentKey(k record.PublicKey) (MemberID, bool) {
	reg, ok := s.consentKeys[k]
	return reg.member, ok
}

// Receipt is a valid receipt as the fold read it.
//
// The state keeps what it needs to answer with, not the receipt's body
// (purposes, items, window, texts): the body stays in the record, where a
// node reads it when it shows a receipt. A co-op of 200,000 receipts would
// otherwise hold every member's bodies in every member's memory.
type Receipt struct {
	ID        record.ID
	Principal record.PublicKey // the consent key that signed it
	Time      time.Time        // its clock
	Event     string           // consent.EventGrant, EventRefuse or EventWithdraw
	Version   record.ID        // the agreement version it answers
}

// ReceiptsOf lists the valid receipts signed by consent key k, by their
// clock, then ID (the order does not depend on how they arrived).
func (s *State) ReceiptsOf(k record.PublicKey) []*Receipt { return s.receiptsBy[k] }

// ReceiptByID finds a valid receipt.
func (s *State) ReceiptByID(id record.ID) (*Receipt, bool) { r, ok := s.receipts[id]; return r, ok }

func (s *State) checkAgreement(r *record.Record, p *Proposal) string {
	if p.Agreement == nil {
		return "an agreement proposal must carry the agreement's terms"
	}
	if err := p.Agreement.Check(); err != nil {
		return err.Error()
	}
	if rep := p.Agreement.Replaces; !rep.IsZero() {
		v, ok := s.versions[rep]
		if !ok || !s.reaches(r.ID, v.Adopted) {
			return fmt.Sprintf("replaces version %s, which is not an adopted agreement version in the proposal's causal past", rep.Short())
		}
		if later := s.replacedBy(rep, r.ID); later != nil {
			return fmt.Sprintf("replaces version %d of %q, which version %d (%s) already replaced: propose a replacement of the current version", v.Number, v.Terms.Title, later.Number, later.ID.Short())
		}
	}
	return ""
}

// replacedBy finds a version adopted in at's causal past that replaces rep.
func (s *State) replacedBy(rep, at record.ID) *AgreementVersion {
	for _, v := range s.versionOrder {
		if v.Terms.Replaces == rep && s.reaches(at, v.Adopted) {
			return v
		}
	}
	return nil
}

// adopt is the effect of a passed agreement proposal's close r.
func (s *State) adopt(r *record.Record, p *ProposalState) string {
	t := *p.Agreement
	v := &AgreementVersion{ID: p.ID, Agreement: p.ID, Number: 1, Terms: t, TextDigest: TextDigest(t.Text), Adopted: r.ID, AdoptedAt: r.Time}
	if !t.Replaces.IsZero() {
		if later := s.replacedBy(t.Replaces, r.ID); later != nil {
			return fmt.Sprintf("nothing: version %d of %q was adopted meanwhile and replaces the same version", later.Number, later.Terms.Title)
		}
		prev := s.versions[t.Replaces] // checked at opening
		v.Agreement, v.Number = prev.Agreement, prev.Number+1
	}
	s.versions[v.ID] = v
	s.versionOrder = append(s.versionOrder, v)
	return fmt.Sprintf("adopted %q version %d", t.Title, v.Number)
}

func (s *State) applyConsentKey(r *record.Record) string {
	var b ConsentKey
	if err := r.DecodeBody(&b); err != nil {
		return err.Error()
	}
	m, reason := s.signer(r)
	if reason != "" {
		return reason
	}
	if m.ID != b.Member {
		return "a consent key is registered by one of the member's own devices"
	}
	if s.removedBefore(m, r.ID) {
		return fmt.Sprintf("%s had left the co-op", m.Name)
	}
	if err := b.Key.Check(); err != nil {
		return fmt.Sprintf("consent key: %v", err)
	}
	if !b.Key.Verify(ConsentKeyProof(r.Coop, b.Member, b.Key), b.Proof) {
		return "the consent key's proof does not verify: a member can register only a key they hold"
	}
	// Judged in the record's causal past, like every authority question:
	// what others sign about the key concurrently cannot undo a registration.
	if reg, ok := s.consentKeys[b.Key]; ok && reg.member != m.ID && s.reaches(r.ID, reg.id) {
		return "this consent key is registered for another member"
	}
	for _, id := range s.memberByKey[b.Key] {
		if s.reaches(r.ID, record.ID(id)) {
			return "a consent key must be a key of its own, not a member key"
		}
	}
	for _, c := range s.deviceOf[b.Key] {
		if s.reaches(r.ID, c.cert) {
			return "a consent key must be a key of its own, not a device key"
		}
	}
	reg := consentKeyReg{id: r.ID, member: m.ID, key: b.Key}
	if _, ok := s.consentKeys[b.Key]; !ok {
		s.consentKeys[b.Key] = reg
	}
	m.consentKeys = append(m.consentKeys, reg)
	return ""
}

func (s *State) applyReceipt(r *record.Record) string {
	var b consent.Receipt
	if err := r.DecodeBody(&b); err != nil {
		return err.Error()
	}
	if err := b.Check(); err != nil {
		return "consent receipt: " + err.Error()
	}
	reg, ok := s.consentKeys[r.Author]
	if ok {
		// Two devices of the member may register the key concurrently: any of the registrations will do.
		m := s.Members[reg.member]
		ok = slices.ContainsFunc(m.consentKeys, func(k consentKeyReg) bool { return k.id == b.Key && k.key == r.Author })
	}
	if !ok || !slices.Contains(r.Prev, b.Key) {
		return "signed by a key that is not a registered consent key named among the receipt's predecessors"
	}
	m := s.Members[reg.member]
	if s.removedBefore(m, r.ID) {
		return "signed after the member left the co-op"
	}
	v, ok := s.versions[b.Version]
	if !ok || !s.reaches(r.ID, v.Adopted) { // judged in the causal past: an adoption elsewhere is not known here
		return fmt.Sprintf("names agreement version %s, which is not adopted in the receipt's causal past", b.Version.Short())
	}
	if v.Agreement != b.Agreement || v.TextDigest != b.Notice {
		return fmt.Sprintf("names agreement %s and text %s, but version %d of %q is agreement %s with text %s",
			b.Agreement.Short(), short(b.Notice), v.Number, v.Terms.Title, v.Agreement.Short(), short(v.TextDigest))
	}
	rc := &Receipt{ID: r.ID, Principal: r.Author, Time: r.Time, Event: internEvent(b.Event), Version: b.Version}
	switch b.Event {
	case consent.EventGrant, consent.EventRefuse:
		if !slices.Contains(r.Prev, v.Adopted) {
			return "a grant or refusal names the close that adopted its agreement version among its predecessors"
		}
		for _, p := range b.Purposes {
			if !slices.Contains(v.Terms.Purposes, p) {
				return fmt.Sprintf("purpose %s is not among version %d's purposes", p, v.Number)
			}
		}
		for _, x := range b.Recipients {
			if !slices.Contains(v.Terms.Recipients, x) {
				return fmt.Sprintf("recipient %q is not among version %d's recipients", x, v.Number)
			}
		}
		if b.Event == consent.EventRefuse {
			rf := consent.Refusal{ID: r.ID, Principal: r.Author, Version: v.ID, Time: r.Time}
			if s.cow {
				s.consents.InsertRefusal(rf)
			} else {
				s.consents.AddRefusal(rf)
			}
			break
		}
		from, until, _ := b.Window() // checked
		g := &consent.Grant{ID: r.ID, Principal: r.Author, Version: v.ID, Purposes: b.Purposes, Items: b.Items,
			Categories: b.Categories, Recipients: b.Recipients, From: from, Until: until, Time: r.Time}
		if s.cow {
			s.consents.Insert(g)
		} else {
			s.consents.Add(g)
		}
	case consent.EventWithdraw:
		g, ok := s.consents.Grant(b.Withdraws)
		if !ok || !slices.Contains(r.Prev, b.Withdraws) {
			return fmt.Sprintf("withdraws %s, which is not a valid grant named among its predecessors", b.Withdraws.Short())
		}
		if g.Principal != r.Author {
			return "only the member who gave consent can withdraw it"
		}
		if g.Version != v.ID {
			return "a withdrawal names the grant's own agreement version"
		}
		if s.cow { // a state others may be reading: change a copy
			c := *g
			c.Withdrawals = append(slices.Clip(g.Withdrawals), r.ID)
			s.consents.Replace(&c)
		} else {
			g.Withdrawals = append(g.Withdrawals, r.ID)
		}
	}
	s.receipts[r.ID] = rc
	if s.cow {
		rs := s.receiptsBy[r.Author]
		i, _ := slices.BinarySearchFunc(rs, rc, compareReceipts)
		s.receiptsBy[r.Author] = slices.Insert(slices.Clip(rs), i, rc)
	} else {
		s.receiptsBy[r.Author] = append(s.receiptsBy[r.Author], rc)
	}
	return ""
}

// internEvent shares the constant's string, not the decoded copy's.
func internEvent(e string) string {
	for _, c := range []string{consent.EventGrant, consent.EventRefuse, consent.EventWithdraw} {
		if e == c {
			return c
		}
	}
	return e
}

// compareReceipts orders a key's receipts by their clock, then ID: an order
// that does not depend on how the fold came to see them.
func compareReceipts(a, b *Receipt) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return record.CompareIDs(a.ID, b.ID)
}

// finishConsent puts receipts and grants in order, and ends the grants of
// members who left.
func (s *State) finishConsent() {
	s.consents.Finish()
	for _, rs := range s.receiptsBy {
		slices.SortFunc(rs, compareReceipts)
	}
	for _, g := range s.consents.Grants {
		if reg, ok := s.consentKeys[g.Principal]; ok {
			if m := s.Members[reg.member]; m != nil && m.Removed {
				g.Removal = m.Removal
			}
		}
	}
}

// consentDigest is the consent part of the state digest.
func (s *State) consentDigest() map[string]any {
	type grant struct {
		ID          record.ID   `json:"id"`
		Withdrawals []record.ID `json:"withdrawals"`
	}
	type version struct {
		ID        record.ID `json:"id"`
		Agreement record.ID `json:"agreement"`
		Number    int       `json:"number"`
		Adopted   record.ID `json:"adopted"`
	}
	gs := make([]grant, 0, len(s.consents.Grants))
	for _, g := range s.consents.Grants {
		w := []record.ID{} // "[]", not null, when there are none
		if len(g.Withdrawals) > 0 {
			w = slices.Clone(g.Withdrawals)
			sortIDs(w)
		}
		gs = append(gs, grant{ID: g.ID, Withdrawals: w})
	}
	slices.SortFunc(gs, func(a, b grant) int { return record.CompareIDs(a.ID, b.ID) })
	refusals := []record.ID{}
	for _, r := range s.consents.Refusals {
		refusals = append(refusals, r.ID)
	}
	sortIDs(refusals)
	keys := []record.ID{}
	for _, m := range s.Members {
		for _, k := range m.consentKeys {
			keys = append(keys, k.id)
		}
	}
	sortIDs(keys)
	vs := []version{}
	for _, v := range s.versionOrder {
		vs = append(vs, version{ID: v.ID, Agreement: v.Agreement, Number: v.Number, Adopted: v.Adopted})
	}
	slices.SortFunc(vs, func(a, b version) int { return record.CompareIDs(a.ID, b.ID) })
	return map[string]any{"keys": keys, "grants": gs, "refusals": refusals, "agreements": vs}
}

// RegisterConsentKey builds the record registering key (which signs its
// proof) as member's consent key. prev must hold the device's certificate.
func RegisterConsentKey(device, key record.Signer, coopID record.ID, member MemberID, now time.Time, prev ...record.ID) (*record.Record, error) {
	proof, err := key.Sign(ConsentKeyProof(coopID, member, key.PublicKey()))
	if err != nil {
		return nil, fmt.Errorf("register consent key: %w", err)
	}
	r, err := record.New(device, TypeConsentKey, 1, coopID, now, prev, ConsentKey{Member: member, Key: key.PublicKey(), Proof: proof})
	if err != nil {
		return nil, fmt.Errorf("register consent key: %w", err)
	}
	return r, nil
}

// NewReceipt builds a consent receipt signed by the consent key. prev must
// hold the key's registration, the close that adopted the version (grants
// and refusals) or the grant a withdrawal ends.
func NewReceipt(key record.Signer, coopID record.ID, b consent.Receipt, now time.Time, prev ...record.ID) (*record.Record, error) {
	slices.Sort(b.Purposes)
	slices.Sort(b.Categories)
	slices.Sort(b.Recipients)
	b.Purposes, b.Categories, b.Recipients = slices.Compact(b.Purposes), slices.Compact(b.Categories), slices.Compact(b.Recipients)
	slices.SortFunc(b.Items, func(x, y consent.Item) int { return slices.Compare(x[:], y[:]) })
	b.Items = slices.Compact(b.Items)
	if b.Schema == "" {
		b.Schema = consent.SchemaVersion
	}
	if b.LegalBasis == "" {
		b.LegalBasis = consent.LegalBasis
	}
	if b.WithdrawalMethod == "" {
		b.WithdrawalMethod = consent.WithdrawalMethod
	}
	if err := b.Check(); err != nil {
		return nil, fmt.Errorf("consent receipt: %w", err)
	}
	r, err := record.New(key, TypeReceipt, 1, coopID, now, append(prev, b.Key), b)
	if err != nil {
		return nil, fmt.Errorf("consent receipt: %w", err)
	}
	return r, nil
}

// KeysOf lists every key that signs for m: the member key, devices
// (revoked ones too) and consent keys. A resignation or removal names
// their latest records (KeyHeads), so all m signed so far stays in its cut.
func KeysOf(m *Member) []record.PublicKey {
	keys := append([]record.PublicKey{m.Key}, m.Devices...)
	keys = append(keys, m.Revoked...)
	for _, k := range m.consentKeys {
		keys = append(keys, k.key)
	}
	return keys
}

// ConsentKeyCount is how many consent keys members registered.
func (s *State) ConsentKeyCount() int { return len(s.consentKeys) }
