package node

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
)

// strangerRecords are records signed by a key the co-op has never seen: one
// of a type no coopnode knows, one of a known type at a newer version.
func strangerRecords(t *testing.T, c record.ID) []*record.Record {
	t.Helper()
	k, _ := identity.Generate(nil)
	junk, err := record.New(k.Device(), "ledger.transaction", 1, c, testOpts.now(), []record.ID{c}, map[string]string{"amount": "1.00"})
	if err != nil {
		t.Fatal(err)
	}
	newer, err := record.New(k.Member(), coop.TypeDevice, 9, c, testOpts.now(), []record.ID{c}, map[string]string{"future": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	return []*record.Record{junk, newer}
}

// TestStrangersCannotStore: records of an unknown type or a newer version
// signed by a key the co-op does not know are refused by Accept, Put and
// bundle import, counted by kind with a reason naming the record, and
// what the node held is untouched; the same records signed by a member's
// device are stored.
func TestStrangersCannotStore(t *testing.T) {
	n, err := Init(t.TempDir(), "Ana Costa", "Riverside Data Co-op", pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	_, digest := n.StateDigest()
	held := n.IDs()
	strangers := strangerRecords(t, n.CoopID())
	untouched := func(how string) {
		t.Helper()
		for _, r := range strangers {
			if n.Has(r.ID) {
				t.Fatalf("%s: the stranger's %s was stored", how, r.Type)
			}
		}
		if _, d := n.StateDigest(); d != digest || len(n.IDs()) != len(held) {
			t.Fatalf("%s: the node's records or state changed", how)
		}
	}

	// From a peer.
	var raw [][]byte
	for _, r := range strangers {
		raw = append(raw, r.Bytes())
	}
	added, refused, err := n.Accept(raw, "peer")
	if err != nil || added != 0 || len(refused) != len(strangers) {
		t.Fatalf("Accept: added %d, refused %+v, %v", added, refused, err)
	}
	for i, f := range refused {
		if f.Kind != RefusedStranger || f.ID != strangers[i].ID || !strings.Contains(f.Reason, strangers[i].ID.Short()) || !strings.Contains(f.Reason, "does not know") {
			t.Fatalf("Accept's refusal %+v", f)
		}
	}
	untouched("Accept")

	// Put: nothing of a batch with a stranger's record is stored.
	own, err := record.New(n.Device(), "ledger.transaction", 1, n.CoopID(), testOpts.now(), []record.ID{n.CoopID()}, map[string]string{"amount": "2.00"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Put(own, strangers[0]); !errors.Is(err, coop.ErrStranger) || !strings.Contains(err.Error(), strangers[0].ID.Short()) || n.Has(own.ID) {
		t.Fatalf("Put of a stranger's record: %v (own record stored: %v)", err, n.Has(own.ID))
	}
	untouched("Put")

	// A bundle: the stranger's records refused, the member's stored.
	var b bytes.Buffer
	if err := bundle.Write(&b, n.CoopID(), testOpts.now(), append([]*record.Record{own}, strangers...)); err != nil {
		t.Fatal(err)
	}
	rep, err := n.Import(bytes.NewReader(b.Bytes()))
	if err != nil || rep.Read != 3 || rep.Added != 1 || rep.Refused != 2 || len(rep.Refusals) != 2 || !strings.Contains(rep.Refusals[0], "does not know") {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if !n.Has(own.ID) {
		t.Fatal("import: the member's record was not stored")
	}
	if got := n.Refused()[RefusedStranger]; got != 2+1+2 {
		t.Fatalf("refusals counted: %v, want 5 of kind %q", n.Refused(), RefusedStranger)
	}
	for _, r := range strangers {
		if n.Has(r.ID) {
			t.Fatalf("import stored the stranger's %s", r.Type)
		}
	}
}

// TestStrangersKnownThroughTheBatch: a record whose signer becomes known
// only through records that arrive with it (its device's certificate, in
// the same batch or anywhere in the same bundle) is stored; a joiner's
// key stores its own join request and nothing else until admitted; a key
// once known (a revoked device's) still stores, the fold judging it.
func TestStrangersKnownThroughTheBatch(t *testing.T) {
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana Costa", "Riverside Data Co-op", pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	fresh := func(name string) *Node {
		n, err := Join(filepath.Join(t.TempDir(), name), a.CoopID(), pass, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		return n
	}
	// A joiner's key stores its own join request, nothing else.
	k, _ := identity.Generate(nil)
	req, _ := coop.RequestJoin(k.Member(), k.Device(), a.CoopID(), "Bo", "laptop", "inv", testOpts.now())
	note, _ := record.New(k.Member(), "ledger.transaction", 1, a.CoopID(), testOpts.now(), []record.ID{req.ID}, map[string]string{"amount": "3.00"})
	if _, refused, err := a.Accept([][]byte{req.Bytes(), note.Bytes()}, "peer"); err != nil || len(refused) != 1 || refused[0].ID != note.ID || !a.Has(req.ID) {
		t.Fatalf("a join request and its author's other record: refused %+v, %v", refused, err)
	}
	adm, err := a.Admit(req, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, refused, err := a.Accept([][]byte{note.Bytes()}, "peer"); err != nil || len(refused) != 0 || !a.Has(note.ID) {
		t.Fatalf("the admitted joiner's record: refused %+v, %v", refused, err)
	}
	// A new phone's certificate and what it signs, the latter first.
	phone, _ := identity.Generate(nil)
	cert, err := a.CertifyDevice(phone.Device(), "phone")
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := record.New(phone.Device(), "ledger.transaction", 1, a.CoopID(), testOpts.now(), []record.ID{cert.ID}, map[string]string{"amount": "4.00"})
	history := append(recordsOf(t, a), signed)
	slices.SortFunc(history, func(x, y *record.Record) int { // anything but causal order
		return record.CompareIDs(y.ID, x.ID)
	})
	b := fresh("b")
	var raw [][]byte
	for _, r := range history {
		raw = append(raw, r.Bytes())
	}
	if _, refused, err := b.Accept(raw, "peer"); err != nil || len(refused) != 0 {
		t.Fatalf("one batch of the whole co-op, reversed: refused %+v, %v", refused, err)
	}
	// A bundle read a record at a time: each batch alone lacks the keys.
	batch := bundleBatch
	bundleBatch = 1
	t.Cleanup(func() { bundleBatch = batch })
	var buf bytes.Buffer
	if err := bundle.Write(&buf, a.CoopID(), testOpts.now(), history); err != nil {
		t.Fatal(err)
	}
	c := fresh("c")
	if rep, err := c.Import(bytes.NewReader(buf.Bytes())); err != nil || rep.Refused != 0 || rep.Added != len(history) {
		t.Fatalf("import of the co-op a record at a time: %+v %v", rep, err)
	}
	if digestOf(c) != digestOf(b) || len(c.State().Rejected) != 0 {
		t.Fatal("the bundle and the batch give different states")
	}
	// The phone is revoked: its key stays known to the store (the fold rejects what it signs now).
	if _, err := a.RevokeDevice(phone.Device().PublicKey(), "lost"); err != nil {
		t.Fatal(err)
	}
	late, _ := record.New(phone.Device(), coop.TypeAdmitted, 1, a.CoopID(), testOpts.now(), []record.ID{cert.ID, adm.ID},
		coop.Profile{Name: "Zed", MemberKey: k.DeviceKey(), Class: "member"})
	if _, refused, err := a.Accept([][]byte{late.Bytes()}, "peer"); err != nil || len(refused) != 0 {
		t.Fatalf("a revoked device's record: refused %+v, %v", refused, err)
	}
	if !slices.ContainsFunc(a.State().Rejected, func(rj coop.Rejection) bool { return rj.ID == late.ID }) {
		t.Fatal("the fold accepted a revoked device's admission")
	}
}

func digestOf(n *Node) [32]byte { _, d := n.StateDigest(); return d }
