package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/tally"
)

const govPass = "passphrase1"

// govApp founds a co-op in a new home as its only member, on a clock the
// test moves. The CLI can use the home once the core is closed.
func govApp(t *testing.T) (a *App, core *Core, home string, clock *time.Time) {
	t.Helper()
	c := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	clock = &c
	opts := testOpts
	opts.Now = func() time.Time { return *clock }
	home = t.TempDir()
	core = NewCore(home, opts)
	t.Cleanup(func() { core.Close() })
	a = NewApp(core)
	if err := a.Init("Ana Costa", "Riverside Data Co-op", govPass); err != nil {
		t.Fatal(err)
	}
	return a, core, home, clock
}

// currentBylaws is the bylaws in force as a bylaws proposal takes them.
func currentBylaws(t *testing.T, a *App) BylawsInput {
	t.Helper()
	n, err := a.ready()
	if err != nil {
		t.Fatal(err)
	}
	return *bylawsInput(n.State().Bylaws)
}

// decide votes yes on p as the only member, moves the clock past its
// closing time and closes it; it must pass.
func decide(t *testing.T, a *App, clock *time.Time, p ProposalView) ProposalView {
	t.Helper()
	if _, err := a.Vote(p.ID, VoteInput{Position: "yes"}); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(2 * time.Hour)
	p, err := a.CloseProposal(p.ID)
	if err != nil || p.Result == nil || p.Result.Outcome != "passed" {
		t.Fatalf("close: %+v %v", p, err)
	}
	return p
}

