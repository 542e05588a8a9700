package app

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

// `coopnode import` and `coopnode verify` say what happened to a bundle:
// written with a record that does not verify (named, with the reason and
// what to do), or altered after it was written. (issue 16, item 8)
func TestCLIBundleMessages(t *testing.T) {
	home := t.TempDir()
	t.Setenv("COOPNODE_PASSPHRASE", "correct horse battery staple")
	arg := func(a ...string) []string { return append([]string{"--home", home}, a...) }
	if code, out, errs := runCLI(t, arg("init", "--name", "Ana Costa", "--coop", "Riverside Data Co-op")...); code != 0 {
		t.Fatalf("init: %d %q %q", code, out, errs)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "riverside.cnb")
	if code, out, errs := runCLI(t, arg("export", "--out", good)...); code != 0 {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	f, err := os.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	hdr, recs, err := bundle.ReadAll(f)
	f.Close()
	if err != nil || len(recs) != 2 {
		t.Fatalf("the export: %d records, %v", len(recs), err)
	}
	// The second record's signature broken by whoever wrote the bundle.
	bad := *recs[1]
	bad.Sigs = slices.Clone(bad.Sigs)
	bad.Sigs[0].Sig = bytes.Clone(bad.Sigs[0].Sig)
	bad.Sigs[0].Sig[3] ^= 1
	var b bytes.Buffer
	if err := bundle.Write(&b, hdr.Coop, hdr.Created, []*record.Record{recs[0], &bad}); err != nil {
		t.Fatal(err)
	}
	badSig := filepath.Join(dir, "bad-signature.cnb")
	raw, _ := os.ReadFile(good)
	raw[len(raw)-20] ^= 1
	altered := filepath.Join(dir, "altered.cnb")
	for p, b := range map[string][]byte{badSig: b.Bytes(), altered: raw} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	named := "record 2 of 2 (" + bad.ID.Short() + ", " + bad.Type + "): bad record signature"
	what := "ask whoever made it for a fresh export"

	code, out, errs := runCLI(t, "verify", badSig)
	if code != 1 || !strings.Contains(out, "FAIL        record "+bad.ID.String()+" ("+bad.Type+"): the bundle was written with a record that does not verify: "+named) ||
		!strings.Contains(out, what) || strings.Contains(out+errs, "altered") {
		t.Fatalf("verify, bad signature: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, arg("import", badSig)...)
	if code != 1 || !strings.Contains(errs, named) || !strings.Contains(errs, what+"; nothing was imported") || strings.Contains(out+errs, "altered") {
		t.Fatalf("import, bad signature: %d %q %q", code, out, errs)
	}

	code, out, errs = runCLI(t, "verify", altered)
	if code != 1 || !strings.Contains(out, "FAIL        bundle was altered after it was written") || strings.Contains(out, what) {
		t.Fatalf("verify, altered: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, arg("import", altered)...)
	if code != 1 || !strings.Contains(errs, "bundle was altered after it was written") || !strings.Contains(errs, "nothing was imported") || strings.Contains(errs, what) {
		t.Fatalf("import, altered: %d %q %q", code, out, errs)
	}
	if code, out, errs = runCLI(t, arg("status", "--json")...); code != 0 || !strings.Contains(out, `"records": 2`) {
		t.Fatalf("status after the refused imports: %d %q %q", code, out, errs)
	}
}
