package node

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
	"github.com/coopnode/coopnode/node/vault"
)

// Errors of consent and data operations.
var (
	// ErrNoVersion: no adopted agreement version by that reference.
	ErrNoVersion = errors.New("no such agreement version")
	// ErrNoGrant: no consent of this member by that reference.
	ErrNoGrant = errors.New("no such consent")
	// ErrRefused: what was asked breaks a rule (of the co-op, of governance or of consent
	// itself) and nothing was done; the message says which rule and what to
	// ask instead. It is the caller's to fix. Any other error of the
	// methods that document it is this node failing (its store, its vault).
	ErrRefused = errors.New("refused")
)

// refusedError is an error errors.Is finds as ErrRefused, with its own text only.
type refusedError struct{ msg string }

func (e refusedError) Error() string { return e.msg }
func (e refusedError) Unwrap() error { return ErrRefused }

func refusedf(format string, args ...any) error { return refusedError{fmt.Sprintf(format, args...)} }

// refused marks err (a rule's answer, such as a record builder's check) as
// ErrRefused, keeping its text and its own sentinels.
func refused(err error) error { return refusedWrap{err} }

type refusedWrap struct{ err error }

func (e refusedWrap) Error() string   { return e.err.Error() }
func (e refusedWrap) Unwrap() []error { return []error{ErrRefused, e.err} }

// ConsentKey is this member's pseudonymous consent key for the co-op.
func (n *Node) ConsentKey() record.PublicKey { return n.keys.Consent(n.coop).PublicKey() }

// consentReg returns the record registering this member's consent key,
// registering it first if needed.
func (n *Node) consentReg() (record.ID, error) {
	m, err := n.me()
	if err != nil {
		return record.ID{}, err
	}
	s := n.State()
	key := n.ConsentKey()
	if k, reg, ok := s.ConsentKeyOf(m.ID); ok && k == key {
		return reg, nil
	}
	cert, err := n.deviceCert()
	if err != nil {
		return record.ID{}, err
	}
	r, err := coop.RegisterConsentKey(n.Device(), n.keys.Consent(n.coop), n.coop, m.ID, n.opts.now(), cert)
	if err != nil {
		return record.ID{}, err
	}
	if err := n.putChecked(r); err != nil {
		return record.ID{}, fmt.Errorf("register your consent key: %w", err)
	}
	return r.ID, nil
}

// FindVersion finds an adopted agreement version by ID prefix (8+ hex
// digits); "" means the current version of the co-op's only agreement.
// It returns ErrNoVersion when none (or more than one) matches.
func (n *Node) FindVersion(ref string) (*coop.AgreementVersion, error) {
	s := n.State()
	ags := s.Agreements()
	if ref == "" {
		if len(ags) == 1 {
			return ags[0].Current(), nil
		}
		return nil, fmt.Errorf("%w: the co-op has %d agreements; name the version (see `coopnode agreements`)", ErrNoVersion, len(ags))
	}
	var hits []*coop.AgreementVersion
	for _, a := range ags {
		for _, v := range a.Versions {
			if len(ref) >= 8 && strings.HasPrefix(v.ID.String(), strings.ToLower(ref)) {
				hits = append(hits, v)
			}
		}
	}
	if len(hits) != 1 {
		return nil, fmt.Errorf("%w: %q (give at least 8 hex digits of a version ID from `coopnode agreements`)", ErrNoVersion, ref)
	}
	return hits[0], nil
}

// GrantInput is what a member consents to under one agreement version.
type GrantInput struct {
	Version    *coop.AgreementVersion
	Items      []vault.Digest
	Categories []string // consent.CategoryAll or tags
	Purposes   []consent.Purpose
	Recipients []string
	Until      time.Time // zero: the version's retention from now
	Reason     string
}

// Grant gives consent: a receipt shared with the co-op, and the full
// consent record kept on this node. Items must be in this node's vault
// (else ErrNoItem). A grant the rules refuse (no items, a purpose or
// recipient the version does not name, an end that is not in the future)
// returns ErrRefused; any other error is this node failing.
func (n *Node) Grant(in GrantInput) (*record.Record, error) {
	n.consentMu.Lock()
	defer n.consentMu.Unlock()
	p, err := n.buildGrant(in)
	if err != nil {
		return nil, err
	}
	if err := n.commit(p); err != nil {
		return nil, err
	}
	return p.receipt, nil
}