func proposeBylaws(t *testing.T, a *App, title string, b BylawsInput) ProposalView {
	t.Helper()
	p, err := a.Propose(ProposeInput{Title: title, Kind: "bylaws", Method: "majority", Hours: 1, Bylaws: &b})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func changeTexts(cs []BylawsChangeView) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

// TestBylawsAmendment: a passed bylaws proposal's close adopts the new
// bylaws, and Bylaws (and `coopnode bylaws`) names it and its time. A
// bylaws proposal lists what it changes against the bylaws in force when
// it opened, even after another amendment has passed since, and `coopnode
// show` prints the same list.
func TestBylawsAmendment(t *testing.T) {
	a, core, home, clock := govApp(t)
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	b0, err := a.Bylaws()
	if err != nil || b0.AdoptedBy != st.Coop.ID || b0.AdoptedAt != st.Coop.Founded {
		t.Fatalf("founding bylaws adopted by %s at %s (%v); want the genesis %s at %s", b0.AdoptedBy, b0.AdoptedAt, err, st.Coop.ID, st.Coop.Founded)
	}

	*clock = clock.Add(3 * time.Hour)
	in := currentBylaws(t, a)
	in.Quorum = "2/3"
	in.Special = map[string]DecisionRuleInput{"removal": {Quorum: "2/3", Threshold: "2/3", Methods: []string{"majority"}}}
	amend := proposeBylaws(t, a, "Quorum 2/3, removals by 2/3", in)
	// Opened before the amendment passes: only its grace period differs from the founding bylaws.
	graceIn := currentBylaws(t, a)
	graceIn.CloseGraceHours = 48
	grace := proposeBylaws(t, a, "Two days' grace", graceIn)

	wantAmend := []string{
		"Quorum: 1/2 (50%) → 2/3 (66.67%)",
		"Special rule for removal proposals added: quorum 2/3 (66.67%), threshold 2/3 (66.67%), by majority only",
	}
	if got := changeTexts(amend.BylawsChanges); !reflect.DeepEqual(got, wantAmend) || amend.BylawsBase != st.Coop.ID {
		t.Fatalf("the amendment's changes against %s:\n%q\nwant against the genesis:\n%q", amend.BylawsBase, got, wantAmend)
	}
	if c := amend.BylawsChanges[1]; c.What != "special" || c.Name != "removal" || c.Change != "added" || c.Before != "" {
		t.Fatalf("special rule change %+v", c)
	}
	if len(amend.BylawsTextDiff) != 0 || len(amend.Warnings) != 0 {
		t.Fatalf("text diff %+v, warnings %q", amend.BylawsTextDiff, amend.Warnings)
	}
	if list, _ := a.Proposals(); len(list) != 2 || list[0].BylawsBase != "" || len(list[0].BylawsChanges) != 0 {
		t.Fatalf("the list compares bylaws (it should leave that to the detail): %+v", list[0])
	}

	closed := decide(t, a, clock, amend)
	b1, err := a.Bylaws()
	if err != nil {
		t.Fatal(err)
	}
	if b1.Quorum.Num != 2 || b1.Quorum.Den != 3 || b1.Special["removal"].Quorum.Num != 2 || len(b1.Special) != 1 {
		t.Fatalf("amended bylaws: quorum %+v, special %+v", b1.Quorum, b1.Special)
	}
	if b1.AdoptedBy != closed.CloseRecord || b1.AdoptedAt != closed.ClosedAt || b1.AdoptedAt == b0.AdoptedAt {
		t.Fatalf("amended bylaws adopted by %s at %s; want the close %s at %s", b1.AdoptedBy, b1.AdoptedAt, closed.CloseRecord, closed.ClosedAt)
	}

	// The grace proposal still compares with the bylaws in force when it
	// opened; against today's it would also undo the quorum and special rule.
	g, err := a.Proposal(grace.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changeTexts(g.BylawsChanges), []string{"Hours only a proposal's author may close it: 24 → 48"}; !reflect.DeepEqual(got, want) || g.BylawsBase != st.Coop.ID {
		t.Fatalf("grace proposal's changes against %s: %q; want %q against the genesis", g.BylawsBase, got, want)
	}
	// One opened now compares with the amended bylaws.
	repeal := currentBylaws(t, a)
	repeal.Special = nil
	repeal.Text += "6. Members may be removed by a simple majority.\n"
	r := proposeBylaws(t, a, "Repeal the removal rule", repeal)
	wantRepeal := []string{
		"Special rule for removal proposals removed (was: quorum 2/3 (66.67%), threshold 2/3 (66.67%), by majority only); removal proposals then follow the general quorum and threshold",
		"Text changed; 1 line added, 0 lines removed",
	}
	if got := changeTexts(r.BylawsChanges); !reflect.DeepEqual(got, wantRepeal) || r.BylawsBase != closed.CloseRecord {
		t.Fatalf("repeal's changes against %s:\n%q\nwant against the close %s:\n%q", r.BylawsBase, got, closed.CloseRecord, wantRepeal)
	}

	// The CLI says the same, from the same home.
	if err := core.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COOPNODE_PASSPHRASE", govPass)
	code, out, errs := runCLI(t, "--home", home, "bylaws", "--json")
	var cb BylawsView
	if code != 0 || json.Unmarshal([]byte(out), &cb) != nil || !reflect.DeepEqual(cb, b1) {
		t.Fatalf("bylaws --json: %d %q %q\nwant %+v", code, out, errs, b1)
	}
	code, out, errs = runCLI(t, "--home", home, "bylaws")
	if want := "Adopted    " + closed.ClosedAt + " by record " + closed.CloseRecord; code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "Quorum     2/3 (66.67%)") {
		t.Fatalf("bylaws: %d %q %q; want a line %q", code, out, errs, want)
	}
	code, out, errs = runCLI(t, "--home", home, "show", amend.ID[:12])
	want := "If it passes, the bylaws in force when it opened (adopted by record " + st.Coop.ID[:12] + ") change:\n  - " + strings.Join(wantAmend, "\n  - ") + "\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("show: %d %q %q\nwant it to contain %q", code, out, errs, want)
	}
	code, out, _ = runCLI(t, "--home", home, "show", r.ID[:12])
	if code != 0 || !strings.Contains(out, "  - Text changed; 1 line added, 0 lines removed\n      + 6. Members may be removed by a simple majority.\n") {
		t.Fatalf("show with a changed text: %d %q", code, out)
	}
}

