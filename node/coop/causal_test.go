package coop

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

func accepted(s *State, id record.ID) bool {
	for _, r := range s.Rejected {
		if r.ID == id {
			return false
		}
	}
	for _, p := range s.Pending {
		if p == id {
			return false
		}
	}
	return true
}

// TestConcurrentCertificates: an admission relying on one certificate of a
// device stays valid when another, concurrent certificate of the same device
// arrives, whichever has the lower ID.
func TestConcurrentCertificates(t *testing.T) {
	for i := range 6 { // different labels give different ID orders
		w := newWorld(t)
		f := w.founder()
		c1, _ := CertifyDevice(w.mkey[f], newKey(70), w.coop(), f, fmt.Sprintf("a%d", i), t0, w.genesis.ID)
		c2, _ := CertifyDevice(w.mkey[f], newKey(70), w.coop(), f, fmt.Sprintf("b%d", i), t0, w.genesis.ID)
		adm, _ := Admit(newKey(70), w.coop(), Profile{Name: "Bo", MemberKey: newKey(71).PublicKey(), Class: "member"}, t0, c2.ID)
		without := Fold(w.coop(), append(w.recs, c2, adm))
		with := Fold(w.coop(), append(w.recs, c1, c2, adm))
		if !accepted(without, adm.ID) || !accepted(with, adm.ID) || len(with.Members) != 2 {
			t.Fatalf("labels %d: accepted without c1 %v, with c1 %v; rejected %+v", i, accepted(without, adm.ID), accepted(with, adm.ID), with.Rejected)
		}
		if got := len(with.Members[f].Devices); got != 2 {
			t.Fatalf("founder has %d devices, want 2 (the original and the doubly certified one)", got)
		}
	}
}

func TestWeakKeysRefused(t *testing.T) {
	w := newWorld(t)
	var identity record.PublicKey
	identity[0] = 1
	adm, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Zero", MemberKey: identity, Class: "member"}, t0, w.cert[w.founder()])
	dev, _ := certifyV1(w.mkey[w.founder()], w.coop(), w.founder(), record.PublicKey{}, "zero", t0, w.genesis.ID)
	s := Fold(w.coop(), append(w.recs, adm, dev))
	if accepted(s, adm.ID) || accepted(s, dev.ID) {
		t.Fatalf("weak keys accepted: %+v", s.Rejected)
	}
}

// TestMonotone: a record accepted in any causally closed subset of the
// records is accepted in the whole set: arriving records never overturn
// what a node already accepted (DESIGN: authority from the causal past).
//
// The one exception is by design: a revocation or removal is final, so when
// it arrives it cuts what the revoked key signed outside its causal past,
// even if that was accepted before (DESIGN: "Removal and revocation are
// final"). Records cut in the whole set, and those relying on them, are
// left out of the check; TestMonotoneWithCuts checks everything else.
func TestMonotone(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	// Concurrent history: two admins, concurrent certificates and admissions.
	admin := w.admit(f, "Admin", RoleFounder)
	for i := range 6 {
		w.admit(f, fmt.Sprintf("f%d", i))
		w.admit(admin, fmt.Sprintf("a%d", i))
	}
	plain := w.admit(f, "Plain")
	w.admit(plain, "refused") // rejected: Plain may not admit
	dup1, _ := Admit(w.dkey[f], w.coop(), Profile{Name: "Twin", MemberKey: newKey(500).PublicKey(), Class: "member"}, t0, w.cert[f])
	dup2, _ := Admit(w.dkey[admin], w.coop(), Profile{Name: "Twin", MemberKey: newKey(500).PublicKey(), Class: "member"}, t0.Add(time.Second), w.cert[admin])
	c1, _ := CertifyDevice(w.mkey[f], newKey(501), w.coop(), f, "x", t0, w.genesis.ID)
	c2, _ := CertifyDevice(w.mkey[f], newKey(501), w.coop(), f, "y", t0, w.genesis.ID)
	viaC2, _ := Admit(newKey(501), w.coop(), Profile{Name: "ViaC2", MemberKey: newKey(502).PublicKey(), Class: "member"}, t0, c2.ID)
	checkMonotone(t, w.coop(), append(w.recs, dup1, dup2, c1, c2, viaC2))
}

func TestMonotoneWithCuts(t *testing.T) {
	w := cutWorld(t)
	checkMonotone(t, w.coop(), w.recs)
}

func checkMonotone(t *testing.T, coopID record.ID, all []*record.Record) {
	byID := map[record.ID]*record.Record{}
	for _, r := range all {
		byID[r.ID] = r
	}
	full := Fold(coopID, all)
	// Records cut in the whole set, and everything relying on them.
	cut := map[record.ID]bool{}
	for _, rj := range full.Rejected {
		if !rj.Cut.IsZero() {
			cut[rj.ID] = true
		}
	}
	var afterCut func(id record.ID) bool
	memo := map[record.ID]bool{}
	afterCut = func(id record.ID) bool {
		if v, ok := memo[id]; ok {
			return v
		}
		v := cut[id]
		for _, p := range byID[id].Prev {
			v = v || afterCut(p)
		}
		memo[id] = v
		return v
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 300 {
		// A random subset, closed under predecessors.
		in := map[record.ID]bool{}
		var stack []record.ID
		for _, r := range all {
			if rng.IntN(3) == 0 {
				stack = append(stack, r.ID)
			}
		}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if in[id] {
				continue
			}
			in[id] = true
			stack = append(stack, byID[id].Prev...)
		}
		var sub []*record.Record
		for id := range in {
			sub = append(sub, byID[id])
		}
		part := Fold(coopID, sub)
		for id := range in {
			if accepted(part, id) && !accepted(full, id) && !afterCut(id) {
				t.Fatalf("trial %d: %s (%s) accepted in a subset of %d records, rejected in the whole set", trial, id.Short(), byID[id].Type, len(sub))
			}
		}
	}
}
