//go:build e2e

// The unlock and found forms against the real `coopnode serve`, in Chromium:
// serve started with no passphrase at hand comes up locked (a founded home) or
// empty, and a person finishes the job in the browser (frontend/e2e/real-flows.test.mjs).
package app_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// envNoPassphrase is this process's environment without COOPNODE_PASSPHRASE,
// so a child can find no passphrase and must leave the node to the UI.
func envNoPassphrase() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COOPNODE_PASSPHRASE=") {
			env = append(env, kv)
		}
	}
	return env
}

// serveLog collects serve's output and hands on the first link it prints.
type serveLog struct {
	mu   sync.Mutex
	b    strings.Builder
	urlc chan string
	sent bool
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	s := l.b.String()
	s = s[:strings.LastIndexByte(s, '\n')+1] // whole lines only: never half a token
	if u := urlRE.FindString(s); u != "" && !l.sent {
		l.sent = true
		l.urlc <- u
	}
	return len(p), nil
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveWithoutPassphrase starts `coopnode serve` for home with no passphrase
// in its environment and stdin not a terminal (/dev/null), and returns the
// link it printed and its output; args are added to serve's. When the test
// ends the server gets SIGTERM, and must then stop cleanly and withdraw its
// API file.
func serveWithoutPassphrase(t *testing.T, cli, home string, args ...string) (string, *serveLog) {
	t.Helper()
	srv := exec.Command(cli, append([]string{"--home", home, "serve"}, args...)...)
	srv.Env = envNoPassphrase()
	srv.Stdin = nil // /dev/null: not a terminal, so serve cannot prompt
	logs := &serveLog{urlc: make(chan string, 1)}
	srv.Stdout, srv.Stderr = logs, logs
	srv.WaitDelay = 5 * time.Second
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		var err error
		select {
		case err = <-exited:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			err = errors.Join(errors.New("still running 15s after SIGTERM; killed"), <-exited)
		}
		t.Logf("serve output:\n%s", logs.String())
		if err != nil {
			t.Errorf("serve did not stop cleanly on SIGTERM: %v", err)
		} else if !strings.Contains(logs.String(), "coopnode stopped.") {
			t.Errorf("serve exited without saying it stopped")
		}
		if _, err := os.Stat(filepath.Join(home, "api.json")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("serve left its API file behind: %v", err)
		}
	})
	select {
	case u := <-logs.urlc:
		return u, logs
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("serve exited (%v) without printing a link:\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no link within 30s:\n%s", logs.String())
	}
	return "", nil
}

type statusJSON struct {
	State string
	Home  string
	Coop  *struct {
		Name    string
		Members int
	}
	Me *struct{ Name string }
}

// statusWrongPassphrase runs `status --json` with a wrong passphrase in the
// environment: it can only succeed through the running node's API.
func statusWrongPassphrase(t *testing.T, cli, home string) (statusJSON, string) {
	t.Helper()
	cmd := exec.Command(cli, "--home", home, "status", "--json")
	cmd.Env = append(envNoPassphrase(), "COOPNODE_PASSPHRASE=certainly not the passphrase")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("status --json while serve runs: %v\n%s", err, out)
	}
	var st statusJSON
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st, string(out)
}

// runFlow runs one flow of frontend/e2e/real-flows.test.mjs in Chromium
// against url, and insists that its one test ran and passed.
func runFlow(t *testing.T, flow, url, coop, member string) {
	t.Helper()
	root, _ := filepath.Abs("..")
	shots := filepath.Join(outDir(t), flow)
	cmd := exec.Command("node", "--test", "--test-reporter=tap", "frontend/e2e/real-flows.test.mjs")
	cmd.Dir = root
	cmd.Env = append(envNoPassphrase(), "COOPNODE_URL="+url, "COOPNODE_FLOW="+flow,
		"COOPNODE_EXPECT_COOP="+coop, "COOPNODE_EXPECT_MEMBER="+member,
		"COOPNODE_PASSPHRASE_UI="+strings.TrimPrefix(passEnv, "COOPNODE_PASSPHRASE="),
		"COOPNODE_SCREENSHOT_DIR="+shots)
	o, err := cmd.CombinedOutput()
	t.Logf("playwright (%s):\n%s", flow, o)
	if err != nil {
		t.Fatalf("browser flow %s failed: %v", flow, err)
	}
	for _, want := range []string{"# tests 1", "# pass 1", "# fail 0", "# skipped 0"} {
		if !strings.Contains(string(o), want) {
			t.Fatalf("browser flow %s: output lacks %q: its one test must run and pass", flow, want)
		}
	}
	t.Logf("screenshots in %s", shots)
}

func TestBrowserUnlock(t *testing.T) {
	cli := bin(t, "COOPNODE_BIN")
	home := foundCoop(t, cli)
	url, logs := serveWithoutPassphrase(t, cli, home)
	if !strings.Contains(logs.String(), "a locked node") {
		t.Fatalf("serve without a passphrase should start locked:\n%s", logs.String())
	}
	if st, out := statusWrongPassphrase(t, cli, home); st.State != "locked" || st.Coop != nil {
		t.Fatalf("before unlocking, status over the API: %s", out)
	}

	runFlow(t, "unlock", url, coopName, founder)

	// Unlocked in the browser, the node now answers the CLI with its co-op,
	// though the CLI's own passphrase is wrong.
	st, out := statusWrongPassphrase(t, cli, home)
	if st.State != "ready" || st.Coop == nil || st.Coop.Name != coopName || st.Coop.Members != 1 ||
		st.Me == nil || st.Me.Name != founder {
		t.Fatalf("after unlocking in the browser, status over the API: %s", out)
	}
}

func TestBrowserFound(t *testing.T) {
	const (
		newCoop   = "Harbour Bakers Co-op"
		newMember = "Grace Okafor"
	)
	cli := bin(t, "COOPNODE_BIN")
	home := t.TempDir()
	url, logs := serveWithoutPassphrase(t, cli, home)
	if !strings.Contains(logs.String(), "no co-op yet") {
		t.Fatalf("serve in an empty home should start with no co-op:\n%s", logs.String())
	}
	if st, out := statusWrongPassphrase(t, cli, home); st.State != "uninitialized" || st.Coop != nil {
		t.Fatalf("before founding, status over the API: %s", out)
	}
	if _, err := os.Stat(filepath.Join(home, "identity.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an empty home already holds identity.json: %v", err)
	}

	runFlow(t, "found", url, newCoop, newMember)

	if fi, err := os.Stat(filepath.Join(home, "identity.json")); err != nil || fi.Size() == 0 {
		t.Fatalf("after founding in the browser the home holds no identity.json: %v", err)
	}
	st, out := statusWrongPassphrase(t, cli, home)
	if st.State != "ready" || st.Coop == nil || st.Coop.Name != newCoop || st.Coop.Members != 1 ||
		st.Me == nil || st.Me.Name != newMember {
		t.Fatalf("after founding in the browser, status over the API: %s", out)
	}
}