// TestBylawsChanges: what each kind of difference between two sets of
// bylaws reads as, one at a time, with the view's parts.
func TestBylawsChanges(t *testing.T) {
	base := coop.DefaultBylaws("Riverside")
	base.Special.Bylaws = &coop.DecisionRule{Quorum: exact.R(2, 3), Threshold: exact.R(2, 3)}
	for _, c := range []struct {
		name   string
		change func(b *coop.Bylaws)
		want   []string
	}{
		{"nothing", func(b *coop.Bylaws) {}, []string{}},
		{"threshold", func(b *coop.Bylaws) { b.Threshold = exact.R(3, 5) }, []string{"Threshold: 1/2 (50%) → 3/5 (60%)"}},
		{"the same threshold written otherwise", func(b *coop.Bylaws) { b.Threshold = exact.R(2, 4) }, []string{"Threshold: 1/2 (50%) → 2/4 (50%)"}},
		{"methods", func(b *coop.Bylaws) { b.Methods = []tally.Method{tally.Majority, tally.Consent} },
			[]string{"Decision methods allowed: every method → majority, consent"}},
		{"a class added", func(b *coop.Bylaws) {
			b.Classes = append(b.Classes, coop.Class{Name: "worker", Description: "Works here", Votes: true})
		},
			[]string{`Class "worker" added: Works here (votes)`}},
		{"a class no longer votes", func(b *coop.Bylaws) { b.Classes[0].Votes = false },
			[]string{`Class "member": Contributes data or work and votes (votes) → Contributes data or work and votes (does not vote)`}},
		{"a class removed", func(b *coop.Bylaws) { b.Classes = b.Classes[:1] },
			[]string{`Class "supporter" removed (was: Supports the co-op; does not vote (does not vote))`}},
		{"classes reordered", func(b *coop.Bylaws) { b.Classes[0], b.Classes[1] = b.Classes[1], b.Classes[0] },
			[]string{"Order of the classes: member, supporter → supporter, member", "Class new members join unless told otherwise: member → supporter"}},
		{"admission by decision", func(b *coop.Bylaws) { b.Admission.Rule = coop.AdmitByDecision },
			[]string{"Admission: direct (a member with a role that may admit admits) → by decision (the members vote on each request)"}},
		{"admitting roles", func(b *coop.Bylaws) { b.Admission.Roles = []string{"founder", "secretary"} },
			[]string{"Roles that may admit directly: founder → founder, secretary"}},
		{"grace", func(b *coop.Bylaws) { b.CloseGraceHours = 0 }, []string{"Hours only a proposal's author may close it: 24 → 0"}},
		{"special rule added", func(b *coop.Bylaws) {
			b.Special.Removal = &coop.DecisionRule{Quorum: exact.R(3, 4), Threshold: exact.R(2, 3), Methods: []tally.Method{tally.Majority, tally.Consensus}}
		}, []string{"Special rule for removal proposals added: quorum 3/4 (75%), threshold 2/3 (66.67%), by majority or consensus only"}},
		{"special rule changed", func(b *coop.Bylaws) {
			b.Special.Bylaws = &coop.DecisionRule{Quorum: exact.R(2, 3), Threshold: exact.R(3, 4)}
		}, []string{"Special rule for bylaws proposals: quorum 2/3 (66.67%), threshold 2/3 (66.67%), any method that passes or fails → " +
			"quorum 2/3 (66.67%), threshold 3/4 (75%), any method that passes or fails"}},
		{"special rule removed", func(b *coop.Bylaws) { b.Special.Bylaws = nil },
			[]string{"Special rule for bylaws proposals removed (was: quorum 2/3 (66.67%), threshold 2/3 (66.67%), any method that passes or fails); " +
				"bylaws proposals then follow the general quorum and threshold"}},
		{"text", func(b *coop.Bylaws) {
			b.Text = strings.Replace(b.Text, "one vote", "one vote, in person or by proxy", 1)
		},
			[]string{"Text changed; 1 line added, 1 line removed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := base
			b.Classes = append([]coop.Class(nil), base.Classes...)
			b.Special.Bylaws = &coop.DecisionRule{Quorum: exact.R(2, 3), Threshold: exact.R(2, 3)}
			c.change(&b)
			if err := b.Validate(); err != nil {
				t.Fatalf("the changed bylaws are not valid: %v", err)
			}
			got := bylawsChanges(base, b)
			if !reflect.DeepEqual(changeTexts(got), c.want) {
				t.Fatalf("changes:\n%q\nwant\n%q", changeTexts(got), c.want)
			}
			for _, ch := range got {
				if ch.Text != changeText(ch) || (ch.Change == "added") != (ch.Before == "" && ch.After != "") || (ch.Change == "removed") != (ch.After == "" && ch.Before != "") {
					t.Fatalf("parts do not match: %+v", ch)
				}
			}
			if diff := bylawsTextDiff(base, b); (len(diff) > 0) != (b.Text != base.Text) {
				t.Fatalf("text diff %+v", diff)
			}
		})
	}
}

