package refcoop

import (
	"bytes"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/verify"
)

// A small reference-shaped co-op is generated through a real node, passes
// verify from its bundle, and the node reopened shows the same state.
func TestGenerateVerifies(t *testing.T) {
	home := filepath.Join(t.TempDir(), "ref")
	pass := []byte("generated")
	size := Size{Members: 12, Proposals: 6, Ballots: 50, Receipts: 120}
	rep, err := Generate(home, pass, size, func(s string) { t.Log(s) })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{coop.TypeAdmitted: 12, coop.TypeJoinRequest: 12, coop.TypeConsentKey: 12, coop.TypeProposal: 6,
		coop.TypeClosed: 6, coop.TypeReceipt: 120}
	for typ, n := range want {
		if rep.ByType[typ] != n {
			t.Errorf("%s: %d records, want %d (all: %v)", typ, rep.ByType[typ], n, rep.ByType)
		}
	}
	// The agreement: every member and the founder (13); the other 37 over
	// 5 general proposals, 7 each (the founder's included).
	if got := rep.ByType[coop.TypeBallot]; got != 13+5*7 {
		t.Errorf("ballots: %d, want %d", got, 13+5*7)
	}
	if rep.DirectApplies == 0 {
		t.Error("the founder's node never applied a record directly")
	}
	n, err := node.Open(home, pass, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var buf bytes.Buffer
	if _, err := n.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	v, err := verify.Bundle(&buf)
	if err != nil {
		t.Fatal(err)
	}
	d := n.State().Digest()
	if !v.OK || v.Records != rep.Records || v.Members != 13 || v.Digest != hex.EncodeToString(d[:]) || len(v.Decisions) != 6 {
		t.Fatalf("verify: ok %v, %d records (want %d), %d members, digest %s (node %x), %d decisions, failures %v",
			v.OK, v.Records, rep.Records, v.Members, v.Digest, d, len(v.Decisions), v.Failures)
	}
	for _, dc := range v.Decisions {
		if dc.Ballots == 0 {
			t.Errorf("decision %+v counted no ballots", dc)
		}
	}
}
