package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/verify"
)

// adoptAgreement opens an agreement proposal as the only member, votes yes,
// moves the clock past its close and closes it.
func adoptAgreement(t *testing.T, a *App, clock *time.Time, in AgreementInput) ProposalView {
	t.Helper()
	p, err := a.Propose(ProposeInput{Kind: "agreement", Method: "majority", Body: "As drafted.", Hours: 1, Agreement: &in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(p.ID, VoteInput{Position: "yes"}); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(2 * time.Hour)
	p, err = a.CloseProposal(p.ID)
	if err != nil || p.Result == nil || p.Result.Outcome != "passed" || !strings.Contains(p.Effect, "adopted") {
		t.Fatalf("close: %+v %v", p, err)
	}
	return p
}

func TestMyDataFlow(t *testing.T) {
	clock := time.Now().UTC().Truncate(time.Second)
	opts := testOpts
	opts.Now = func() time.Time { return clock }
	core := NewCore(t.TempDir(), opts)
	t.Cleanup(func() { core.Close() })
	a := NewApp(core)
	if err := a.Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	v1 := AgreementInput{Title: "Photo licence", Text: "Photos may be licensed.\nMembers are paid royalties.",
		Purposes: []string{"ai:ModelTraining", "ResearchAndDevelopment"}, Recipients: []string{"researchers", "ai-developers"},
		Standard: "50%", Extended: "3/4", Jurisdiction: "EU"}
	prop := adoptAgreement(t, a, &clock, v1)
	if prop.Agreement == nil || prop.Agreement.Title != "Photo licence" {
		t.Fatalf("proposal view lacks the agreement: %+v", prop.Agreement)
	}

	file := filepath.Join(t.TempDir(), "harbour.png")
	content := bytes.Repeat([]byte("harbour at dawn "), 5000)
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddDataFile("harbour.png", "", nil); err == nil {
		t.Fatal("a relative path was accepted")
	}
	item, err := a.AddDataFile(file, "", []string{"Landscapes"})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if item.ID != hex.EncodeToString(sum[:]) || item.Title != "harbour" || item.MediaType != "image/png" || len(item.Purposes) != 2 || item.Purposes[0].Allowed {
		t.Fatalf("item %+v", item)
	}
	if ts, _ := a.Transfers(); len(ts) != 1 || !ts[0].Finished || ts[0].Done != int64(len(content)) || ts[0].Item != item.ID {
		t.Fatalf("transfers %+v", ts)
	}

	ags, err := a.Agreements()
	if err != nil || len(ags) != 1 || ags[0].Versions[0].Mine != "" || ags[0].Versions[0].Royalty.Standard != "1/2" {
		t.Fatalf("agreements %+v %v", ags, err)
	}
	// Opt in: every item, every purpose of the version.
	g, err := a.GrantConsent(ConsentInput{Version: ags[0].Current[:8], Categories: []string{"all"}})
	if err != nil || !g.Active || g.Status != "ConsentGiven" || len(g.Purposes) != 2 {
		t.Fatalf("grant %+v %v", g, err)
	}
	ags, _ = a.Agreements()
	if ags[0].Versions[0].Mine != "opted-in" {
		t.Fatalf("mine after opting in: %q", ags[0].Versions[0].Mine)
	}
	item, _ = a.DataItem(item.ID[:10])
	for _, p := range item.Purposes {
		if !p.Allowed || p.Receipt != g.ID {
			t.Fatalf("after opting in: %+v", p)
		}
	}
	// Stop training for this item: research stays.
	clock = clock.Add(time.Minute)
	evs, err := a.SetItemConsent(item.ID, ags[0].Current, "ai:ModelTraining", false)
	if err != nil || len(evs) != 2 {
		t.Fatalf("stop training: %+v %v", evs, err)
	}
	item, _ = a.DataItem(item.ID)
	allowed := map[string]bool{}
	for _, p := range item.Purposes {
		allowed[p.Purpose] = p.Allowed
	}
	if allowed["ai:ModelTraining"] || !allowed["ResearchAndDevelopment"] {
		t.Fatalf("after stopping training: %v", allowed)
	}
	log, err := a.Consents()
	if err != nil || len(log) != 3 || log[len(log)-1].ID != g.ID || log[len(log)-1].Current != "ConsentWithdrawn" {
		t.Fatalf("consent log %+v %v", log, err)
	}
	d, err := a.Consent(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(d.Document), &doc); err != nil || doc["receiptId"] != g.ID || doc["recordId"] == "" {
		t.Fatalf("27560 document %s %v", d.Document, err)
	}
	sig, err := a.DataSignals(item.ID, "https://riverside.example/licence")
	if err != nil || sig.ContentUsage != "Content-Usage: train-ai=n" || !strings.Contains(sig.TDMRep, `"tdm-reservation": 1`) ||
		!strings.Contains(sig.TrainingMining, `"constrained"`) {
		t.Fatalf("signals %+v %v", sig, err)
	}
	q, err := a.ConsentStatus("ResearchAndDevelopment", "researchers")
	if err != nil || q.Receipts != 1 || q.Members != 1 {
		t.Fatalf("co-op status %+v %v", q, err)
	}
	if _, err := a.ConsentStatus("Marketing", ""); err == nil {
		t.Fatal("an unknown purpose was accepted")
	}

	// Version 2 asks again, and says what changed.
	v2 := v1
	v2.Replaces, v2.Text = ags[0].Current, "Photos may be licensed.\nInsights may be sold.\nMembers are paid royalties."
	v2.Purposes = append(slices.Clone(v1.Purposes), "SellInsightsFromData")
	adoptAgreement(t, a, &clock, v2)
	ags, _ = a.Agreements()
	cur := ags[0].Versions[0]
	if cur.Number != 2 || !cur.Current || cur.Mine != "" || !slices.Contains(cur.Terms, "purpose added: Selling insights (SellInsightsFromData)") {
		t.Fatalf("version 2 %+v", cur)
	}
	var added []string
	for _, l := range cur.Changes {
		if l.Op == "add" {
			added = append(added, l.Text)
		}
	}
	if len(added) != 1 || added[0] != "Insights may be sold." {
		t.Fatalf("diff %+v", cur.Changes)
	}
	if _, err := a.RefuseAgreement(cur.ID, "no"); err != nil {
		t.Fatal(err)
	}
	if ags, _ = a.Agreements(); ags[0].Versions[0].Mine != "opted-out" || ags[0].Versions[1].Mine != "opted-in" {
		t.Fatalf("answers %q %q", ags[0].Versions[0].Mine, ags[0].Versions[1].Mine)
	}

	// An auditor's offline check sees both versions and every consent receipt.
	bundlePath := filepath.Join(t.TempDir(), "riverside.cnb")
	if _, err := a.ExportBundle(bundlePath, ""); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Bundle(f)
	f.Close()
	if err != nil || !rep.OK || len(rep.Agreements) != 2 || rep.Agreements[0].Grants != 2 || rep.Consent.Withdrawals != 1 ||
		rep.Consent.Refusals != 1 || rep.Consent.Keys != 1 {
		t.Fatalf("verify: %+v %v", rep, err)
	}

	out := filepath.Join(t.TempDir(), "back.png")
	ex, err := a.ExportData(item.ID, out)
	if b, _ := os.ReadFile(out); err != nil || !bytes.Equal(b, content) || ex.Bytes != int64(len(content)) {
		t.Fatalf("export %+v %v", ex, err)
	}
	if err := a.RemoveData(item.ID, "done"); err != nil {
		t.Fatal(err)
	}
	if items, _ := a.DataItems(); len(items) != 0 {
		t.Fatalf("items after removal: %d", len(items))
	}
}

// The browser's upload and download: streamed through the HTTP API.
func TestVaultOverHTTP(t *testing.T) {
	srv, core := startServer(t)
	tok := strings.TrimPrefix(srv.URL()[strings.Index(srv.URL(), "token="):], "token=")
	content := bytes.Repeat([]byte{1, 2, 3, 250}, 300_000)
	req, _ := http.NewRequest(http.MethodPost, srv.Addr()+"/vault/upload?name=scan.tiff&title=Scan&tags=a,b", bytes.NewReader(content))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Result DataItemView
		Error  string
	}
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 200 || env.Result.Title != "Scan" || env.Result.Size != int64(len(content)) || len(env.Result.Tags) != 2 {
		t.Fatalf("upload: %d %+v", resp.StatusCode, env)
	}
	// Without the token: refused, and nothing stored.
	bad, _ := http.NewRequest(http.MethodPost, srv.Addr()+"/vault/upload?name=x.bin", strings.NewReader("evil"))
	if resp, err := http.DefaultClient.Do(bad); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("upload without a token: %v %v", resp, err)
	}
	if items, _ := core.Node().Items(); len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	get, _ := http.NewRequest(http.MethodGet, srv.Addr()+"/vault/items/"+env.Result.ID[:12], nil)
	get.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, content) || !strings.Contains(resp.Header.Get("Content-Disposition"), "scan.tiff") {
		t.Fatalf("download: %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Disposition"))
	}
}