// TestParseBylawsFile: a --bylaws-file may be what `coopnode bylaws --json`
// writes (ratios as objects) or use "n/d" strings; what it cannot mean is
// refused with the reason.
func TestParseBylawsFile(t *testing.T) {
	view := `{"text": "T", "votingRule": "one-member-one-vote", "quorum": {"num": 1, "den": 2, "text": "1/2 (50%)"},
		"threshold": {"num": 2, "den": 3, "text": "2/3 (66.67%)"}, "classes": [{"name": "member", "description": "d", "votes": true}],
		"admissionRule": "direct", "admitRoles": ["founder"], "methods": [], "closeGraceHours": 24,
		"adoptedBy": "ab", "adoptedAt": "2026-11-21T10:00:00.000Z",
		"special": {"removal": {"quorum": {"num": 2, "den": 3, "text": "2/3 (66.67%)"}, "threshold": {"num": 3, "den": 4}, "methods": ["majority"]}}}`
	want := BylawsInput{Text: "T", Quorum: "1/2", Threshold: "2/3", Classes: []MemberClassView{{Name: "member", Description: "d", Votes: true}},
		AdmissionRule: "direct", AdmitRoles: []string{"founder"}, Methods: []string{}, CloseGraceHours: 24,
		Tellers: 2, // absent from the file: the default
		Special: map[string]DecisionRuleInput{"removal": {Quorum: "2/3", Threshold: "3/4", Methods: []string{"majority"}}}}
	for _, c := range []struct {
		name, json string
		want       *BylawsInput
		err        string
	}{
		{"as bylaws --json writes it", view, &want, ""},
		{"ratios as n/d", strings.NewReplacer(`{"num": 1, "den": 2, "text": "1/2 (50%)"}`, `"1/2"`, `{"num": 2, "den": 3, "text": "2/3 (66.67%)"}`, `"2/3"`,
			`{"num": 3, "den": 4}`, `"3/4"`).Replace(view), &want, ""},
		{"text edited but not num and den", strings.Replace(view, `"text": "1/2 (50%)"`, `"text": "3/5 (60%)"`, 1), nil,
			`num and den say 1/2 (50%) but text says "3/5 (60%)"`},
		{"num and den edited, text left", strings.Replace(view, `{"num": 1, "den": 2,`, `{"num": 2, "den": 4,`, 1),
			func() *BylawsInput { w := want; w.Quorum = "2/4"; return &w }(), ""},
		{"text edited to words", strings.Replace(view, `"text": "1/2 (50%)"`, `"text": "two thirds"`, 1), nil, `text says "two thirds"`},
		{"text edited after the ratio", strings.Replace(view, `"text": "1/2 (50%)"`, `"text": "1/2 (66.67%)"`, 1), nil, `text says "1/2 (66.67%)"`},
		{"text as a percentage", strings.Replace(view, `"text": "1/2 (50%)"`, `"text": "66.67%"`, 1), nil, `text says "66.67%"`},
		{"num twice, in two cases", strings.Replace(view, `{"num": 1, "den": 2,`, `{"num": 1, "den": 2, "NUM": 2, "Den": 3,`, 1), nil, `names "num" and "NUM"`},
		{"quorum twice, in two cases", strings.Replace(view, `"text": "T",`, `"text": "T", "Quorum": "3/4",`, 1), nil, `names "Quorum" and "quorum"`},
		{"a key folded as encoding/json folds it", strings.Replace(view, `"text": "T",`, `"text": "T", "ſpecial": {},`, 1), nil, `names "ſpecial" and "special"`},
		{"a ratio as a number", strings.Replace(view, `{"num": 3, "den": 4}`, `0.75`, 1), nil, `a ratio is "n/d" or {"num": n, "den": d}, not 0.75`},
		{"tellers given", strings.Replace(view, `"text": "T",`, `"text": "T", "tellers": 3,`, 1),
			func() *BylawsInput { w := want; w.Tellers = 3; return &w }(), ""},
		{"tellers as a word", strings.Replace(view, `"text": "T",`, `"text": "T", "tellers": "two",`, 1), nil, "tellers"},
		{"a misspelt key", strings.Replace(view, `"special"`, `"specail"`, 1), nil, `unknown field "specail"`},
		{"another voting rule", strings.Replace(view, `one-member-one-vote`, `by-shares`, 1), nil, `voting rule "by-shares"`},
		{"two documents", view + " {}", nil, "more than one JSON value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseBylawsFile([]byte(c.json))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, *c.want) {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, *c.want)
			}
		})
	}
}