// buildGrant signs a grant without storing it. Categories other than
// consent.CategoryAll are the member's own tags: they become the items
// tagged so now, because tags stay on this node.
func (n *Node) buildGrant(in GrantInput, extraPrev ...record.ID) (signed, error) {
	v := in.Version
	if len(in.Purposes) == 0 {
		in.Purposes = v.Terms.Purposes
	}
	if len(in.Recipients) == 0 {
		in.Recipients = v.Terms.Recipients
	}
	var cats []string
	for _, c := range cleanTags(in.Categories) {
		if c == consent.CategoryAll {
			cats = append(cats, c)
			continue
		}
		all, err := n.Items()
		if err != nil {
			return signed{}, err
		}
		k := len(in.Items)
		for _, m := range all {
			if slices.Contains(m.Tags, c) && !slices.Contains(in.Items, m.Digest) {
				in.Items = append(in.Items, m.Digest)
			}
		}
		if len(in.Items) == k {
			return signed{}, refusedf("no item of yours is tagged %q (tags stay on this node, so consent names the items tagged so now)", c)
		}
	}
	in.Categories = cats
	if len(in.Items) == 0 && len(in.Categories) == 0 {
		return signed{}, refusedf("consent to what? name items, or the category \"all\" for every item")
	}
	// Checked here, before signing, so a mistake is told as one and not
	// as a receipt that failed to build.
	for _, p := range in.Purposes {
		if !slices.Contains(v.Terms.Purposes, p) {
			return signed{}, refusedf("version %d of %q does not name the purpose %q: it names %s", v.Number, v.Terms.Title, p, purposeList(v.Terms.Purposes))
		}
	}
	for _, r := range in.Recipients {
		if !slices.Contains(v.Terms.Recipients, r) {
			return signed{}, refusedf("version %d of %q does not name the recipient %q: it names %s", v.Number, v.Terms.Title, r, strings.Join(v.Terms.Recipients, ", "))
		}
	}
	var details []consent.ItemDetail
	items := make([]consent.Item, 0, len(in.Items))
	for _, d := range in.Items {
		m, err := n.Item(d)
		if err != nil {
			return signed{}, err
		}
		items = append(items, consent.Item(d))
		details = append(details, consent.ItemDetail{Digest: consent.Item(d), Title: m.Title, MediaType: m.MediaType, Size: m.Size, Tags: m.Tags})
	}
	now := n.opts.now().UTC().Truncate(time.Second)
	until := in.Until
	if until.IsZero() {
		ret, _ := consent.ParseDuration(v.Terms.Retention) // checked when adopted
		until = ret.After(now)
	}
	if !until.After(now) {
		return signed{}, refusedf("consent until %s would end before it begins: give a later date", until.UTC().Format(time.RFC3339))
	}
	status := consent.Given
	for _, rc := range n.State().ReceiptsOf(n.ConsentKey()) {
		if rc.Version == v.ID && rc.Event == consent.EventWithdraw {
			status = consent.RenewedGiven // consent given again after a withdrawal under this version
		}
	}
	b := consent.Receipt{Event: consent.EventGrant, Status: status, Agreement: v.Agreement, Version: v.ID, Notice: v.TextDigest,
		Language: v.Terms.Language, Purposes: in.Purposes, Items: items, Categories: in.Categories, Recipients: in.Recipients,
		Retention: v.Terms.Retention, Jurisdiction: v.Terms.Jurisdiction,
		ValidFrom: now.Format(time.RFC3339), ValidUntil: until.UTC().Format(time.RFC3339)}
	return n.build(b, details, in.Reason, append(extraPrev, v.Adopted)...)
}

func purposeList(ps []consent.Purpose) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return strings.Join(out, ", ")
}

// signed is a receipt and the private record completing it, signed, not yet stored.
type signed struct{ receipt, private *record.Record }