// testClock is a node clock a test moves (node goroutines read it too).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// dataApp founds a co-op whose clock the test moves and adopts an
// agreement (two purposes, two recipients) in it; it returns the version.
func dataApp(t *testing.T) (*App, *Core, *testClock, string) {
	t.Helper()
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	opts := testOpts
	opts.Now = clock.now
	core := NewCore(t.TempDir(), opts)
	t.Cleanup(func() { core.Close() })
	a := NewApp(core)
	if err := a.Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	v := adoptVersion(t, a, clock, AgreementInput{Title: "Photo licence", Text: "Photos may be licensed.",
		Purposes: []string{"ai:ModelTraining", "ResearchAndDevelopment"}, Recipients: []string{"researchers", "ai-developers"}, Jurisdiction: "EU"})
	return a, core, clock, v
}

// adoptVersion adopts an agreement version (as adoptAgreement) and returns its ID.
func adoptVersion(t *testing.T, a *App, clock *testClock, in AgreementInput) string {
	t.Helper()
	p, err := a.Propose(ProposeInput{Kind: "agreement", Method: "majority", Body: "As drafted.", Hours: 1, Agreement: &in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(p.ID, VoteInput{Position: "yes"}); err != nil {
		t.Fatal(err)
	}
	clock.add(2 * time.Hour)
	if p, err = a.CloseProposal(p.ID); err != nil || !strings.Contains(p.Effect, "adopted") {
		t.Fatalf("close: %+v %v", p, err)
	}
	return p.ID
}

// addFile adds a file with content to a's vault.
func addFile(t *testing.T, a *App, name, content string) DataItemView {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	it, err := a.AddDataFile(p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// serveCore serves core's App on loopback; the function it returns calls
// an API method over HTTP and gives the status and error text.
func serveCore(t *testing.T, core *Core) func(method string, args ...any) (int, string) {
	t.Helper()
	srv, tok := serve(t, core)
	return func(method string, args ...any) (int, string) {
		body, _ := json.Marshal(args)
		req, _ := http.NewRequest(http.MethodPost, srv.Addr()+"/api/"+method, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&env)
		return resp.StatusCode, env.Error
	}
}

// The caller's mistakes answer 400 (or 404 for what does not exist); a
// node that cannot write its store answers 500 and says what to do.
func TestConsentErrorStatus(t *testing.T) {
	a, core, _, v := dataApp(t)
	call := serveCore(t, core)
	item := addFile(t, a, "harbour.jpg", "harbour at dawn")
	for _, c := range []string{"one", "two"} {
		p := filepath.Join(t.TempDir(), c+".txt")
		os.WriteFile(p, []byte(c), 0o600)
		if _, err := a.AddDataFile(p, "Twin", nil); err != nil {
			t.Fatal(err)
		}
	}
	g, err := a.GrantConsent(ConsentInput{Version: v, Items: []string{item.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WithdrawConsent(g.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		method string
		args   []any
		status int
		text   string
	}{
		{"a purpose the version lacks", "GrantConsent", []any{ConsentInput{Version: v, Items: []string{item.ID}, Purposes: []string{"SellDataToThirdParties"}}},
			400, `does not name the purpose "SellDataToThirdParties"`},
		{"not a DPV purpose", "GrantConsent", []any{ConsentInput{Version: v, Items: []string{item.ID}, Purposes: []string{"Marketing"}}},
			400, `does not name the purpose "Marketing"`},
		{"a recipient the version lacks", "GrantConsent", []any{ConsentInput{Version: v, Items: []string{item.ID}, Recipients: []string{"advertisers"}}},
			400, `does not name the recipient "advertisers"`},
		{"nothing to consent for", "GrantConsent", []any{ConsentInput{Version: v}}, 400, "consent to what?"},
		{"an end in the past", "GrantConsent", []any{ConsentInput{Version: v, Items: []string{item.ID}, ValidUntil: "2001-01-01"}}, 400, "would end before it begins"},
		{"withdrawn twice", "WithdrawConsent", []any{g.ID, ""}, 400, "withdrawn already"},
		{"nothing in force to withdraw", "WithdrawVersion", []any{v, ""}, 400, "nothing to withdraw"},
		{"an item's purpose the version lacks", "SetItemConsent", []any{item.ID, v, "PublicBenefit", true}, 400, `does not name the purpose "PublicBenefit"`},
		{"a title two items have", "DataItem", []any{"Twin"}, 400, "names 2 items"},
		{"no such version", "GrantConsent", []any{ConsentInput{Version: "0123456789abcdef", Categories: []string{"all"}}}, 404, "no such agreement version"},
		{"no such item", "DataItem", []any{"0123456789abcdef"}, 404, "no such data item"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, text := call(tc.method, tc.args...)
			if status != tc.status || !strings.Contains(text, tc.text) || strings.HasPrefix(text, "invalid input") {
				t.Fatalf("%d %q, want %d and %q", status, text, tc.status, tc.text)
			}
		})
	}
	// The store cannot be read or written: the node under the API is closed.
	core.Node().Close()
	for _, tc := range []struct {
		method string
		args   []any
		what   string
	}{
		{"GrantConsent", []any{ConsentInput{Version: v, Categories: []string{"all"}}}, "giving consent failed on this node"},
		{"RefuseAgreement", []any{v, ""}, "opting out failed on this node"},
		{"DataItem", []any{item.ID}, "finding the item failed on this node"},
	} {
		status, text := call(tc.method, tc.args...)
		t.Logf("%s on a closed node: %d %s", tc.method, status, text)
		for _, want := range []string{tc.what, "closed", "not a mistake in your request", "disk has free space", core.Home(), "try again"} {
			if status != 500 || !strings.Contains(text, want) {
				t.Fatalf("%s on a closed node: %d %q, want 500 and %q", tc.method, status, text, want)
			}
		}
	}
}

// Mine is the member's answer to one version: in force, refused, withdrawn
// or expired, and "" only when never answered.
func TestMine(t *testing.T) {
	type env struct {
		t     *testing.T
		a     *App
		clock *testClock
		v     string // the version adopted first
		item  string
	}
	// Each step is a second after the one before, as clicks are: receipts
	// are ordered by their clocks.
	step := func(e *env, f func() (ConsentView, error)) string {
		e.t.Helper()
		e.clock.add(time.Second)
		c, err := f()
		if err != nil {
			e.t.Fatal(err)
		}
		return c.ID
	}
	grant := func(e *env, version string, in ConsentInput) string {
		if in.Version = version; len(in.Items) == 0 {
			in.Categories = []string{"all"}
		}
		return step(e, func() (ConsentView, error) { return e.a.GrantConsent(in) })
	}
	withdraw := func(e *env, id string) string {
		return step(e, func() (ConsentView, error) { return e.a.WithdrawConsent(id, "") })
	}
	refuse := func(e *env, version string) string {
		return step(e, func() (ConsentView, error) { return e.a.RefuseAgreement(version, "") })
	}
	next := func(e *env) string { // version 2, replacing the first
		return adoptVersion(e.t, e.a, e.clock, AgreementInput{Replaces: e.v, Title: "Photo licence", Text: "Photos may be licensed, v2.",
			Purposes: []string{"ai:ModelTraining"}, Recipients: []string{"researchers"}, Jurisdiction: "EU"})
	}
	for _, tc := range []struct {
		name string
		// do answers and returns the version to ask about and the receipt
		// Mine must name ("*": any grant in force).
		do   func(e *env) (version, receipt string)
		mine string
	}{
		{"never answered", func(e *env) (string, string) { return e.v, "" }, ""},
		{"grant", func(e *env) (string, string) { g := grant(e, e.v, ConsentInput{}); return e.v, g }, "opted-in"},
		{"grant, withdraw", func(e *env) (string, string) {
			return e.v, withdraw(e, grant(e, e.v, ConsentInput{}))
		}, "withdrawn"},
		{"grant, withdraw, grant again", func(e *env) (string, string) {
			withdraw(e, grant(e, e.v, ConsentInput{}))
			return e.v, grant(e, e.v, ConsentInput{})
		}, "opted-in"},
		{"refuse", func(e *env) (string, string) { return e.v, refuse(e, e.v) }, "opted-out"},
		{"grant, refuse", func(e *env) (string, string) { grant(e, e.v, ConsentInput{}); return e.v, refuse(e, e.v) }, "opted-out"},
		{"refuse, grant", func(e *env) (string, string) { refuse(e, e.v); return e.v, grant(e, e.v, ConsentInput{}) }, "opted-in"},
		{"grant, expired", func(e *env) (string, string) {
			g := grant(e, e.v, ConsentInput{ValidUntil: e.clock.now().Add(24 * time.Hour).Format(time.RFC3339)})
			e.clock.add(48 * time.Hour)
			return e.v, g
		}, "expired"},
		{"expired, withdrawn after", func(e *env) (string, string) {
			g := grant(e, e.v, ConsentInput{ValidUntil: e.clock.now().Add(24 * time.Hour).Format(time.RFC3339)})
			e.clock.add(48 * time.Hour)
			return e.v, withdraw(e, g)
		}, "withdrawn"},
		{"expired, grant again", func(e *env) (string, string) {
			grant(e, e.v, ConsentInput{ValidUntil: e.clock.now().Add(24 * time.Hour).Format(time.RFC3339)})
			e.clock.add(48 * time.Hour)
			return e.v, grant(e, e.v, ConsentInput{})
		}, "opted-in"},
		{"one use of an item stopped, the rest in force", func(e *env) (string, string) {
			grant(e, e.v, ConsentInput{})
			e.clock.add(time.Second)
			if _, err := e.a.SetItemConsent(e.item, e.v, "ai:ModelTraining", false); err != nil {
				e.t.Fatal(err)
			}
			return e.v, "*"
		}, "opted-in"},
		{"a later grant withdrawn, an earlier one in force", func(e *env) (string, string) {
			g := grant(e, e.v, ConsentInput{})
			withdraw(e, grant(e, e.v, ConsentInput{Items: []string{e.item}, Purposes: []string{"ResearchAndDevelopment"}}))
			return e.v, g
		}, "opted-in"},
		{"another version answered: this one was not", func(e *env) (string, string) {
			v2 := next(e)
			grant(e, v2, ConsentInput{})
			return e.v, ""
		}, ""},
		{"the version before answered: a new one was not", func(e *env) (string, string) {
			grant(e, e.v, ConsentInput{})
			return next(e), ""
		}, ""},
		{"withdrawn under one version, opted in under the next", func(e *env) (string, string) {
			withdraw(e, grant(e, e.v, ConsentInput{}))
			v2 := next(e)
			return v2, grant(e, v2, ConsentInput{})
		}, "opted-in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, clock, v := dataApp(t)
			e := &env{t: t, a: a, clock: clock, v: v}
			e.item = addFile(t, a, "harbour.jpg", "harbour at dawn").ID
			version, receipt := tc.do(e)
			ags, err := a.Agreements()
			if err != nil || len(ags) != 1 {
				t.Fatalf("agreements %+v %v", ags, err)
			}
			var got *AgreementVersionView
			for i := range ags[0].Versions {
				if ags[0].Versions[i].ID == version {
					got = &ags[0].Versions[i]
				}
			}
			if got == nil {
				t.Fatalf("no version %s in %+v", version, ags[0].Versions)
			}
			if got.Mine != tc.mine || (receipt != "*" && got.MineReceipt != receipt) || (receipt == "*" && got.MineReceipt == "") {
				t.Fatalf("mine %q (%s), want %q (%s)", got.Mine, got.MineReceipt, tc.mine, receipt)
			}
			if receipt == "*" {
				if c, err := a.Consent(got.MineReceipt); err != nil || c.Event != "grant" || !c.Active {
					t.Fatalf("the receipt behind opted-in: %+v %v", c, err)
				}
			}
		})
	}
}

// WithdrawVersion ends exactly the grants in force under one version, in
// one call; a second call finds nothing in force and says so.
func TestWithdrawVersion(t *testing.T) {
	a, _, clock, v1 := dataApp(t)
	item := addFile(t, a, "harbour.jpg", "harbour at dawn")
	var v1Grants []string
	for _, in := range []ConsentInput{{Version: v1, Categories: []string{"all"}, Purposes: []string{"ResearchAndDevelopment"}},
		{Version: v1, Items: []string{item.ID}, Purposes: []string{"ai:ModelTraining"}, Recipients: []string{"researchers"}}} {
		clock.add(time.Second)
		g, err := a.GrantConsent(in)
		if err != nil {
			t.Fatal(err)
		}
		v1Grants = append(v1Grants, g.ID)
	}
	v2 := adoptVersion(t, a, clock, AgreementInput{Replaces: v1, Title: "Photo licence", Text: "Photos may be licensed, v2.",
		Purposes: []string{"ai:ModelTraining"}, Recipients: []string{"researchers"}, Jurisdiction: "EU"})
	other, err := a.GrantConsent(ConsentInput{Version: v2, Categories: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	clock.add(time.Second)
	ws, err := a.WithdrawVersion(v1[:12], "moving to version 2")
	if err != nil {
		t.Fatal(err)
	}
	var ended []string
	for _, w := range ws {
		if w.Event != "withdraw" || w.Status != "ConsentWithdrawn" || w.Version != v1 || w.Reason != "moving to version 2" {
			t.Fatalf("withdrawal %+v", w)
		}
		ended = append(ended, w.Withdraws)
	}
	slices.Sort(ended)
	slices.Sort(v1Grants)
	if !slices.Equal(ended, v1Grants) {
		t.Fatalf("withdrew %v, want the grants under version 1 %v", ended, v1Grants)
	}
	cs, _ := a.Consents()
	for _, c := range cs {
		if c.Event == "grant" && c.Active != (c.ID == other.ID) {
			t.Fatalf("after withdrawing version 1: %s active=%v", c.ID, c.Active)
		}
	}
	if ags, _ := a.Agreements(); ags[0].Versions[1].Mine != "withdrawn" || ags[0].Versions[0].Mine != "opted-in" {
		t.Fatalf("answers %q %q", ags[0].Versions[1].Mine, ags[0].Versions[0].Mine)
	}
	// Again: nothing is in force, and it says so instead of doing nothing.
	if again, err := a.WithdrawVersion(v1, ""); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "nothing to withdraw") || len(again) != 0 {
		t.Fatalf("withdrawing again: %+v %v", again, err)
	}
	if _, err := a.WithdrawVersion("0123456789abcdef", ""); !errors.Is(err, node.ErrNoVersion) {
		t.Fatalf("an unknown version: %v", err)
	}
	if cs2, _ := a.Consents(); len(cs2) != len(cs) {
		t.Fatalf("the failed calls made %d events", len(cs2)-len(cs))
	}
}

// `coopnode consent withdraw --version V` beside `consent withdraw RECEIPT`.
func TestCLIWithdrawVersion(t *testing.T) {
	// A home whose agreement was adopted an hour ago (its clock runs behind).
	clock := &testClock{t: time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Second)}
	opts := testOpts
	opts.Now = clock.now
	home := t.TempDir()
	core := NewCore(home, opts)
	a := NewApp(core)
	if err := a.Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	v := adoptVersion(t, a, clock, AgreementInput{Title: "Photo licence", Text: "Photos may be licensed.",
		Purposes: []string{"ai:ModelTraining", "ResearchAndDevelopment"}, Recipients: []string{"researchers"}, Jurisdiction: "EU"})
	item := addFile(t, a, "harbour.jpg", "harbour at dawn")
	for _, in := range []ConsentInput{{Version: v, Categories: []string{"all"}, Purposes: []string{"ResearchAndDevelopment"}},
		{Version: v, Items: []string{item.ID}, Purposes: []string{"ai:ModelTraining"}}} {
		clock.add(time.Second)
		if _, err := a.GrantConsent(in); err != nil {
			t.Fatal(err)
		}
	}
	core.Close()
	t.Setenv("COOPNODE_PASSPHRASE", "passphrase1")
	arg := func(x ...string) []string { return append([]string{"--home", home}, x...) }
	for _, bad := range [][]string{{"consent", "withdraw"}, {"consent", "withdraw", "0123456789ab", "--version", v[:12]}} {
		if code, _, errs := runCLI(t, arg(bad...)...); code != exitUsage || !strings.Contains(errs, "--version V") {
			t.Fatalf("%v: %d %q", bad, code, errs)
		}
	}
	code, out, errs := runCLI(t, arg("consent", "withdraw", "--version", v[:12], "--reason", "done")...)
	if code != 0 || !strings.Contains(out, `Withdrew 2 consents under "Photo licence" version 1`) || strings.Count(out, "withdrawn by receipt") != 2 {
		t.Fatalf("withdraw --version: %d %q %q", code, out, errs)
	}
	if _, out, _ = runCLI(t, arg("agreements")...); !strings.Contains(out, "you        withdrew your consent") {
		t.Fatalf("agreements after withdrawing: %q", out)
	}
	if code, _, errs = runCLI(t, arg("consent", "withdraw", "--version", v[:12])...); code != 1 || !strings.Contains(errs, "nothing to withdraw") {
		t.Fatalf("withdraw --version again: %d %q", code, errs)
	}
}

// A withdrawal shows what stopped: the items or categories, purposes and
// recipients of the grant it ends (its own receipt names only the grant).
func TestWithdrawalScope(t *testing.T) {
	a, _, clock, v := dataApp(t)
	one, two := addFile(t, a, "one.jpg", "first photo"), addFile(t, a, "two.jpg", "second photo")
	items := []string{one.ID, two.ID}
	if items[0] < items[1] { // named against the receipt's (digest) order
		items[0], items[1] = items[1], items[0]
	}
	type want struct {
		purposes, items, titles, categories, recipients []string
	}
	cases := []struct {
		in   ConsentInput
		want want
	}{
		{ConsentInput{Version: v, Items: items, Purposes: []string{"ai:ModelTraining"}, Recipients: []string{"researchers"}},
			want{[]string{"ai:ModelTraining"}, nil, nil, []string{}, []string{"researchers"}}},
		{ConsentInput{Version: v, Categories: []string{"all"}},
			want{[]string{"ResearchAndDevelopment", "ai:ModelTraining"}, []string{}, []string{}, []string{"all"}, []string{"ai-developers", "researchers"}}},
	}
	byID := map[string]DataItemView{one.ID: one, two.ID: two}
	grants := map[string]want{}
	for _, c := range cases {
		clock.add(time.Second)
		g, err := a.GrantConsent(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if c.want.items == nil { // the items by digest, each with its own title
			c.want.items = slices.Sorted(slices.Values(items))
			for _, id := range c.want.items {
				c.want.titles = append(c.want.titles, byID[id].Title)
			}
		}
		grants[g.ID] = c.want
		if g.Ends != nil {
			t.Fatalf("a grant ends nothing: %+v", g.Ends)
		}
	}
	clock.add(time.Second)
	ws, err := a.WithdrawVersion(v, "")
	if err != nil || len(ws) != 2 {
		t.Fatalf("withdraw: %+v %v", ws, err)
	}
	log, _ := a.Consents()
	seen := 0
	for _, c := range log {
		if c.Event != "withdraw" {
			continue
		}
		seen++
		w, ok := grants[c.Withdraws]
		if c.Ends == nil || !ok || c.Ends.Grant != c.Withdraws {
			t.Fatalf("withdrawal %s ends %+v", c.ID, c.Ends)
		}
		got := want{c.Ends.Purposes, c.Ends.Items, c.Ends.ItemTitles, c.Ends.Categories, c.Ends.Recipients}
		for i, pair := range [][2][]string{{got.purposes, w.purposes}, {got.items, w.items}, {got.titles, w.titles}, {got.categories, w.categories}, {got.recipients, w.recipients}} {
			if !slices.Equal(pair[0], pair[1]) || pair[0] == nil {
				t.Fatalf("withdrawal of %s, field %d: %q, want %q", c.Withdraws[:12], i, pair[0], pair[1])
			}
		}
		if c.Ends.ValidUntil == "" || len(c.Purposes) != 0 || len(c.Items) != 0 {
			t.Fatalf("withdrawal %+v", c)
		}
		if d, err := a.Consent(c.ID); err != nil || d.Ends == nil || d.Ends.Grant != c.Withdraws {
			t.Fatalf("consent show of a withdrawal: %+v %v", d.Ends, err)
		}
	}
	if seen != 2 {
		t.Fatalf("%d withdrawals in the log", seen)
	}
}

// Each transfer has its caller's name for it (Source) from its start: two
// files of one name in two folders are two transfers, and an upload in
// flight is found by the id its sender gave.
func TestTransferSource(t *testing.T) {
	srv, core := startServer(t)
	a := NewApp(core)
	tok, err := LoadToken(core.Home())
	if err != nil {
		t.Fatal(err)
	}
	// Two photo.jpg, in two folders, added at once.
	dir := t.TempDir()
	paths := map[string]int{}
	for i, sub := range []string{"a", "b"} {
		p := filepath.Join(dir, sub, "photo.jpg")
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, bytes.Repeat([]byte(sub), 100_000*(i+1)), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[p] = 100_000 * (i + 1)
	}
	items := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for p := range paths {
		wg.Go(func() {
			it, err := a.AddDataFile(p, "", nil)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			items[p] = it.ID
			mu.Unlock()
		})
	}
	wg.Wait()
	ts, _ := a.Transfers()
	if len(ts) != 2 {
		t.Fatalf("transfers %+v", ts)
	}
	for _, tr := range ts {
		if tr.Name != "photo.jpg" || tr.Direction != "in" || !tr.Finished || tr.Item != items[tr.Source] || tr.Done != int64(paths[tr.Source]) {
			t.Fatalf("transfer %+v, want one per path %v", tr, items)
		}
		delete(paths, tr.Source)
	}
	if len(paths) != 0 {
		t.Fatalf("no transfer for %v", paths)
	}

	// An upload in flight: its sender finds it by the id it gave.
	upload := func(query string, body io.Reader) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, srv.Addr()+"/vault/upload?"+query, body)
		req.Header.Set("Authorization", "Bearer "+tok)
		return http.DefaultClient.Do(req)
	}
	pr, pw := io.Pipe()
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() { r, err := upload("name=photo.jpg&source=upload-7", pr); done <- result{r, err} }()
	part := bytes.Repeat([]byte("c"), 200_000)
	if _, err := pw.Write(part); err != nil {
		t.Fatal(err)
	}
	var inFlight *TransferView
	for deadline := time.Now().Add(10 * time.Second); inFlight == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ts, _ := a.Transfers()
		for _, tr := range ts {
			if tr.Source == "upload-7" && tr.Done > 0 {
				inFlight = &tr
			}
		}
	}
	if inFlight == nil || inFlight.Finished || inFlight.Name != "photo.jpg" || inFlight.Direction != "in" {
		t.Fatalf("the upload in flight: %+v", inFlight)
	}
	pw.Write(part)
	pw.Close()
	r := <-done
	if r.err != nil || r.resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", r.resp, r.err)
	}
	r.resp.Body.Close()
	ts, _ = a.Transfers()
	if ts[0].Source != "upload-7" || !ts[0].Finished || ts[0].Done != 400_000 || ts[0].Item == "" {
		t.Fatalf("the upload, finished: %+v", ts[0])
	}
	// An id longer than the API keeps is refused before anything is read.
	resp, err := upload("name=x.bin&source="+strings.Repeat("x", 201), strings.NewReader("x"))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a long source: %v %v", resp, err)
	}
	resp.Body.Close()
}
