package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

// TestVerifyProofOfPossession: verify names a member's certificate of
// another member's device key that the key did not sign, and a version 2
// certificate without the device's signature; version 1 certificates of a
// co-op from before proofs of possession pass.
func TestVerifyProofOfPossession(t *testing.T) {
	g, cert, _ := coop.Found(newKey(1), newKey(2), "Riverside Data Co-op", "Ana Costa", "laptop", coop.DefaultBylaws("Riverside Data Co-op"), t0)
	bo, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Bo", MemberKey: newKey(3).PublicKey(), Class: "member"}, t0, cert.ID)
	cy, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Cy", MemberKey: newKey(5).PublicKey(), Class: "member"}, t0, cert.ID)
	// Version 1 certificates, as an existing co-op holds them.
	boOld, _ := record.New(newKey(3), coop.TypeDevice, 1, g.ID, t0, []record.ID{bo.ID}, coop.Device{Member: coop.MemberID(bo.ID), Key: newKey(4).PublicKey(), Label: "old"})
	cyOld, _ := record.New(newKey(5), coop.TypeDevice, 1, g.ID, t0, []record.ID{cy.ID}, coop.Device{Member: coop.MemberID(cy.ID), Key: newKey(6).PublicKey(), Label: "old"})
	// Bo's new laptop (key 7) proves itself; Cy claimed it first, without its signature.
	claim, _ := record.New(newKey(5), coop.TypeDevice, 1, g.ID, t0, []record.ID{cy.ID}, coop.Device{Member: coop.MemberID(cy.ID), Key: newKey(7).PublicKey(), Label: "mine"})
	laptop, _ := coop.CertifyDevice(newKey(3), newKey(7), g.ID, coop.MemberID(bo.ID), "laptop", t0, bo.ID, claim.ID)
	// A version 2 certificate its key did not co-sign.
	bare, _ := record.New(newKey(5), coop.TypeDevice, 2, g.ID, t0, []record.ID{cy.ID}, coop.Device{Member: coop.MemberID(cy.ID), Key: newKey(8).PublicKey(), Label: "bare"})
	old := []*record.Record{g, cert, bo, cy, boOld, cyOld}

	write := func(recs []*record.Record) []byte {
		var b bytes.Buffer
		if err := bundle.Write(&b, g.ID, t0, recs); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	rep, err := Bundle(bytes.NewReader(write(old)))
	if err != nil || !rep.OK || rep.Valid != len(old) {
		t.Fatalf("a co-op of version 1 certificates: %v, %+v", err, rep)
	}
	for _, tc := range []struct {
		name   string
		recs   []*record.Record
		record record.ID
		reason string
	}{
		{"claim of another's device", append(old[:len(old):len(old)], claim, laptop), claim.ID, "proved it is another member's device"},
		{"version 2 without the device's signature", append(old[:len(old):len(old)], bare), bare.ID, "proof of possession"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Bundle(bytes.NewReader(write(tc.recs)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || len(rep.Failures) != 1 || rep.Failures[0].Record != tc.record.String() || !strings.Contains(rep.Failures[0].Reason, tc.reason) {
				t.Fatalf("want one failure naming %s for %q; got OK %v, %+v", tc.record.Short(), tc.reason, rep.OK, rep.Failures)
			}
		})
	}
}
