package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/vault"
)

// transfers tracks items streaming into or out of the vault, and bundles
// being exported or imported (bundles.go), so the UI (and the CLI talking
// to a running node) can show progress while a call runs.
type transfers struct {
	mu   sync.Mutex
	next int
	m    map[string]*TransferView
	// Bundle exports and imports, oldest first.
	bundles    []*BundleTransferView
	nextBundle int
}

func (t *transfers) start(name, source, dir string, total int64) (*TransferView, func(int64)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*TransferView{}
	}
	t.next++
	v := &TransferView{ID: strconv.Itoa(t.next), Name: name, Source: source, Direction: dir, Total: total}
	t.m[v.ID] = v
	// Keep the list short: the oldest finished transfers go beyond 20.
	for id := t.next - 20; len(t.m) > 20 && id > 0; id-- {
		if o, ok := t.m[strconv.Itoa(id)]; ok && o.Finished {
			delete(t.m, o.ID)
		}
	}
	return v, func(done int64) {
		t.mu.Lock()
		v.Done = done
		t.mu.Unlock()
	}
}

func (t *transfers) finish(v *TransferView, item string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v.Finished, v.Item = true, item
	if err != nil {
		v.Error = err.Error()
	} else if v.Total >= 0 {
		v.Done = v.Total
	}
}

func (t *transfers) list() []TransferView {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := []TransferView{}
	for _, v := range t.m {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b TransferView) int { n, _ := strconv.Atoi(a.ID); m, _ := strconv.Atoi(b.ID); return m - n })
	return out
}

// AddData streams r (total bytes if known, else -1) into the vault; the
// HTTP upload of the browser and AddDataFile both come here. source is
// the caller's name for this transfer in Transfers (see TransferView).
func (c *Core) AddData(r io.Reader, name, source, title string, tags []string, total int64) (DataItemView, error) {
	n := c.Node()
	if n == nil {
		return DataItemView{}, ErrLocked
	}
	tr, progress := c.transfers.start(filepath.Base(name), source, "in", total)
	m, err := n.AddData(r, name, title, tags, progress)
	c.transfers.finish(tr, m.Digest.String(), err)
	if err != nil {
		return DataItemView{}, err
	}
	return itemView(n, n.State(), m), nil
}

// nodeErr sorts an error of a node call (data, consent, governance) by whose it
// is: a refusal (node.ErrRefused) is the caller's mistake (HTTP 400), an
// unknown ID keeps its sentinel (404), and anything else is this node
// failing (500), said so, with what to do.
func nodeErr(n *node.Node, what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, node.ErrRefused):
		return invalidErr(err)
	case errors.Is(err, node.ErrNoItem), errors.Is(err, node.ErrNoVersion), errors.Is(err, node.ErrNoGrant),
		errors.Is(err, node.ErrNoProposal), errors.Is(err, node.ErrProposalClosed), errors.Is(err, node.ErrNotEligible), errors.Is(err, node.ErrTooEarly),
		errors.Is(err, node.ErrNotJoinRequest):
		return err // statusOf gives each its own status
	}
	return fmt.Errorf("%s failed on this node: %w. This is not a mistake in your request: check that the disk has free space "+
		"and that %s is writable, then try again (restart coopnode if it keeps failing)", what, err, n.Home())
}

// Transfers lists items streaming in or out of the vault, newest first.
// Each has its caller's name for it from the start (Source), so several at
// once are told apart.
func (a *App) Transfers() ([]TransferView, error) { return a.core.transfers.list(), nil }

