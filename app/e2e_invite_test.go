//go:build e2e

package app_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestBrowserInvite: invite, join and admit, all in Chromium
// (frontend/e2e/invite.test.mjs) on two real `coopnode serve` processes
// on loopback. A holds a co-op founded from the CLI; B is an empty home
// served without a passphrase, so only the browser can make it join. A's
// page makes an invite, B's page is refused a mistyped copy and then joins
// with it, A's page admits the request, and both pages come to show both
// members and the same digest. Then the CLI checks both nodes agree.
func TestBrowserInvite(t *testing.T) {
	const joiner = "Bea Lindqvist"
	cli := bin(t, "COOPNODE_BIN")
	a := foundCoop(t, cli)
	b := t.TempDir()
	urlA := serveNode(t, cli, a)
	urlB, logs := serveWithoutPassphrase(t, cli, b, loopbackP2P...)
	if !strings.Contains(logs.String(), "no co-op yet") {
		t.Fatalf("serve in an empty home should start with no co-op:\n%s", logs.String())
	}
	if st, out := statusWrongPassphrase(t, cli, b); st.State != "uninitialized" {
		t.Fatalf("B before joining, status over the API: %s", out)
	}

	root, _ := filepath.Abs("..")
	shots := filepath.Join(outDir(t), "invite")
	cmd := exec.Command("node", "--test", "--test-reporter=tap", "frontend/e2e/invite.test.mjs")
	cmd.Dir = root
	cmd.Env = append(envNoPassphrase(), "COOPNODE_URL_A="+urlA, "COOPNODE_URL_B="+urlB, "COOPNODE_FLOW=invite",
		"COOPNODE_EXPECT_COOP="+coopName, "COOPNODE_EXPECT_MEMBER="+founder, "COOPNODE_JOIN_NAME="+joiner,
		"COOPNODE_PASSPHRASE_UI="+strings.TrimPrefix(passEnv, "COOPNODE_PASSPHRASE="),
		"COOPNODE_SCREENSHOT_DIR="+shots)
	o, err := cmd.CombinedOutput()
	t.Logf("playwright (invite):\n%s", o)
	if err != nil {
		t.Fatalf("browser flow failed: %v", err)
	}
	for _, want := range []string{"# tests 1", "# pass 1", "# fail 0", "# skipped 0"} {
		if !strings.Contains(string(o), want) {
			t.Fatalf("browser flow: output lacks %q: its one test must run and pass", want)
		}
	}
	t.Logf("screenshots in %s", shots)
	request := regexp.MustCompile(`REQUEST=([0-9a-f]{64})`).FindStringSubmatch(string(o))
	digest := regexp.MustCompile(`DIGEST=([0-9a-f]{64})`).FindStringSubmatch(string(o))
	if request == nil || digest == nil {
		t.Fatal("the browser flow printed no REQUEST= or DIGEST=")
	}

	// A holds exactly the request B's page showed, answered.
	var reqs []struct {
		ID, Name string
		Admitted bool
	}
	cliJSON(t, &reqs, cli, a, "requests")
	if len(reqs) != 1 || reqs[0].ID != request[1] || reqs[0].Name != joiner || !reqs[0].Admitted {
		t.Fatalf("A's join requests: %+v, want only %s from %s, admitted", reqs, request[1], joiner)
	}
	// Both running nodes: ready, two members, the digest the pages showed.
	converge(t, cli, 2, a, b)
	for _, h := range []struct{ who, home, me string }{{"A", a, founder}, {"B", b, joiner}} {
		var st syncStatus
		cliJSON(t, &st, cli, h.home, "status")
		if st.Me == nil || st.Me.Name != h.me || st.Digest != digest[1] {
			t.Fatalf("%s: status %+v, want member %s and the digest the pages showed, %s", h.who, st, h.me, digest[1])
		}
		var ms []struct {
			Name string
			Me   bool
		}
		cliJSON(t, &ms, cli, h.home, "members")
		var names []string
		for _, m := range ms {
			names = append(names, m.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{founder, joiner}) {
			t.Fatalf("%s's members: %+v", h.who, ms)
		}
	}
}