// TestBylawsFileRoundTrip: `coopnode bylaws --json` written to a file is
// accepted unchanged by `coopnode propose --kind bylaws --bylaws-file`
// (proposing the bylaws in force, which the CLI warns changes nothing),
// and edited it proposes the edit. Bylaws that admit directly yet set a
// special rule for admissions draw a warning on stderr, and are proposed.
func TestBylawsFileRoundTrip(t *testing.T) {
	a, core, home, _ := govApp(t)
	before, err := a.Bylaws()
	if err != nil {
		t.Fatal(err)
	}
	current := currentBylaws(t, a)
	if err := core.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COOPNODE_PASSPHRASE", govPass)
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append([]string{"--home", home}, args...)...)
	}
	code, out, errs := cli("bylaws", "--json")
	if code != 0 {
		t.Fatalf("bylaws --json: %d %q", code, errs)
	}
	file := filepath.Join(t.TempDir(), "b.json")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	propose := func(title, file string) (ProposalView, string) {
		t.Helper()
		code, out, errs := cli("propose", "--kind", "bylaws", "--bylaws-file", file, "--title", title, "--json")
		var p ProposalView
		if code != 0 || json.Unmarshal([]byte(out), &p) != nil {
			t.Fatalf("propose %s: %d %q %q", file, code, out, errs)
		}
		return p, errs
	}
	p, errs := propose("Unchanged", file)
	if !reflect.DeepEqual(*p.Bylaws, current) || len(p.BylawsChanges) != 0 {
		t.Fatalf("the unchanged file proposed %+v with changes %q; want the bylaws in force %+v", *p.Bylaws, changeTexts(p.BylawsChanges), current)
	}
	if errs != "warning: these are the bylaws that were in force when it opened: passing it changes nothing.\n" {
		t.Fatalf("stderr for an unchanged file: %q", errs)
	}

	// Edited as a member would: a stricter quorum, and a special rule for admissions.
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	doc["quorum"] = map[string]any{"num": 3, "den": 5}
	doc["special"] = map[string]any{"admission": map[string]any{"quorum": "3/4", "threshold": "2/3", "methods": []string{"majority"}}}
	edit := func(k string, v any) string {
		doc[k] = v
		b, _ := json.Marshal(doc)
		f := filepath.Join(t.TempDir(), "edited.json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	p, errs = propose("Admissions by 3/4", edit("admissionRule", before.AdmissionRule))
	want := []string{"Quorum: 1/2 (50%) → 3/5 (60%)", "Special rule for admission proposals added: quorum 3/4 (75%), threshold 2/3 (66.67%), by majority only"}
	if got := changeTexts(p.BylawsChanges); !reflect.DeepEqual(got, want) {
		t.Fatalf("edited file's changes %q, want %q", got, want)
	}
	if before.AdmissionRule != "direct" || !strings.HasPrefix(errs, "warning: these bylaws admit members directly (a member with the role founder admits without a vote), "+
		"so the special rule for admission proposals binds only an admission someone chooses to put to a vote") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("stderr for a special admission rule under direct admission: %q", errs)
	}
	_, errs = propose("Admissions by decision, by 3/4", edit("admissionRule", "by-decision"))
	if errs != "" {
		t.Fatalf("stderr for a special admission rule under admission by decision: %q", errs)
	}
}

// The caller's mistakes in governance answer 400 (404 for what does not
// exist, 409 for what is too early or too late); a node that cannot read
// or write its store answers 500 and says what to do.
func TestGovernErrorStatus(t *testing.T) {
	a, core, _, _ := govApp(t)
	call := serveCore(t, core)
	p, err := a.Propose(ProposeInput{Title: "Buy a shared server", Method: "majority", Hours: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		method string
		args   []any
		status int
		text   string
	}{
		{"a position the method lacks", "Vote", []any{p.ID, VoteInput{Position: "maybe"}}, 400, "maybe"},
		{"delegating to yourself", "Delegate", []any{"Ana Costa", "", ""}, 400, "cannot delegate to yourself"},
		{"closing before the closing time", "CloseProposal", []any{p.ID}, 409, "closes at"},
		{"no such proposal", "Vote", []any{"0123456789abcdef", VoteInput{Position: "yes"}}, 400, "no proposal 0123456789abcdef here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, text := call(tc.method, tc.args...)
			if status != tc.status || !strings.Contains(text, tc.text) || strings.Contains(text, "failed on this node") {
				t.Fatalf("%d %q, want %d and %q", status, text, tc.status, tc.text)
			}
		})
	}
	core.Node().Close() // the store can no longer be read or written
	for _, tc := range []struct {
		method string
		args   []any
		what   string
	}{
		{"Propose", []any{ProposeInput{Title: "Another", Method: "majority", Hours: 1}}, "opening the proposal failed on this node"},
		{"Vote", []any{p.ID, VoteInput{Position: "yes"}}, "casting the ballot failed on this node"},
	} {
		status, text := call(tc.method, tc.args...)
		for _, want := range []string{tc.what, "closed", "not a mistake in your request", core.Home()} {
			if status != 500 || !strings.Contains(text, want) {
				t.Fatalf("%s on a closed node: %d %q, want 500 and %q", tc.method, status, text, want)
			}
		}
	}
}