// AddDataFile adds the file at path (absolute) to your vault, encrypted.
// tags are your own words for the item (they stay on this node). While it
// runs, Transfers shows its progress with Source = path.
func (a *App) AddDataFile(path, title string, tags []string) (DataItemView, error) {
	if _, err := a.ready(); err != nil {
		return DataItemView{}, err
	}
	if !filepath.IsAbs(path) {
		return DataItemView{}, invalid("give an absolute path (got %q)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return DataItemView{}, fmt.Errorf("add data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return DataItemView{}, fmt.Errorf("add data: %w", err)
	}
	if st.IsDir() {
		return DataItemView{}, invalid("%s is a folder: add the files in it", path)
	}
	return a.core.AddData(f, path, path, title, tags, st.Size())
}

// PickDataFiles opens the window's file dialog (window only).
func (a *App) PickDataFiles() ([]string, error) {
	a.core.mu.Lock()
	pick := a.core.pickFiles
	a.core.mu.Unlock()
	if pick == nil {
		return nil, invalid("there is no file dialog here: in a browser tab, drop files on the page or use its file picker")
	}
	return pick()
}

// DataItems lists the items in your vault, newest first, with what each may be used for.
func (a *App) DataItems() ([]DataItemView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	items, err := n.Items()
	if err != nil {
		return nil, err
	}
	s := n.State()
	out := []DataItemView{}
	for _, m := range items {
		out = append(out, itemView(n, s, m))
	}
	return out, nil
}

// DataItem shows one item (ID prefix of 8+ hex digits, or exact title).
func (a *App) DataItem(id string) (DataItemView, error) {
	n, err := a.ready()
	if err != nil {
		return DataItemView{}, err
	}
	m, err := n.FindItem(strings.TrimSpace(id))
	if err != nil {
		return DataItemView{}, nodeErr(n, "finding the item", err)
	}
	return itemView(n, n.State(), m), nil
}

// ExportData writes an item's content, decrypted, to path (absolute). The
// file appears only once complete and checked against the item's digest.
// While it runs, Transfers shows its progress with Source = path.
func (a *App) ExportData(id, path string) (DataExportView, error) {
	n, err := a.ready()
	if err != nil {
		return DataExportView{}, err
	}
	if !filepath.IsAbs(path) {
		return DataExportView{}, invalid("give an absolute path (got %q)", path)
	}
	m, err := n.FindItem(strings.TrimSpace(id))
	if err != nil {
		return DataExportView{}, nodeErr(n, "finding the item", err)
	}
	tr, progress := a.core.transfers.start(filepath.Base(path), path, "out", m.Size)
	k, err := exportItem(n, m, path, progress)
	a.core.transfers.finish(tr, m.Digest.String(), err)
	if err != nil {
		return DataExportView{}, err
	}
	return DataExportView{Item: m.Digest.String(), Path: path, Bytes: k}, nil
}

func exportItem(n *node.Node, m node.ItemMeta, path string, progress func(int64)) (int64, error) {
	rd, err := n.OpenData(m.Digest)
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part*")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	k, err := io.Copy(tmp, &countingReader{r: rd, progress: progress})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("export %s to %s: %w", m.Title, path, err)
	}
	return k, nil
}

// countingReader reports how many bytes were read.
type countingReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	if c.progress != nil {
		c.progress(c.n)
	}
	return k, err
}

// RemoveData deletes an item from your vault; the removal is recorded on this node.
func (a *App) RemoveData(id, reason string) error {
	n, err := a.ready()
	if err != nil {
		return err
	}
	m, err := n.FindItem(strings.TrimSpace(id))
	if err != nil {
		return nodeErr(n, "finding the item", err)
	}
	return nodeErr(n, "removing the item", n.RemoveData(m.Digest, reason))
}

func itemView(n *node.Node, s *coop.State, m node.ItemMeta) DataItemView {
	v := DataItemView{ID: m.Digest.String(), Title: m.Title, FileName: m.FileName, MediaType: m.MediaType, Size: m.Size,
		Tags: nonNil(m.Tags), Added: m.Added.UTC().Format(timeLayout), Purposes: []PurposeStatusView{}}
	now := n.Now()
	key := n.ConsentKey()
	for _, ag := range s.Agreements() {
		cur := ag.Current()
		for _, p := range cur.Terms.Purposes {
			st, g := s.Consents().ItemStatus(key, consent.Item(m.Digest), m.Tags, p, cur.ID, now, nil)
			ps := PurposeStatusView{Purpose: string(p), Label: p.Label(), Agreement: ag.ID.String(), AgreementTitle: cur.Terms.Title,
				Version: cur.ID.String(), VersionNumber: cur.Number, Allowed: st == consent.Given, Status: string(st)}
			if g != nil {
				ps.Receipt = g.ID.String()
				if !g.Until.IsZero() {
					ps.Until = g.Until.UTC().Format(timeLayout)
				}
			}
			v.Purposes = append(v.Purposes, ps)
		}
	}
	return v
}