// build signs a receipt (naming prev) and the private record completing it.
func (n *Node) build(b consent.Receipt, items []consent.ItemDetail, reason string, prev ...record.ID) (signed, error) {
	reg, err := n.consentReg()
	if err != nil {
		return signed{}, err
	}
	b.Key = reg
	key := n.keys.Consent(n.coop)
	now := n.opts.now()
	// Building signs in memory: what fails here is the receipt itself (its
	// checks, or its size for thousands of items), so it is refused.
	r, err := coop.NewReceipt(key, n.coop, b, now, prev...)
	if err != nil {
		return signed{}, refused(err)
	}
	title := ""
	if v, ok := n.State().Version(b.Version); ok {
		title = v.Terms.Title
	}
	name := ""
	if m, err := n.me(); err == nil {
		name = m.Name
	}
	priv, err := record.New(key, TypeConsentRecord, 1, n.coop, now, []record.ID{r.ID}, consent.Private{Receipt: r.ID, Items: items,
		Storage: "this member's coopnode vault, encrypted, at " + n.home, Reason: reason, MemberName: name, AgreementTi: title})
	if err != nil {
		return signed{}, refused(err)
	}
	return signed{receipt: r, private: priv}, nil
}

// commit stores receipts all at once (checked against the co-op's rules
// together, in one transaction: all or none), then their private records.
func (n *Node) commit(ps ...signed) error {
	if len(ps) == 0 {
		return nil
	}
	recs := make([]*record.Record, len(ps))
	for i, p := range ps {
		recs[i] = p.receipt
	}
	if err := n.putChecked(recs...); err != nil {
		return err
	}
	// The receipts are shared and durable already; should this write fail,
	// they stand and ConsentDocument renders them without the details.
	if err := n.kv.Update(func(tx store.Tx) error {
		for _, p := range ps {
			if err := tx.Set(append(append([]byte{}, prefixPrivate...), p.receipt.ID[:]...), p.private.Bytes()); err != nil {
				return err
			}
			if err := tx.Set(logKey(p.private), p.private.Bytes()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("consent recorded and shared, but its private details were not saved on this node: %w", err)
	}
	return nil
}

// Withdraw withdraws one of this member's grants, from now on. It returns
// ErrNoGrant if grant is not a grant of this member, ErrRefused if it is
// withdrawn already; any other error is this node failing.
func (n *Node) Withdraw(grant record.ID, reason string) (*record.Record, error) {
	n.consentMu.Lock()
	defer n.consentMu.Unlock()
	p, err := n.buildWithdraw(grant, reason)
	if err != nil {
		return nil, err
	}
	if err := n.commit(p); err != nil {
		return nil, err
	}
	return p.receipt, nil
}

// Receipt finds a valid consent receipt and reads its full body from its
// record (the state keeps only what it answers with; see coop.Receipt).
// It returns ErrNoGrant if no valid receipt has that ID.
func (n *Node) Receipt(id record.ID) (*coop.Receipt, consent.Receipt, error) {
	var b consent.Receipt
	rc, ok := n.State().ReceiptByID(id)
	if !ok {
		return nil, b, fmt.Errorf("%w: %s", ErrNoGrant, id.Short())
	}
	// By ID only, as the fold read it: a receipt whose signature the
	// background check found damaged is still part of the state.
	raw, err := n.kv.Get(recordKey(id))
	var r *record.Record
	if err == nil {
		r, err = record.ReadStored(raw, id)
	}
	if err != nil {
		return nil, b, fmt.Errorf("read consent receipt %s: %w", id.Short(), err)
	}
	if err := r.DecodeBody(&b); err != nil { // the fold decoded it: the store is damaged
		return nil, b, fmt.Errorf("read consent receipt %s: %w", id.Short(), err)
	}
	return rc, b, nil
}

func (n *Node) buildWithdraw(grant record.ID, reason string) (signed, error) {
	s := n.State()
	rc, ok := s.ReceiptByID(grant)
	if !ok || rc.Principal != n.ConsentKey() || rc.Event != consent.EventGrant {
		return signed{}, fmt.Errorf("%w: %s is not a consent you gave", ErrNoGrant, grant.Short())
	}
	g, _ := s.Consents().Grant(grant)
	if st := g.StatusAt(n.opts.now(), nil); st == consent.Withdrawn {
		return signed{}, refusedf("consent %s is withdrawn already", grant.Short())
	}
	// The fold checked that the grant names its version's agreement and
	// text: take them from the version, which needs no read of the grant.
	v, ok := s.Version(rc.Version)
	if !ok {
		return signed{}, fmt.Errorf("%w: the version %s of consent %s", ErrNoVersion, rc.Version.Short(), grant.Short())
	}
	b := consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Agreement: v.Agreement, Version: v.ID,
		Notice: v.TextDigest, Language: v.Terms.Language, Withdraws: grant}
	return n.build(b, nil, reason, grant)
}

// Refuse opts out of an agreement version, withdrawing this member's
// grants in force under it in the same step. ErrRefused: the co-op's rules
// refuse it; any other error is this node failing.
func (n *Node) Refuse(v *coop.AgreementVersion, reason string) (*record.Record, error) {
	n.consentMu.Lock()
	defer n.consentMu.Unlock()
	var ps []signed
	for _, g := range n.myGrants(v.ID) {
		p, err := n.buildWithdraw(g.ID, reason)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	b := consent.Receipt{Event: consent.EventRefuse, Status: consent.Refused, Agreement: v.Agreement, Version: v.ID,
		Notice: v.TextDigest, Language: v.Terms.Language}
	p, err := n.build(b, nil, reason, v.Adopted)
	if err != nil {
		return nil, err
	}
	if err := n.commit(append(ps, p)...); err != nil {
		return nil, err
	}
	return p.receipt, nil
}

// myGrants are this member's grants under version in force now, or from
// a later time they name (those are to be stopped too).
func (n *Node) myGrants(version record.ID) []*consent.Grant {
	s := n.State()
	now := n.opts.now()
	var out []*consent.Grant
	for _, rc := range s.ReceiptsOf(n.ConsentKey()) {
		if g, ok := s.Consents().Grant(rc.ID); ok && g.Version == version {
			if st := g.StatusAt(now, nil); st == consent.Given || st == consent.Requested {
				out = append(out, g)
			}
		}
	}
	return out
}

// WithdrawVersion withdraws every grant of this member in force under
// version v (an opt-in, and the grants per item and purpose), from now on,
// in one step: all are stored or none. It returns the withdrawals.
// ErrRefused: none is in force; any other error is this node failing.
func (n *Node) WithdrawVersion(v *coop.AgreementVersion, reason string) ([]*record.Record, error) {
	n.consentMu.Lock()
	defer n.consentMu.Unlock()
	gs := n.myGrants(v.ID)
	if len(gs) == 0 {
		return nil, refusedf("no consent of yours is in force under version %d of %q: there is nothing to withdraw", v.Number, v.Terms.Title)
	}
	ps := make([]signed, 0, len(gs))
	for _, g := range gs {
		p, err := n.buildWithdraw(g.ID, reason)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if err := n.commit(ps...); err != nil {
		return nil, err
	}
	out := make([]*record.Record, len(ps))
	for i, p := range ps {
		out[i] = p.receipt
	}
	return out, nil
}

// SetItemConsent allows or stops the use of one item for one purpose under
// a version. Allowing grants exactly that. Stopping withdraws every grant
// in force that covers it and grants again what else those covered (other
// purposes; other items, which a category becomes a list of: the items
// held now), so nothing else changes. The receipts are stored together or
// not at all; it returns them. It returns ErrNoItem for an item not in
// the vault, ErrRefused for a purpose the version does not name; any other
// error is this node failing.
func (n *Node) SetItemConsent(item vault.Digest, v *coop.AgreementVersion, p consent.Purpose, allow bool) ([]*record.Record, error) {
	n.consentMu.Lock()
	defer n.consentMu.Unlock()
	m, err := n.Item(item)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(v.Terms.Purposes, p) {
		return nil, refusedf("version %d of %q does not name the purpose %q: it names %s", v.Number, v.Terms.Title, p, purposeList(v.Terms.Purposes))
	}
	now := n.opts.now()
	st, _ := n.State().Consents().ItemStatus(n.ConsentKey(), consent.Item(item), m.Tags, p, v.ID, now, nil)
	var ps []signed
	if allow {
		if st == consent.Given {
			return nil, nil
		}
		g, err := n.buildGrant(GrantInput{Version: v, Items: []vault.Digest{item}, Purposes: []consent.Purpose{p}})
		if err != nil {
			return nil, err
		}
		ps = append(ps, g)
	}
	for _, g := range n.myGrants(v.ID) {
		if allow || !g.Covers(consent.Item(item), m.Tags) || !slices.Contains(g.Purposes, p) {
			continue
		}
		w, err := n.buildWithdraw(g.ID, "stopped "+p.Label()+" for "+m.Title)
		if err != nil {
			return nil, err
		}
		ps = append(ps, w)
		// What else g covered, granted again until the same end.
		if rest := slices.DeleteFunc(slices.Clone(g.Purposes), func(x consent.Purpose) bool { return x == p }); len(rest) > 0 {
			r, err := n.regrant(v, g, rest, g.Items, g.Categories, w.receipt.ID)
			if err != nil {
				return nil, err
			}
			ps = append(ps, r)
		}
		others, err := n.coveredBesides(g, item)
		if err != nil {
			return nil, err
		}
		if len(others) > 0 {
			r, err := n.regrant(v, g, []consent.Purpose{p}, others, nil, w.receipt.ID)
			if err != nil {
				return nil, err
			}
			ps = append(ps, r)
		}
	}
	if err := n.commit(ps...); err != nil {
		return nil, err
	}
	out := make([]*record.Record, len(ps))
	for i, x := range ps {
		out[i] = x.receipt
	}
	return out, nil
}

// coveredBesides lists the items g covers now, other than item.
func (n *Node) coveredBesides(g *consent.Grant, item vault.Digest) ([]consent.Item, error) {
	items, err := n.Items()
	if err != nil {
		return nil, err
	}
	var out []consent.Item
	for _, m := range items {
		if m.Digest != item && g.Covers(consent.Item(m.Digest), m.Tags) {
			out = append(out, consent.Item(m.Digest))
		}
	}
	for _, it := range g.Items { // named items no longer in the vault stay named
		if vault.Digest(it) != item && !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out, nil
}

// regrant signs a grant of part of what g covered, after the withdrawal w.
func (n *Node) regrant(v *coop.AgreementVersion, g *consent.Grant, purposes []consent.Purpose, items []consent.Item, cats []string, w record.ID) (signed, error) {
	var details []consent.ItemDetail
	for _, it := range items {
		if m, err := n.Item(vault.Digest(it)); err == nil {
			details = append(details, consent.ItemDetail{Digest: it, Title: m.Title, MediaType: m.MediaType, Size: m.Size, Tags: m.Tags})
		}
	}
	// From now, but never before the grant it replaces was to begin (one
	// signed on a device whose clock runs ahead, or before this clock went back).
	from := n.opts.now().UTC().Truncate(time.Second)
	if g.From.After(from) {
		from = g.From.UTC()
	}
	b := consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Agreement: v.Agreement, Version: v.ID, Notice: v.TextDigest,
		Language: v.Terms.Language, Purposes: purposes, Items: items, Categories: cats, Recipients: g.Recipients,
		Retention: v.Terms.Retention, Jurisdiction: v.Terms.Jurisdiction, ValidFrom: from.Format(time.RFC3339)}
	if !g.Until.IsZero() {
		b.ValidUntil = g.Until.UTC().Format(time.RFC3339)
	}
	return n.build(b, details, "granted again when one use was stopped", v.Adopted, w)
}

// PrivateConsent returns the full consent record this node keeps for a
// receipt, if it holds one.
func (n *Node) PrivateConsent(receipt record.ID) (*consent.Private, record.ID, bool) {
	raw, err := n.kv.Get(append(append([]byte{}, prefixPrivate...), receipt[:]...))
	if err != nil {
		return nil, record.ID{}, false
	}
	r, err := record.Decode(raw)
	if err != nil {
		return nil, record.ID{}, false
	}
	var p consent.Private
	if err := r.DecodeBody(&p); err != nil {
		return nil, record.ID{}, false
	}
	return &p, r.ID, true
}

// ConsentDocument renders a receipt as a full ISO/IEC TS 27560 record,
// with this node's private details when it holds them.
func (n *Node) ConsentDocument(receipt record.ID) (map[string]any, error) {
	s := n.State()
	rc, b, err := n.Receipt(receipt)
	if err != nil {
		return nil, err
	}
	in := consent.DocumentInput{ReceiptID: rc.ID, Principal: rc.Principal, Time: rc.Time, Receipt: b,
		Controller: consent.Controller{ID: s.CoopID, Name: s.Name}}
	if p, id, ok := n.PrivateConsent(receipt); ok {
		in.Private, in.RecordID = p, id
	}
	if v, ok := s.Version(rc.Version); ok {
		in.AgreementTitle, in.VersionNumber = v.Terms.Title, v.Number
	}
	return consent.Document(in), nil
}
