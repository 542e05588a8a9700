package coop

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// TestDeviceCertificateNeedsProof: a version 2 certificate is valid only
// with the device key's own co-signature, not another key's.
func TestDeviceCertificateNeedsProof(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	dev := newKey(800)
	bare := w.add(record.New(w.mkey[f], TypeDevice, 2, w.coop(), t0, []record.ID{w.genesis.ID}, Device{Member: f, Key: dev.PublicKey(), Label: "bare"}))
	other, err := record.New(w.mkey[f], TypeDevice, 2, w.coop(), t0, []record.ID{w.genesis.ID}, Device{Member: f, Key: dev.PublicKey(), Label: "other"})
	if err == nil {
		other, err = other.CoSign(newKey(801)) // some key, not the device's
	}
	w.add(other, err)
	good := w.add(CertifyDevice(w.mkey[f], dev, w.coop(), f, "good", t0, w.genesis.ID))
	s := Fold(w.coop(), w.recs)
	for _, r := range []*record.Record{bare, other} {
		if got := rejection(s, r.ID); !strings.Contains(got, "proof of possession") {
			t.Errorf("certificate without the device's signature: rejection %q, want one about proof of possession", got)
		}
	}
	if !accepted(s, good.ID) || !slices.Contains(s.Members[f].Devices, dev.PublicKey()) {
		t.Fatalf("the co-signed certificate: rejected %q", rejection(s, good.ID))
	}
	if good.V != 2 || len(good.Sigs) != 2 || good.Sigs[1].Key != dev.PublicKey() {
		t.Fatalf("CertifyDevice built version %d with signatures %v: want version 2 co-signed by the device", good.V, good.Sigs)
	}
}

// TestClaimingAnotherMembersDevice: a member who certifies another
// member's device key first, without that key's signature, neither blocks
// the key's own certificate nor can revoke it and so cut what it signs;
// in whichever order the records come and whatever causal past they claim.
func TestClaimingAnotherMembersDevice(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	bo := w.admit(f, "Bo", RoleFounder)
	cy := w.admit(f, "Cy")
	laptop := newKey(810) // Bo's new laptop; its public key is no secret
	// Cy claims it first (version 1: she cannot make its signature), then revokes it.
	claim := w.add(certifyV1(w.mkey[cy], w.coop(), cy, laptop.PublicKey(), "mine", t0, record.ID(cy)))
	revoke := w.add(RevokeDevice(w.mkey[cy], w.coop(), cy, laptop.PublicKey(), "lost", t0.Add(time.Minute), claim.ID))
	// Bo certifies it with its signature, naming Cy's claim in its causal past.
	cert := w.add(CertifyDevice(w.mkey[bo], laptop, w.coop(), bo, "laptop", t0.Add(2*time.Minute), record.ID(bo), claim.ID))
	// The laptop admits someone: Bo's act.
	adm := w.add(Admit(laptop, w.coop(), Profile{Name: "Dee", MemberKey: newKey(811).PublicKey(), Class: "member"}, t0.Add(3*time.Minute), cert.ID))
	s := Fold(w.coop(), w.recs)
	if got := rejection(s, claim.ID); !strings.Contains(got, "proved it is another member's device") || !strings.Contains(got, cert.ID.Short()) {
		t.Errorf("Cy's claim: rejection %q, want one naming Bo's certificate as the proof", got)
	}
	if accepted(s, revoke.ID) {
		t.Error("Cy's revocation of Bo's laptop stands")
	}
	if !accepted(s, cert.ID) || !accepted(s, adm.ID) {
		t.Fatalf("Bo's certificate (%q) or the laptop's admission (%q) refused", rejection(s, cert.ID), rejection(s, adm.ID))
	}
	if m, ok := s.MemberByKey(laptop.PublicKey()); !ok || m.ID != bo || !s.DeviceAllowed(laptop.PublicKey()) {
		t.Fatal("the laptop is not Bo's device")
	}
	// Order of arrival does not matter, nor does a causal past that omits the proof.
	rev := slices.Clone(w.recs)
	slices.Reverse(rev)
	if Fold(w.coop(), rev).Digest() != s.Digest() {
		t.Fatal("the outcome depends on the order of the records")
	}
}