// Purposes lists the DPV purposes an agreement may name.
func (a *App) Purposes() ([]PurposeView, error) {
	out := []PurposeView{}
	for _, p := range consent.Purposes {
		out = append(out, PurposeView{ID: string(p.ID), Label: p.Label, Description: p.Description})
	}
	return out, nil
}

// Agreements lists the co-op's data agreements, each version newest first,
// with what changed and your answer to each version.
func (a *App) Agreements() ([]AgreementView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	s := n.State()
	key := n.ConsentKey()
	out := []AgreementView{}
	for _, ag := range s.Agreements() {
		av := AgreementView{ID: ag.ID.String(), Title: ag.Current().Terms.Title, Current: ag.Current().ID.String(), Versions: []AgreementVersionView{}}
		for i, v := range ag.Versions {
			vv := versionView(v, v == ag.Current())
			if i > 0 {
				vv.Changes, vv.Terms = diffVersions(ag.Versions[i-1], v)
			}
			vv.Mine, vv.MineReceipt = mine(s, key, v, n.Now())
			av.Versions = append(av.Versions, vv)
		}
		slices.Reverse(av.Versions)
		out = append(out, av)
	}
	return out, nil
}

// mine is this member's answer to a version, from their receipts under it
// in time order: "opted-in" while a grant is in force; else what became of
// the last answer: "opted-out" (a refusal), "withdrawn", "expired" or
// "invalidated" (a grant ended so); "" only when never answered. The
// receipt is the one behind it: the grant in force, the refusal, the
// withdrawal, or the grant that expired or was invalidated.
func mine(s *coop.State, key record.PublicKey, v *coop.AgreementVersion, now time.Time) (string, string) {
	var answer, receipt, inForce string
	for _, rc := range s.ReceiptsOf(key) { // by time: the last answer stands
		if rc.Version != v.ID {
			continue
		}
		switch rc.Event {
		case consent.EventRefuse:
			answer, receipt = "opted-out", rc.ID.String()
		case consent.EventGrant:
			g, ok := s.Consents().Grant(rc.ID)
			if !ok {
				continue
			}
			switch g.StatusAt(now, nil) {
			case consent.Given, consent.Requested: // Requested: valid from a later time it names
				answer, receipt, inForce = "opted-in", rc.ID.String(), rc.ID.String()
			case consent.Withdrawn:
				answer, receipt = "withdrawn", g.Withdrawals[0].String()
			case consent.Expired:
				answer, receipt = "expired", rc.ID.String()
			case consent.Invalidated:
				answer, receipt = "invalidated", rc.ID.String()
			}
		}
	}
	// A grant in force makes the member's items usable whatever came
	// after it (a later per-item grant withdrawn, say): say so.
	if inForce != "" {
		return "opted-in", inForce
	}
	return answer, receipt
}

func versionView(v *coop.AgreementVersion, current bool) AgreementVersionView {
	t := v.Terms
	ps := []PurposeView{}
	for _, p := range t.Purposes {
		i, _ := p.Info()
		ps = append(ps, PurposeView{ID: string(p), Label: p.Label(), Description: i.Description})
	}
	return AgreementVersionView{ID: v.ID.String(), Agreement: v.Agreement.String(), Number: v.Number, Title: t.Title, Text: t.Text,
		TextDigest: v.TextDigest, Purposes: ps, Recipients: nonNil(t.Recipients), Royalty: royaltyView(t.Royalty),
		Retention: t.Retention, Jurisdiction: t.Jurisdiction, Language: t.Language, AdoptedBy: v.Adopted.String(),
		AdoptedAt: v.AdoptedAt.UTC().Format(timeLayout), Current: current, Changes: []DiffLineView{}, Terms: []string{}}
}

