//go:build e2e

// End-to-end tests of the real binaries, as a person would use them: a real
// window under Xvfb (xdotool, a screenshot) and the served UI in a real
// Chromium (Playwright). `make test-e2e` builds the binaries and runs these;
// they need xvfb, xdotool, imagemagick, chromium and node (see .ci/run).
package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	coopName = "Riverside Data Co-op"
	founder  = "Ana Costa"
	passEnv  = "COOPNODE_PASSPHRASE=correct horse battery staple"
)

// bin returns the binary named by env, which make sets.
func bin(t *testing.T, env string) string {
	p := os.Getenv(env)
	if p == "" {
		t.Fatalf("%s must name the binary to test (make test-e2e sets it)", env)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func outDir(t *testing.T) string {
	d := os.Getenv("COOPNODE_E2E_OUT")
	if d == "" {
		d = t.TempDir()
	}
	os.MkdirAll(d, 0o755)
	abs, _ := filepath.Abs(d)
	return abs
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// foundCoop inits a fresh home with the headless binary.
func foundCoop(t *testing.T, cli string) string {
	home := t.TempDir()
	run(t, []string{passEnv}, cli, "--home", home, "init", "--name", founder, "--coop", coopName)
	return home
}

// statusOverAPI checks the CLI reaches the running node through its API: it
// runs without a passphrase, which only the API path can do.
func statusOverAPI(t *testing.T, cli, home string) {
	t.Helper()
	cmd := exec.Command(cli, "--home", home, "status", "--json")
	cmd.Env = append(os.Environ(), "COOPNODE_PASSPHRASE=") // deliberately wrong: must not be used
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("status while the node runs: %v\n%s", err, out)
	}
	var st struct {
		State string
		Coop  struct{ Name string }
	}
	if err := json.Unmarshal(out, &st); err != nil || st.State != "ready" || st.Coop.Name != coopName {
		t.Fatalf("status over the API: %s (%v)", out, err)
	}
}

func TestWindow(t *testing.T) {
	desktop, cli := bin(t, "COOPNODE_DESKTOP_BIN"), bin(t, "COOPNODE_BIN")
	home := foundCoop(t, cli)
	out := outDir(t)
	display := fmt.Sprintf(":%d", 90+os.Getpid()%50)
	t.Setenv("DISPLAY", display) // for xdotool and import, too
	xvfb := exec.Command("Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	if err := xvfb.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	defer func() { xvfb.Process.Kill(); xvfb.Wait() }()
	env := []string{"DISPLAY=" + display, passEnv, "COOPNODE_HOME=" + home}
	waitFor(t, 10*time.Second, "Xvfb to start", func() bool {
		return exec.Command("xdotool", "getmouselocation").Run() == nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := exec.CommandContext(ctx, desktop) // no arguments: the window
	app.Env = append(os.Environ(), env...)
	var logs bytes.Buffer
	app.Stdout, app.Stderr = &logs, &logs
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); app.Wait() }()

	var wid string
	waitFor(t, 60*time.Second, "a window titled with the co-op's name", func() bool {
		o, err := exec.Command("xdotool", "search", "--name", coopName).Output()
		wid = strings.TrimSpace(string(o))
		return err == nil && wid != ""
	})
	title, _ := exec.Command("xdotool", "getwindowname", strings.Fields(wid)[0]).Output()
	t.Logf("window %s: %q", wid, strings.TrimSpace(string(title)))
	if !strings.Contains(string(title), coopName) {
		t.Fatalf("window title %q lacks %q", title, coopName)
	}
	// Give the web view time to render the UI, then keep a screenshot as evidence.
	time.Sleep(4 * time.Second)
	shot := filepath.Join(out, "window.png")
	cmd := exec.Command("import", "-window", "root", shot)
	cmd.Env = append(os.Environ(), env...)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v %s", err, o)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s too small or missing: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
	// The window's process also serves the API: the CLI works while it is open.
	statusOverAPI(t, cli, home)
	if err := app.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the window's process is gone (%v):\n%s", err, logs.String())
	}
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)

func TestBrowser(t *testing.T) {
	cli := bin(t, "COOPNODE_BIN")
	home := foundCoop(t, cli)
	out := outDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, cli, "--home", home, "serve")
	srv.Env = append(os.Environ(), passEnv)
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); srv.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u := urlRE.FindString(sc.Text()); u != "" {
				urlc <- u
			}
		}
	}()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed no URL")
	}
	statusOverAPI(t, cli, home)
	root, _ := filepath.Abs("..")
	cmd := exec.Command("node", "--test", "frontend/e2e/browser.test.mjs")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "COOPNODE_URL="+url, "COOPNODE_EXPECT_COOP="+coopName,
		"COOPNODE_EXPECT_MEMBERS="+founder, "COOPNODE_SCREENSHOT="+filepath.Join(out, "browser.png"))
	o, err := cmd.CombinedOutput()
	t.Logf("playwright:\n%s", o)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if !strings.Contains(string(o), "# pass 2") {
		t.Fatal("expected both browser tests to pass (none may skip)")
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
