package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, testAssets, &o, &e)
	return code, o.String(), e.String()
}

func TestCLI(t *testing.T) {
	home := t.TempDir()
	t.Setenv("COOPNODE_PASSPHRASE", "correct horse battery staple")
	h := []string{"--home", home}
	arg := func(a ...string) []string { return append(append([]string{}, h...), a...) }

	code, out, errs := runCLI(t, arg("status")...)
	if code != 1 || !strings.Contains(errs, "coopnode init") {
		t.Fatalf("status before init: %d %q %q", code, out, errs)
	}
	if code, _, errs = runCLI(t, arg("init", "--name", "Ana Costa")...); code != exitUsage || !strings.Contains(errs, "--coop") {
		t.Fatalf("init without --coop: %d %q", code, errs)
	}
	code, out, errs = runCLI(t, arg("init", "--name", "Ana Costa", "--coop", "Riverside Data Co-op", "--json")...)
	var st StatusView
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Coop.Name != "Riverside Data Co-op" || st.Me.Name != "Ana Costa" {
		t.Fatalf("init: %d %q %q", code, out, errs)
	}
	if code, _, errs = runCLI(t, arg("init", "--name", "Eve", "--coop", "Other")...); code != 1 || !strings.Contains(errs, "already holds a co-op") {
		t.Fatalf("second init: %d %q", code, errs)
	}
	for _, cmd := range [][]string{{"status"}, {"members"}, {"bylaws"}, {"reindex"}} {
		code, out, errs = runCLI(t, arg(append(cmd, "--json")...)...)
		if code != 0 || !json.Valid([]byte(out)) {
			t.Fatalf("%v --json: %d %q %q", cmd, code, out, errs)
		}
		code, out, _ = runCLI(t, arg(cmd...)...)
		if code != 0 || json.Valid([]byte(out)) || out == "" {
			t.Fatalf("%v as text: %d %q", cmd, code, out)
		}
	}
	if _, out, _ = runCLI(t, arg("members")...); !strings.Contains(out, "Ana Costa (you)") {
		t.Fatalf("members: %q", out)
	}
	t.Setenv("COOPNODE_PASSPHRASE", "not it")
	if code, _, errs = runCLI(t, arg("status")...); code != 1 || !strings.Contains(errs, "wrong passphrase") || !strings.Contains(errs, "nothing was changed") {
		t.Fatalf("wrong passphrase: %d %q", code, errs)
	}
	// Bundles: export, verify offline (good, then tampered), re-import.
	t.Setenv("COOPNODE_PASSPHRASE", "correct horse battery staple")
	b := filepath.Join(t.TempDir(), "riverside.cnb")
	if code, out, errs = runCLI(t, arg("export", "--out", b)...); code != 0 || !strings.Contains(out, "Wrote 2 records") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	if code, out, errs = runCLI(t, "verify", b); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify: %d %q %q", code, out, errs)
	}
	raw, _ := os.ReadFile(b)
	raw[len(raw)-20] ^= 1
	bad := b + ".bad"
	_ = os.WriteFile(bad, raw, 0o600)
	if code, out, errs = runCLI(t, "verify", "--json", bad); code != 1 || !strings.Contains(out, `"ok": false`) || !strings.Contains(errs, "failed") {
		t.Fatalf("verify tampered: %d %q %q", code, out, errs)
	}
	if code, _, errs = runCLI(t, arg("import", bad)...); code != 1 || !strings.Contains(errs, "nothing was imported") {
		t.Fatalf("import tampered: %d %q", code, errs)
	}
	if code, out, _ = runCLI(t, arg("import", "--json", b)...); code != 0 || !strings.Contains(out, `"had": 2`) {
		t.Fatalf("re-import: %d %q", code, out)
	}
	// COOPNODE_HOME selects the home too.
	t.Setenv("COOPNODE_HOME", home)
	t.Setenv("COOPNODE_PASSPHRASE", "correct horse battery staple")
	if code, out, _ = runCLI(t, "status", "--json"); code != 0 || !strings.Contains(out, home) {
		t.Fatalf("COOPNODE_HOME: %d %q", code, out)
	}
}

func TestNoWindowHere(t *testing.T) {
	if desktopProblem() == "" {
		t.Skip("this build and environment can open a window; the e2e window test covers it")
	}
	code, _, errs := runCLI(t, "--home", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, "coopnode serve") {
		t.Fatalf("no-arg run without a window: %d %q", code, errs)
	}
}