func royaltyView(r coop.Royalty) RoyaltyView {
	return RoyaltyView{Standard: r.Standard.String(), Extended: r.Extended.String(),
		Text: fmt.Sprintf("%s of a standard licence, %s of an extended one", r.Standard.Percent(), r.Extended.Percent())}
}

// diffVersions says what changed from a to b: a line diff of the text and
// the other terms in words.
func diffVersions(a, b *coop.AgreementVersion) ([]DiffLineView, []string) {
	terms := []string{}
	for _, p := range b.Terms.Purposes {
		if !slices.Contains(a.Terms.Purposes, p) {
			terms = append(terms, "purpose added: "+p.Label()+" ("+string(p)+")")
		}
	}
	for _, p := range a.Terms.Purposes {
		if !slices.Contains(b.Terms.Purposes, p) {
			terms = append(terms, "purpose removed: "+p.Label()+" ("+string(p)+")")
		}
	}
	for _, r := range b.Terms.Recipients {
		if !slices.Contains(a.Terms.Recipients, r) {
			terms = append(terms, "recipient added: "+r)
		}
	}
	for _, r := range a.Terms.Recipients {
		if !slices.Contains(b.Terms.Recipients, r) {
			terms = append(terms, "recipient removed: "+r)
		}
	}
	if a.Terms.Royalty != b.Terms.Royalty {
		terms = append(terms, "royalty: "+royaltyView(a.Terms.Royalty).Text+" → "+royaltyView(b.Terms.Royalty).Text)
	}
	for _, f := range []struct{ name, x, y string }{
		{"retention", a.Terms.Retention, b.Terms.Retention}, {"jurisdiction", a.Terms.Jurisdiction, b.Terms.Jurisdiction},
		{"language", a.Terms.Language, b.Terms.Language}, {"title", a.Terms.Title, b.Terms.Title},
	} {
		if f.x != f.y {
			terms = append(terms, fmt.Sprintf("%s: %s → %s", f.name, f.x, f.y))
		}
	}
	return lineDiff(strings.Split(a.Terms.Text, "\n"), strings.Split(b.Terms.Text, "\n")), terms
}

// lineDiff is a longest-common-subsequence diff of two texts' lines.
func lineDiff(a, b []string) []DiffLineView {
	const maxLines = 2000 // an agreement is a few pages; beyond this show old then new
	if len(a) > maxLines || len(b) > maxLines {
		out := []DiffLineView{}
		for _, l := range a {
			out = append(out, DiffLineView{Op: "del", Text: l})
		}
		for _, l := range b {
			out = append(out, DiffLineView{Op: "add", Text: l})
		}
		return out
	}
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	out := []DiffLineView{}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, DiffLineView{Op: "same", Text: a[i]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, DiffLineView{Op: "add", Text: b[j]})
			j++
		default:
			out = append(out, DiffLineView{Op: "del", Text: a[i]})
			i++
		}
	}
	return out
}

