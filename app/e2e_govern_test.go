//go:build e2e

package app_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBrowserGovern: two members, each with their own `coopnode serve`,
// vote on a proposal in Chromium (frontend/e2e/governance.test.mjs), the
// author closes it in the browser, and both read the same outcome. Then
// the CLI shows it, and verify recounts it from an exported bundle. A
// bylaws proposal made from `coopnode bylaws --json`, edited, shows in B's
// browser what it changes.
func TestBrowserGovern(t *testing.T) {
	cli := bin(t, "COOPNODE_BIN")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	run(t, []string{passEnv}, cli, "--home", a, "init", "--name", founder, "--coop", coopName)
	urlA := serveNode(t, cli, a)
	cliJSON(t, new(struct{}), cli, b, "join", inviteFrom(t, cli, a), "--name", "Bea")
	var reqs []struct{ ID, Name string }
	cliJSON(t, &reqs, cli, a, "requests")
	cliJSON(t, new(struct{}), cli, a, "admit", reqs[0].ID)
	urlB := serveNode(t, cli, b)
	converge(t, cli, 2, a, b)

	// The bylaws as `coopnode bylaws --json` writes them, edited, make a bylaws proposal.
	var bylaws map[string]any
	cliJSON(t, &bylaws, cli, a, "bylaws")
	bylaws["quorum"] = map[string]any{"num": 2, "den": 3}
	bylaws["special"] = map[string]any{"removal": map[string]any{"quorum": "2/3", "threshold": "2/3", "methods": []string{"majority"}}}
	bylawsFile := filepath.Join(dir, "bylaws.json")
	if raw, err := json.Marshal(bylaws); err != nil || os.WriteFile(bylawsFile, raw, 0o600) != nil {
		t.Fatalf("write %s: %v", bylawsFile, err)
	}
	bylawsTitle := "Removals by two thirds"
	cliJSON(t, new(struct{}), cli, a, "propose", "--kind", "bylaws", "--bylaws-file", bylawsFile, "--title", bylawsTitle)
	// [what, name, change, words the row must show], as ProposalDetail lists them.
	bylawsChanges := `[["quorum", "", "changed", "2/3 (66.67%)"], ["special", "removal", "added", "quorum 2/3 (66.67%), threshold 2/3 (66.67%), by majority only"]]`

	// The proposal closes soon, so the browsers can vote, then close it.
	title := "Buy a shared scanner"
	closes := time.Now().Add(40 * time.Second).UTC().Format(time.RFC3339)
	var p struct{ ID, Status string }
	cliJSON(t, &p, cli, a, "propose", "--title", title, "--body", "For the archive.", "--method", "majority", "--closes", closes)
	if p.Status != "open" {
		t.Fatalf("proposal: %+v", p)
	}
	root, _ := filepath.Abs("..")
	shots := filepath.Join(outDir(t), "govern")
	cmd := exec.Command("node", "--test", "--test-reporter=tap", "frontend/e2e/governance.test.mjs")
	cmd.Dir = root
	// A votes yes, B no: support 1/2 is not more than the threshold of 1/2, so it fails.
	cmd.Env = append(envNoPassphrase(), "COOPNODE_URL_A="+urlA, "COOPNODE_URL_B="+urlB, "COOPNODE_FLOW=govern",
		"COOPNODE_TITLE="+title, "COOPNODE_EXPECT_OUTCOME=failed", "COOPNODE_SCREENSHOT_DIR="+shots,
		"COOPNODE_BYLAWS_TITLE="+bylawsTitle, "COOPNODE_BYLAWS_CHANGES="+bylawsChanges)
	o, err := cmd.CombinedOutput()
	t.Logf("playwright (govern):\n%s", o)
	if err != nil {
		t.Fatalf("browser flow failed: %v", err)
	}
	for _, want := range []string{"# pass 1", "# fail 0", "# skipped 0"} {
		if !strings.Contains(string(o), want) {
			t.Fatalf("browser flow: output lacks %q: its test must run and pass", want)
		}
	}
	// Both nodes hold the same closed result.
	for _, h := range []string{a, b} {
		var got struct {
			Status string
			Voted  int
			Result *struct{ Outcome string }
		}
		cliJSON(t, &got, cli, h, "show", p.ID)
		if got.Status != "closed" || got.Voted != 2 || got.Result == nil || got.Result.Outcome != "failed" {
			t.Fatalf("%s: %+v", filepath.Base(h), got)
		}
	}
	converge(t, cli, 2, a, b)
	// An auditor recounts it from B's bundle.
	bundle := filepath.Join(dir, "b.coopbundle")
	cliJSON(t, new(struct{}), cli, b, "export", "--out", bundle)
	var rep struct {
		OK        bool
		Decisions []struct{ Title, Outcome string }
	}
	cliJSON(t, &rep, cli, dir, "verify", bundle)
	if !rep.OK || len(rep.Decisions) != 1 || rep.Decisions[0].Title != title || rep.Decisions[0].Outcome != "failed" {
		t.Fatalf("verify: %+v", rep)
	}
	t.Logf("screenshots in %s", shots)
}
