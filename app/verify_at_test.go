package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node"
)

// TestVerifyAt: `coopnode verify` judges claimed times by the auditor's
// clock: a bundle whose records are dated a year ahead fails, naming the
// genesis and the rule; with --at past their date it passes.
func TestVerifyAt(t *testing.T) {
	ahead := time.Now().Add(365 * 24 * time.Hour).UTC().Truncate(time.Second)
	opts := testOpts
	opts.Now = func() time.Time { return ahead }
	n, err := node.Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", []byte("a long passphrase"), opts)
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "ahead.coopbundle")
	f, err := os.Create(b)
	if err == nil {
		_, err = n.Export(f, nil)
	}
	if err == nil {
		err = f.Close()
	}
	n.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "verify", b)
	if code != 1 || !strings.Contains(out, "FAIL        record "+n.CoopID().String()) || !strings.Contains(out, "dated in the future") {
		t.Fatalf("verify now: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, "verify", "--at", ahead.Format(time.RFC3339), b)
	if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "Judged at   "+ahead.Format("2006-01-02T15:04:05")) {
		t.Fatalf("verify --at: %d %q %q", code, out, errs)
	}
	if code, _, errs = runCLI(t, "verify", "--at", "tomorrow", b); code == 0 || !strings.Contains(errs, "RFC 3339") {
		t.Fatalf("verify --at tomorrow: %d %q", code, errs)
	}
}