func agreementFrom(n *node.Node, in AgreementInput) (coop.AgreementTerms, error) {
	t := coop.AgreementTerms{Title: strings.TrimSpace(in.Title), Text: in.Text, Retention: strings.TrimSpace(in.Retention),
		Jurisdiction: strings.TrimSpace(in.Jurisdiction), Language: strings.TrimSpace(in.Language)}
	if t.Retention == "" {
		t.Retention = "P3Y"
	}
	if t.Language == "" {
		t.Language = "en"
	}
	for _, p := range in.Purposes {
		if p = strings.TrimSpace(p); p != "" {
			t.Purposes = append(t.Purposes, consent.Purpose(p))
		}
	}
	slices.Sort(t.Purposes)
	t.Purposes = slices.Compact(t.Purposes)
	for _, r := range in.Recipients {
		if r = strings.TrimSpace(r); r != "" {
			t.Recipients = append(t.Recipients, r)
		}
	}
	slices.Sort(t.Recipients)
	t.Recipients = slices.Compact(t.Recipients)
	var err error
	if t.Royalty.Standard, err = share(in.Standard, "1/2"); err != nil {
		return t, fmt.Errorf("royalty of a standard licence: %w", err)
	}
	if t.Royalty.Extended, err = share(in.Extended, "3/4"); err != nil {
		return t, fmt.Errorf("royalty of an extended licence: %w", err)
	}
	if in.Replaces != "" {
		v, err := n.FindVersion(in.Replaces)
		if err != nil {
			return t, err
		}
		t.Replaces = v.ID
	}
	return t, t.Check()
}

// share parses "n/d" or "NN%" (default def when empty).
func share(s, def string) (exact.Ratio, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = def
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		k, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || k < 0 || k > 100 {
			return exact.Ratio{}, fmt.Errorf("%q: give a whole percentage from 0%% to 100%%, or n/d", s)
		}
		g := int64(100)
		for a := k; a != 0; g, a = a, g%a { // gcd(k, 100): 50% is 1/2
		}
		return exact.R(k/g, 100/g), nil
	}
	r, err := exact.ParseRatio(s)
	if err != nil {
		return r, err
	}
	return r, r.ValidateProportion()
}

func agreementInput(t coop.AgreementTerms) *AgreementInput {
	in := &AgreementInput{Title: t.Title, Text: t.Text, Recipients: nonNil(t.Recipients), Standard: t.Royalty.Standard.String(),
		Extended: t.Royalty.Extended.String(), Retention: t.Retention, Jurisdiction: t.Jurisdiction, Language: t.Language, Purposes: []string{}}
	if !t.Replaces.IsZero() {
		in.Replaces = t.Replaces.String()
	}
	for _, p := range t.Purposes {
		in.Purposes = append(in.Purposes, string(p))
	}
	return in
}

// Consents lists your consent events, newest first: the activity log of consent.
func (a *App) Consents() ([]ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	s := n.State()
	out := []ConsentView{}
	for _, rc := range s.ReceiptsOf(n.ConsentKey()) {
		v, err := consentView(n, s, rc)
		if err != nil { // one unreadable receipt does not hide the rest
			v = ConsentView{ID: rc.ID.String(), Event: rc.Event, Version: rc.Version.String(), Time: rc.Time.UTC().Format(timeLayout),
				Purposes: []string{}, Items: []string{}, ItemTitles: []string{}, Categories: []string{}, Recipients: []string{},
				Current: "unreadable: " + err.Error()}
		}
		out = append(out, v)
	}
	// Newest first by the receipts' clocks (hints, but the member's own),
	// then against fold order, which puts causes before effects.
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b ConsentView) int { return strings.Compare(b.Time, a.Time) })
	return out, nil
}

