//go:build e2e

package app_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBrowserMyData: a member of a real `coopnode serve` adds an item in
// Chromium (a real upload into the encrypted vault), opts in to an adopted
// data agreement, sees its uses allowed, withdraws, and sees them stop
// (frontend/e2e/mydata.test.mjs). Then the CLI's `consent list` and `data
// show` must tell the same story.
func TestBrowserMyData(t *testing.T) {
	cli := bin(t, "COOPNODE_BIN")
	dir := t.TempDir()
	home := filepath.Join(dir, "a")
	run(t, []string{passEnv}, cli, "--home", home, "init", "--name", founder, "--coop", coopName)
	url := serveNode(t, cli, home)

	// The co-op adopts a data agreement: proposed, voted, closed from the CLI.
	const agreement = "Photo licence"
	closes := time.Now().Add(6 * time.Second)
	var p struct{ ID, Status string }
	cliJSON(t, &p, cli, home, "propose", "--kind", "agreement", "--agreement-title", agreement,
		"--agreement-text", "Members' photos may be licensed to AI developers and researchers.\nMembers receive half of each licence.",
		"--purpose", "ai:ModelTraining", "--purpose", "ResearchAndDevelopment", "--recipient", "ai-developers", "--recipient", "researchers",
		"--jurisdiction", "EU", "--method", "majority", "--closes", closes.UTC().Format(time.RFC3339))
	cliJSON(t, new(struct{}), cli, home, "vote", p.ID, "yes")
	time.Sleep(time.Until(closes) + time.Second)
	var closed struct{ Effect string }
	cliJSON(t, &closed, cli, home, "close", p.ID)
	if !strings.Contains(closed.Effect, "adopted") {
		t.Fatalf("close: %+v", closed)
	}

	// A file to upload: 3 MiB, random, so the vault's bytes cannot be guessed.
	file := filepath.Join(dir, "harbour at dawn.jpg")
	content := make([]byte, 3<<20)
	rand.Read(content)
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	itemID := hex.EncodeToString(sum[:])

	root, _ := filepath.Abs("..")
	shots := filepath.Join(outDir(t), "mydata")
	cmd := exec.Command("node", "--test", "--test-reporter=tap", "frontend/e2e/mydata.test.mjs")
	cmd.Dir = root
	cmd.Env = append(envNoPassphrase(), "COOPNODE_URL="+url, "COOPNODE_FLOW=mydata", "COOPNODE_AGREEMENT="+agreement,
		"COOPNODE_FILE="+file, "COOPNODE_SCREENSHOT_DIR="+shots)
	o, err := cmd.CombinedOutput()
	t.Logf("playwright (mydata):\n%s", o)
	if err != nil {
		t.Fatalf("browser flow failed: %v", err)
	}
	for _, want := range []string{"# pass 1", "# fail 0", "# skipped 0"} {
		if !strings.Contains(string(o), want) {
			t.Fatalf("browser flow: output lacks %q: its test must run and pass", want)
		}
	}
	m := regexp.MustCompile(`MYDATA item=([0-9a-f]{64}) withdrawn=([0-9a-f]{64})`).FindStringSubmatch(string(o))
	if m == nil || m[1] != itemID {
		t.Fatalf("the browser flow did not report the item it uploaded (want %s): %v", itemID, m)
	}

	// The CLI agrees: the grant is withdrawn, the newest event is its withdrawal.
	var events []struct {
		ID, Event, Status, Current, Withdraws string
		Items                                 []string
	}
	cliJSON(t, &events, cli, home, "consent", "list")
	if len(events) < 2 || events[0].Event != "withdraw" || events[0].Status != "ConsentWithdrawn" || events[0].ID != m[2] {
		t.Fatalf("consent list: %+v", events)
	}
	withdrawn := events[0].Withdraws
	for _, e := range events {
		if e.ID == withdrawn && (e.Event != "grant" || e.Current != "ConsentWithdrawn") {
			t.Fatalf("the withdrawn grant: %+v", e)
		}
	}
	var item struct {
		ID       string
		Size     int64
		Purposes []struct {
			Purpose string
			Allowed bool
			Status  string
		}
	}
	cliJSON(t, &item, cli, home, "data", "show", itemID[:12])
	if item.ID != itemID || item.Size != int64(len(content)) || len(item.Purposes) != 2 {
		t.Fatalf("data show: %+v", item)
	}
	for _, pu := range item.Purposes {
		if pu.Allowed || pu.Status != "ConsentWithdrawn" {
			t.Fatalf("after withdrawing, %s: %+v", pu.Purpose, pu)
		}
	}
	// The upload went into the vault encrypted: the content is nowhere in the home in the clear.
	filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), string(content[1000:1064])) {
			t.Errorf("%s holds the uploaded bytes in the clear", path)
		}
		return nil
	})
	t.Logf("screenshots in %s", shots)
}