// TestJoinRequestNamingAnothersDevice: an admission answering a join request
// its device did not co-sign cannot certify a key that proved it is
// another member's; a co-signed request's admission certifies its device.
func TestJoinRequestNamingAnothersDevice(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	phone := newKey(820)
	cert := w.add(CertifyDevice(w.mkey[f], phone, w.coop(), f, "phone", t0, w.genesis.ID))
	// A joiner names the founder's phone, concurrently with its certificate.
	rq := w.add(requestUnproven(newKey(821), w.coop(), "Eve", phone.PublicKey(), t0))
	adm := w.add(AdmitRequest(w.dkey[f], w.coop(), rq, "member", nil, t0, w.cert[f]))
	honest := w.add(RequestJoin(newKey(822), newKey(823), w.coop(), "Fay", "laptop", "", t0))
	fay := w.add(AdmitRequest(w.dkey[f], w.coop(), honest, "member", nil, t0, w.cert[f]))
	s := Fold(w.coop(), w.recs)
	if got := rejection(s, adm.ID); !strings.Contains(got, "join request's device key") || !strings.Contains(got, cert.ID.Short()) {
		t.Errorf("admission of a request naming the founder's phone: rejection %q", got)
	}
	if !accepted(s, fay.ID) || !slices.Contains(s.Members[MemberID(fay.ID)].Devices, newKey(823).PublicKey()) {
		t.Fatalf("admission of a co-signed request: rejected %q", rejection(s, fay.ID))
	}
}

// TestVersion1CertificatesStillFold: a co-op whose certificates are all
// version 1 (every co-op before proofs of possession) folds as before.
func TestVersion1CertificatesStillFold(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	mk, dk := newKey(830), newKey(831)
	a := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "Bo", MemberKey: mk.PublicKey(), Class: "member", Roles: []string{RoleFounder}}, t0, w.cert[f]))
	c := w.add(certifyV1(mk, w.coop(), MemberID(a.ID), dk.PublicKey(), "old laptop", t0, a.ID))
	rq := w.add(requestUnproven(newKey(832), w.coop(), "Cy", newKey(833).PublicKey(), t0))
	cy := w.add(AdmitRequest(dk, w.coop(), rq, "member", nil, t0, c.ID))
	s := Fold(w.coop(), w.recs)
	if len(s.Rejected) != 0 || len(s.Members) != 3 {
		t.Fatalf("a co-op of version 1 certificates: %d members, rejected %+v", len(s.Members), s.Rejected)
	}
	if !slices.Contains(s.Members[MemberID(a.ID)].Devices, dk.PublicKey()) || !slices.Contains(s.Members[MemberID(cy.ID)].Devices, newKey(833).PublicKey()) {
		t.Fatal("version 1 certificates certify nothing")
	}
}

// FuzzDeviceCertificate: any body of a version 2 device certificate, with
// or without the named key's co-signature, folds to the same state in any
// order, and certifies a device only when the key co-signed.
func FuzzDeviceCertificate(f *testing.F) {
	w := newWorld(f)
	bo := w.admit(w.founder(), "Bo")
	dev := newKey(840)
	f.Add([]byte(`{"key":"`+dev.PublicKey().String()+`","label":"x","member":"`+bo.String()+`"}`), true)
	f.Add([]byte(`{"key":"`+dev.PublicKey().String()+`","label":"x","member":"`+bo.String()+`"}`), false)
	f.Add([]byte(`{"key":"","label":"","member":""}`), true)
	f.Add([]byte(`{"key":"`+dev.PublicKey().String()+`","label":"x","member":"`+bo.String()+`","proof":"x"}`), true)
	f.Fuzz(func(t *testing.T, body []byte, cosign bool) {
		r, err := record.New(w.mkey[bo], TypeDevice, 2, w.coop(), t0.Add(time.Hour), []record.ID{record.ID(bo)}, json.RawMessage(body))
		if err != nil {
			return // not JSON, or not canonical: the record layer refuses it before the fold
		}
		if cosign {
			if r, err = r.CoSign(dev); err != nil {
				t.Fatal(err)
			}
		}
		recs := append(slices.Clone(w.recs), r)
		s := Fold(w.coop(), recs)
		rev := slices.Clone(recs)
		slices.Reverse(rev)
		if Fold(w.coop(), rev).Digest() != s.Digest() {
			t.Fatal("digest depends on order")
		}
		if accepted(s, r.ID) {
			var d Device
			if err := r.DecodeBody(&d); err != nil || !coSigned(r, d.Key) || !slices.Contains(s.Members[d.Member].Devices, d.Key) {
				t.Fatalf("accepted a certificate its key did not co-sign, or that certifies nothing: %s", body)
			}
		}
	})
}