func consentView(n *node.Node, s *coop.State, rc *coop.Receipt) (ConsentView, error) {
	_, b, err := n.Receipt(rc.ID)
	if err != nil {
		return ConsentView{}, err
	}
	v := ConsentView{ID: rc.ID.String(), Event: rc.Event, Status: string(b.Status), Agreement: b.Agreement.String(), Version: rc.Version.String(),
		Purposes: []string{}, Items: []string{}, ItemTitles: []string{}, Categories: nonNil(b.Categories), Recipients: nonNil(b.Recipients),
		ValidFrom: b.ValidFrom, ValidUntil: b.ValidUntil, Time: rc.Time.UTC().Format(timeLayout)}
	if ver, ok := s.Version(rc.Version); ok {
		v.AgreementTitle, v.VersionNumber = ver.Terms.Title, ver.Number
	}
	for _, p := range b.Purposes {
		v.Purposes = append(v.Purposes, string(p))
	}
	for _, it := range b.Items {
		v.Items = append(v.Items, it.String())
	}
	v.ItemTitles = itemTitles(n, rc.ID, b.Items)
	if !b.Withdraws.IsZero() {
		v.Withdraws = b.Withdraws.String()
		if g, ok := s.Consents().Grant(b.Withdraws); ok {
			v.Ends = scopeView(n, g)
		}
	}
	if p, id, ok := n.PrivateConsent(rc.ID); ok {
		v.Record, v.Reason = id.String(), p.Reason
	}
	v.Current = string(b.Status)
	if g, ok := s.Consents().Grant(rc.ID); ok {
		st := g.StatusAt(n.Now(), nil)
		v.Current, v.Active = string(st), st == consent.Given
		if len(g.Withdrawals) > 0 {
			v.WithdrawnBy = g.Withdrawals[0].String()
		}
	}
	return v, nil
}

// itemTitles are the titles of the items a receipt names: as its full
// record (kept on this node) gave them, else as the vault has them now,
// else the start of the ID.
func itemTitles(n *node.Node, receipt record.ID, items []consent.Item) []string {
	var named map[consent.Item]string
	if p, _, ok := n.PrivateConsent(receipt); ok {
		named = map[consent.Item]string{}
		for _, d := range p.Items { // in the order given, not the receipt's
			named[d.Digest] = d.Title
		}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		title, ok := named[it]
		if !ok {
			title = it.Short()
			if m, err := n.Item(vault.Digest(it)); err == nil {
				title = m.Title
			}
		}
		out = append(out, title)
	}
	return out
}

// scopeView is what grant g covers, from the state (no read of its record).
func scopeView(n *node.Node, g *consent.Grant) *ScopeView {
	v := &ScopeView{Grant: g.ID.String(), Purposes: []string{}, Items: []string{}, ItemTitles: itemTitles(n, g.ID, g.Items),
		Categories: nonNil(g.Categories), Recipients: nonNil(g.Recipients)}
	for _, p := range g.Purposes {
		v.Purposes = append(v.Purposes, string(p))
	}
	for _, it := range g.Items {
		v.Items = append(v.Items, it.String())
	}
	if !g.Until.IsZero() {
		v.ValidUntil = g.Until.UTC().Format(timeLayout)
	}
	return v
}

func findReceipt(n *node.Node, s *coop.State, id string) (*coop.Receipt, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 {
		return nil, invalid("give the consent's receipt ID (at least 8 hex digits; `coopnode consent list` shows them)")
	}
	var hits []*coop.Receipt
	for _, rc := range s.ReceiptsOf(n.ConsentKey()) {
		if strings.HasPrefix(rc.ID.String(), id) {
			hits = append(hits, rc)
		}
	}
	if len(hits) != 1 {
		return nil, invalid("%d of your consents start with %s (`coopnode consent list` shows them)", len(hits), id)
	}
	return hits[0], nil
}

// Consent shows one of your consent events with its full ISO/IEC TS 27560 record.
func (a *App) Consent(id string) (ConsentDetailView, error) {
	n, err := a.ready()
	if err != nil {
		return ConsentDetailView{}, err
	}
	s := n.State()
	rc, err := findReceipt(n, s, id)
	if err != nil {
		return ConsentDetailView{}, err
	}
	doc, err := n.ConsentDocument(rc.ID)
	if err != nil {
		return ConsentDetailView{}, err
	}
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return ConsentDetailView{}, err
	}
	v, err := consentView(n, s, rc)
	if err != nil {
		return ConsentDetailView{}, err
	}
	return ConsentDetailView{ConsentView: v, Document: string(raw)}, nil
}

