package node

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
)

// admissions makes k admissions signed by n's device, not yet stored.
func admissions(t *testing.T, n *Node, k int) []*record.Record {
	t.Helper()
	certs, _ := n.IDsOfType(coop.TypeDevice)
	var out []*record.Record
	for i := range k {
		key, _ := identity.Generate(nil)
		r, err := coop.Admit(n.keys.Device(), n.CoopID(), coop.Profile{Name: fmt.Sprintf("m%d", i), MemberKey: key.MemberKey(), Class: "member"}, testOpts.now(), certs[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestExportImport(t *testing.T) {
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	var all bytes.Buffer
	if k, err := n.Export(&all, nil); err != nil || k != 2 {
		t.Fatalf("export: %d %v", k, err)
	}
	// Importing what we have is a no-op.
	rep, err := n.Import(bytes.NewReader(all.Bytes()))
	if err != nil || rep.Read != 2 || rep.Added != 0 || rep.Had != 2 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	// A bundle with three new admissions, one of which waits for a missing predecessor.
	recs := admissions(t, n, 2)
	orphan, _ := coop.Admit(n.keys.Device(), n.CoopID(), coop.Profile{Name: "orphan", MemberKey: record.PublicKey{9}, Class: "member"}, testOpts.now(), record.ID{1})
	recs = append(recs, orphan)
	var b bytes.Buffer
	_ = bundle.Write(&b, n.CoopID(), testOpts.now(), append(recordsOf(t, n), recs...))
	good := b.Bytes()
	before := n.State().Digest()

	foreignHome := initHome(t)
	f, _ := Open(foreignHome, pass, testOpts)
	var foreign bytes.Buffer
	_, _ = f.Export(&foreign, nil)
	f.Close()
	tampered := bytes.Clone(good)
	tampered[len(tampered)/2] ^= 1
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)-5], "tampered": tampered, "foreign co-op": foreign.Bytes(), "not a bundle": []byte("PK\x03\x04zip"),
	} {
		if rep, err := n.Import(bytes.NewReader(bad)); err == nil || rep.Added != 0 {
			t.Fatalf("%s bundle: %+v %v", name, rep, err)
		} else if name == "foreign co-op" && !errors.Is(err, ErrForeignCoop) {
			t.Fatalf("foreign: %v", err)
		}
		if len(recordsOf(t, n)) != 2 || n.State().Digest() != before {
			t.Fatalf("%s bundle changed the node", name)
		}
	}
	rep, err = n.Import(bytes.NewReader(good))
	if err != nil || rep.Read != 5 || rep.Added != 3 || rep.Had != 2 || rep.Pending != 1 || rep.Invalid != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if len(n.State().Members) != 3 {
		t.Fatalf("%d members after import", len(n.State().Members))
	}
	// Idempotent.
	if rep, err := n.Import(bytes.NewReader(good)); err != nil || rep.Added != 0 {
		t.Fatalf("second import: %+v %v", rep, err)
	}
	// --since: only what the earlier bundle lacks.
	_, had, _ := bundle.ReadAll(bytes.NewReader(all.Bytes()))
	skip := map[record.ID]bool{}
	for _, r := range had {
		skip[r.ID] = true
	}
	var delta bytes.Buffer
	if k, err := n.Export(&delta, skip); err != nil || k != 3 {
		t.Fatalf("export since: %d %v", k, err)
	}
}