// GrantConsent gives consent under an agreement version.
func (a *App) GrantConsent(in ConsentInput) (ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return ConsentView{}, err
	}
	v, err := n.FindVersion(strings.TrimSpace(in.Version))
	if err != nil {
		return ConsentView{}, nodeErr(n, "finding the agreement version", err)
	}
	g := node.GrantInput{Version: v, Categories: in.Categories, Recipients: in.Recipients, Reason: in.Reason}
	for _, id := range in.Items {
		m, err := n.FindItem(strings.TrimSpace(id))
		if err != nil {
			return ConsentView{}, nodeErr(n, "finding the item", err)
		}
		g.Items = append(g.Items, m.Digest)
	}
	for _, p := range in.Purposes {
		g.Purposes = append(g.Purposes, consent.Purpose(p))
	}
	if in.ValidUntil != "" {
		if g.Until, err = parseDay(in.ValidUntil); err != nil {
			return ConsentView{}, err
		}
	}
	r, err := n.Grant(g)
	if err != nil {
		return ConsentView{}, nodeErr(n, "giving consent", err)
	}
	return a.consentByID(n, r.ID)
}

func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, invalid("valid until %q: use YYYY-MM-DD or RFC 3339", s)
}

// consentViews shows the consent events recs a call just made.
func (a *App) consentViews(n *node.Node, recs []*record.Record) ([]ConsentView, error) {
	out := []ConsentView{}
	for _, r := range recs {
		cv, err := a.consentByID(n, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, cv)
	}
	return out, nil
}

func (a *App) consentByID(n *node.Node, id record.ID) (ConsentView, error) {
	s := n.State()
	rc, ok := s.ReceiptByID(id)
	if !ok {
		return ConsentView{}, fmt.Errorf("consent %s was stored but is not in force", id.Short())
	}
	return consentView(n, s, rc)
}

// WithdrawConsent withdraws one of your grants, from now on.
func (a *App) WithdrawConsent(id, reason string) (ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return ConsentView{}, err
	}
	rc, err := findReceipt(n, n.State(), id)
	if err != nil {
		return ConsentView{}, err
	}
	r, err := n.Withdraw(rc.ID, reason)
	if err != nil {
		return ConsentView{}, nodeErr(n, "withdrawing consent", err)
	}
	return a.consentByID(n, r.ID)
}

// WithdrawVersion withdraws every consent of yours in force under one
// agreement version (the opt-in, and any per item and purpose), from now
// on, in one step; it returns the withdrawals. When nothing of yours is in
// force under it, it says so (an error, 400): nothing is withdrawn twice.
func (a *App) WithdrawVersion(version, reason string) ([]ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	v, err := n.FindVersion(strings.TrimSpace(version))
	if err != nil {
		return nil, nodeErr(n, "finding the agreement version", err)
	}
	recs, err := n.WithdrawVersion(v, reason)
	if err != nil {
		return nil, nodeErr(n, "withdrawing consent", err)
	}
	return a.consentViews(n, recs)
}

// RefuseAgreement opts out of an agreement version (withdrawing your consent under it).
func (a *App) RefuseAgreement(version, reason string) (ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return ConsentView{}, err
	}
	v, err := n.FindVersion(strings.TrimSpace(version))
	if err != nil {
		return ConsentView{}, nodeErr(n, "finding the agreement version", err)
	}
	r, err := n.Refuse(v, reason)
	if err != nil {
		return ConsentView{}, nodeErr(n, "opting out", err)
	}
	return a.consentByID(n, r.ID)
}

// SetItemConsent allows or stops one use (purpose) of one item under an
// agreement version; it returns the consent events it made.
func (a *App) SetItemConsent(item, version, purpose string, allow bool) ([]ConsentView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	m, err := n.FindItem(strings.TrimSpace(item))
	if err != nil {
		return nil, nodeErr(n, "finding the item", err)
	}
	v, err := n.FindVersion(strings.TrimSpace(version))
	if err != nil {
		return nil, nodeErr(n, "finding the agreement version", err)
	}
	recs, err := n.SetItemConsent(m.Digest, v, consent.Purpose(purpose), allow)
	if err != nil {
		return nil, nodeErr(n, "changing the item's consent", err)
	}
	return a.consentViews(n, recs)
}

// DataSignals gives the machine-readable preferences matching your consent
// for an item, to publish on your own site. policyURL (optional) is where
// your co-op's licence terms are.
func (a *App) DataSignals(item, policyURL string) (SignalsView, error) {
	n, err := a.ready()
	if err != nil {
		return SignalsView{}, err
	}
	m, err := n.FindItem(strings.TrimSpace(item))
	if err != nil {
		return SignalsView{}, nodeErr(n, "finding the item", err)
	}
	s := n.State()
	var uses []consent.Use
	now := n.Now()
	for _, ag := range s.Agreements() {
		for _, v := range ag.Versions {
			for _, p := range v.Terms.Purposes {
				if st, g := s.Consents().ItemStatus(n.ConsentKey(), consent.Item(m.Digest), m.Tags, p, v.ID, now, nil); st == consent.Given {
					uses = append(uses, consent.Use{Purpose: p, Recipients: g.Recipients, Terms: fmt.Sprintf("%s v%d", v.Terms.Title, v.Number)})
				}
			}
		}
	}
	sig := consent.Preferences(uses, strings.TrimSpace(policyURL))
	loc := "/" + url.PathEscape(m.FileName)
	return SignalsView{Item: m.Digest.String(), ContentUsage: sig.Header(), RobotsTxt: sig.RobotsLine(), TDMRep: sig.TDMRepJSON(loc),
		TrainingMining: sig.TrainingMiningJSON(),
		Explanation: "A public signal speaks to everyone. A use you allow only to the co-op's licensees is shown as \"constrained\" " +
			"(CAWG) and as not allowed to crawlers (aipref train-ai=n, TDMRep reservation), so nobody takes for free what the co-op licenses. " +
			"aipref's \"search\" has no matching purpose here, so it is left out."}, nil
}

// ConsentStatus answers, for the whole co-op, which items may be used for
// purpose by recipient (a licensee class; "" for any) now.
func (a *App) ConsentStatus(purpose, recipient string) (ConsentQueryView, error) {
	n, err := a.ready()
	if err != nil {
		return ConsentQueryView{}, err
	}
	p := consent.Purpose(strings.TrimSpace(purpose))
	if _, ok := p.Info(); !ok {
		return ConsentQueryView{}, invalid("purpose %q is not a DPV purpose coopnode knows (see `coopnode agreements --purposes`)", purpose)
	}
	s := n.State()
	at, start := n.Now(), time.Now()
	gs := s.Consents().Usable(consent.Query{Purpose: p, Recipient: strings.TrimSpace(recipient), At: at})
	took := time.Since(start)
	v := ConsentQueryView{Purpose: string(p), Recipient: recipient, At: at.UTC().Format(timeLayout), Receipts: len(gs), Uses: []ConsentUse{},
		Versions: []VersionHits{}, Took: took.String()}
	members, items := map[record.PublicKey]bool{}, map[consent.Item]bool{}
	perVersion := map[record.ID]int{}
	for _, g := range gs {
		members[g.Principal] = true
		perVersion[g.Version]++
		u := ConsentUse{Principal: g.Principal.String(), Receipt: g.ID.String(), Version: g.Version.String(), Items: []string{}, Categories: nonNil(g.Categories)}
		for _, it := range g.Items {
			items[it] = true
			u.Items = append(u.Items, it.String())
		}
		if !g.Until.IsZero() {
			u.Until = g.Until.UTC().Format(timeLayout)
		}
		if len(v.Uses) < 1000 { // the counts are whole; the list is a sample
			v.Uses = append(v.Uses, u)
		}
	}
	v.Members, v.Items = len(members), len(items)
	for id, k := range perVersion {
		v.Versions = append(v.Versions, VersionHits{Version: id.String(), Receipts: k})
	}
	slices.SortFunc(v.Versions, func(a, b VersionHits) int { return strings.Compare(a.Version, b.Version) })
	return v, nil
}
