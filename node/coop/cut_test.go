package coop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// add appends r to the world, failing the test on a build error.
func (w *world) add(r *record.Record, err error) *record.Record {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	w.recs = append(w.recs, r)
	return r
}

// device certifies one more device for m (after m's admission).
func (w *world) device(m MemberID, label string) (key, *record.Record) {
	k := newKey(w.n)
	w.n++
	c := w.add(CertifyDevice(w.mkey[m], k, w.coop(), m, label, t0, record.ID(m)))
	return k, c
}

func rejectionOf(s *State, id record.ID) (Rejection, bool) {
	for _, rj := range s.Rejected {
		if rj.ID == id {
			return rj, true
		}
	}
	return Rejection{}, false
}

func TestRevocationRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		build  func(w *world) *record.Record // added last and judged
		reason string                        // substring of its rejection; "" = applied
	}{
		{"member key revokes a device", func(w *world) *record.Record {
			f := w.founder()
			return w.add(RevokeDevice(w.mkey[f], w.coop(), f, w.dkey[f].PublicKey(), "lost", t0, w.cert[f]))
		}, ""},
		{"another device of the member revokes", func(w *world) *record.Record {
			f := w.founder()
			d2, c2 := w.device(f, "phone")
			return w.add(RevokeDevice(d2, w.coop(), f, w.dkey[f].PublicKey(), "stolen", t0, w.cert[f], c2.ID))
		}, ""},
		{"a device revokes itself", func(w *world) *record.Record {
			f := w.founder()
			return w.add(RevokeDevice(w.dkey[f], w.coop(), f, w.dkey[f].PublicKey(), "old", t0, w.cert[f]))
		}, "cannot revoke itself"},
		{"another member's device revokes", func(w *world) *record.Record {
			f := w.founder()
			bo := w.admit(f, "Bo")
			return w.add(RevokeDevice(w.dkey[bo], w.coop(), f, w.dkey[f].PublicKey(), "", t0, w.cert[f], w.cert[bo]))
		}, "may be revoked only with their member key or another of their devices"},
		{"a member key is revoked", func(w *world) *record.Record {
			f := w.founder()
			return w.add(RevokeDevice(w.mkey[f], w.coop(), f, w.mkey[f].PublicKey(), "", t0, w.cert[f]))
		}, "member key cannot be revoked"},
		{"certificate not in the revocation's past", func(w *world) *record.Record {
			f := w.founder()
			return w.add(RevokeDevice(w.mkey[f], w.coop(), f, w.dkey[f].PublicKey(), "", t0, w.genesis.ID))
		}, "not a certified device of Ana Costa in this record's causal past"},
		{"another member's device named", func(w *world) *record.Record {
			f := w.founder()
			bo := w.admit(f, "Bo")
			return w.add(RevokeDevice(w.mkey[f], w.coop(), f, w.dkey[bo].PublicKey(), "", t0, w.cert[bo]))
		}, "not a certified device"},
		{"unknown member", func(w *world) *record.Record {
			f := w.founder()
			return w.add(RevokeDevice(w.mkey[f], w.coop(), MemberID{3}, w.dkey[f].PublicKey(), "", t0, w.cert[f]))
		}, "unknown member"},
		{"a revoked key certified again", func(w *world) *record.Record {
			f := w.founder()
			rv := w.add(RevokeDevice(w.mkey[f], w.coop(), f, w.dkey[f].PublicKey(), "", t0, w.cert[f]))
			return w.add(CertifyDevice(w.mkey[f], w.dkey[f], w.coop(), f, "again", t0, rv.ID))
		}, "a revoked key stays revoked"},
		{"a revoked key requested by a joiner", func(w *world) *record.Record {
			f := w.founder()
			d2, c2 := w.device(f, "phone")
			rv := w.add(RevokeDevice(d2, w.coop(), f, w.dkey[f].PublicKey(), "", t0, w.cert[f], c2.ID))
			rq := w.add(requestUnproven(newKey(300), w.coop(), "Bo", w.dkey[f].PublicKey(), t0))
			return w.add(AdmitRequest(d2, w.coop(), rq, "member", nil, t0, c2.ID, rv.ID))
		}, "already certified for another member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			r := tc.build(w)
			s := Fold(w.coop(), w.recs)
			got := rejection(s, r.ID)
			if tc.reason == "" && got != "" || !strings.Contains(got, tc.reason) {
				t.Fatalf("reason %q, want %q", got, tc.reason)
			}
		})
	}
}

func TestRevocationEffect(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	d1 := w.dkey[f].PublicKey()
	d2, c2 := w.device(f, "phone")
	before := Fold(w.coop(), w.recs)
	rv := w.add(RevokeDevice(w.mkey[f], w.coop(), f, d1, "lost", t0, w.cert[f], c2.ID))
	s := Fold(w.coop(), w.recs)
	m := s.Members[f]
	if !slices.Equal(m.Devices, []record.PublicKey{d2.PublicKey()}) || !slices.Equal(m.Revoked, []record.PublicKey{d1}) {
		t.Fatalf("devices %v, revoked %v", m.Devices, m.Revoked)
	}
	if s.DeviceAllowed(d1) || !s.DeviceAllowed(d2.PublicKey()) {
		t.Fatal("DeviceAllowed ignores the revocation")
	}
	if err := s.MayAdmit(d1); err == nil || !strings.Contains(err.Error(), "was revoked ("+rv.ID.Short()+")") {
		t.Fatalf("MayAdmit(revoked) = %v", err)
	}
	if err := s.MayAdmit(d2.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if s.Digest() == before.Digest() {
		t.Fatal("the digest ignores revocations")
	}
}

// TestRevocationCut: what the revoked key signed inside the revocation's
// causal past stays valid; anything else it signed is rejected, with what relies on it.
func TestRevocationCut(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	d2, c2 := w.device(f, "phone")
	inside := w.admit(f, "Inside") // signed by the founder's first device, seen by the revocation
	seen := KeyHeads(w.recs, w.dkey[f].PublicKey())
	unseen := w.admit(f, "Unseen") // signed before the revocation, but not in its past
	rv := w.add(RevokeDevice(d2, w.coop(), f, w.dkey[f].PublicKey(), "stolen", t0, append(seen, c2.ID)...))
	// Claims the revocation's own predecessors, so looks "before" it: still outside its past.
	claims := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "Claims", MemberKey: newKey(400).PublicKey(), Class: "member"}, t0, rv.Prev...))
	after := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "After", MemberKey: newKey(401).PublicKey(), Class: "member"}, t0, rv.ID))
	// Unknown types are cut too: the rule is about the key, not the record.
	future := w.add(record.New(w.dkey[f], "ledger.transaction", 1, w.coop(), t0, []record.ID{rv.ID}, map[string]string{"amount": "1"}))
	byOther := w.add(Admit(d2, w.coop(), Profile{Name: "ByOther", MemberKey: newKey(402).PublicKey(), Class: "member"}, t0, rv.ID))

	s := Fold(w.coop(), w.recs)
	for _, tc := range []struct {
		name string
		id   record.ID
		want string // "" = valid
		cut  bool
	}{
		{"admission inside the cut", record.ID(inside), "", false},
		{"its certificate", w.cert[inside], "", false},
		{"admission the revocation did not see", record.ID(unseen), "after its revocation " + rv.ID.Short() + "; outside the revocation's cut", true},
		{"its member's certificate", w.cert[unseen], "relies on rejected record", false},
		{"claims the revocation's predecessors", claims.ID, "outside the revocation's cut", true},
		{"names the revocation", after.ID, "signed by device key " + w.dkey[f].PublicKey().String()[:12] + " after its revocation", true},
		{"record of an unknown type", future.ID, "outside the revocation's cut", true},
		{"the revoking device", byOther.ID, "", false},
		{"the revocation", rv.ID, "", false},
	} {
		rj, rejected := rejectionOf(s, tc.id)
		switch {
		case tc.want == "" && rejected:
			t.Errorf("%s: rejected: %s", tc.name, rj.Reason)
		case tc.want != "" && !strings.Contains(rj.Reason, tc.want):
			t.Errorf("%s: reason %q, want %q", tc.name, rj.Reason, tc.want)
		case tc.cut != (rj.Cut == rv.ID):
			t.Errorf("%s: cut by %s, want cut %v", tc.name, rj.Cut.Short(), tc.cut)
		}
	}
	if slices.Contains(s.NeedsNewer, future.ID) {
		t.Error("a cut record is also counted as needing a newer version")
	}
}

func TestResignation(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	admin := w.admit(f, "Admin", RoleFounder)
	bo := w.admit(f, "Bo")
	_, byAdmin := w.join(admin, "Joined")
	keep := KeyHeads(w.recs, w.mkey[admin].PublicKey(), w.dkey[admin].PublicKey())
	unseen := w.admit(admin, "Unseen") // concurrent with the resignation
	res := w.add(Resign(w.dkey[admin], w.coop(), admin, "moving away", t0.Add(time.Hour), keep...))
	late := w.add(CertifyDevice(w.mkey[admin], newKey(410), w.coop(), admin, "new laptop", t0, res.ID))
	// Someone else's removal: not possible yet.
	removeBo := w.add(Resign(w.dkey[f], w.coop(), bo, "", t0, w.cert[f], w.cert[bo]))
	stranger := w.add(Resign(newKey(411), w.coop(), bo, "", t0, w.cert[bo]))
	// The same person cannot come back with the same member key.
	again := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "Admin again", MemberKey: w.mkey[admin].PublicKey(), Class: "member"}, t0, res.ID, w.cert[f]))

	s := Fold(w.coop(), w.recs)
	for _, tc := range []struct {
		name string
		id   record.ID
		want string
	}{
		{"resignation", res.ID, ""},
		{"admission the resigning member made before", byAdmin.ID, ""},
		{"admission outside the resignation's past", record.ID(unseen), "signed by Admin's key " + w.dkey[admin].PublicKey().String()[:12] + " after their resignation " + res.ID.Short()},
		{"certificate after the resignation", late.ID, "outside the resignation's cut"},
		{"removing another member", removeBo.ID, "to remove Bo, propose their removal to the members"},
		{"a stranger removing a member", stranger.ID, "propose their removal"},
		{"readmitting the key", again.ID, "belonged to Admin, who left"},
	} {
		got := rejection(s, tc.id)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: reason %q, want %q", tc.name, got, tc.want)
		}
	}
	m := s.Members[admin]
	if m == nil || !m.Removed || m.Removal != res.ID || !m.RemovedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("resigned member = %+v", m)
	}
	if s.Members[bo].Removed {
		t.Fatal("Bo was removed by someone else")
	}
	if s.DeviceAllowed(w.dkey[admin].PublicKey()) {
		t.Fatal("a resigned member's device may still connect")
	}
	if err := s.MayAdmit(w.dkey[admin].PublicKey()); err == nil || !strings.Contains(err.Error(), "Admin left the co-op") {
		t.Fatalf("MayAdmit(resigned) = %v", err)
	}
	// The member admitted before the resignation stays.
	if jm := s.Members[MemberID(byAdmin.ID)]; jm == nil || !s.DeviceAllowed(w.dkey[MemberID(byAdmin.ID)].PublicKey()) {
		t.Fatal("a member the resigned member admitted lost their membership")
	}
}

// TestConcurrentRevocations: revocations that cut each other are settled the
// same way on every node, by precedence.
func TestConcurrentRevocations(t *testing.T) {
	t.Run("two devices revoke each other", func(t *testing.T) {
		for i := range 8 { // reasons vary the IDs, and so which comes first
			w := newWorld(t)
			f := w.founder()
			d2, c2 := w.device(f, "phone")
			r1 := w.add(RevokeDevice(w.dkey[f], w.coop(), f, d2.PublicKey(), fmt.Sprint("a", i), t0, w.cert[f], c2.ID))
			r2 := w.add(RevokeDevice(d2, w.coop(), f, w.dkey[f].PublicKey(), fmt.Sprint("b", i), t0, w.cert[f], c2.ID))
			win, lose := r1, r2
			if r2.ID.Less(r1.ID) { // same predecessors: the fold order is the ID order
				win, lose = r2, r1
			}
			s := Fold(w.coop(), w.recs)
			rj, _ := rejectionOf(s, lose.ID)
			if rejection(s, win.ID) != "" || rj.Cut != win.ID || !strings.Contains(rj.Reason, "outside the revocation's cut") {
				t.Fatalf("%d: winner rejected %q; loser %+v", i, rejection(s, win.ID), rj)
			}
			if len(s.Members[f].Devices) != 1 || len(s.Members[f].Revoked) != 1 {
				t.Fatalf("%d: devices %v revoked %v", i, s.Members[f].Devices, s.Members[f].Revoked)
			}
		}
	})
	t.Run("the member key takes precedence over a device", func(t *testing.T) {
		for i := range 8 {
			w := newWorld(t)
			f := w.founder()
			d2, c2 := w.device(f, "phone")
			// A thief with the phone resigns the member; the owner revokes the phone.
			thief := w.add(Resign(d2, w.coop(), f, fmt.Sprint("bye", i), t0, c2.ID))
			owner := w.add(RevokeDevice(w.mkey[f], w.coop(), f, d2.PublicKey(), "stolen", t0, c2.ID))
			s := Fold(w.coop(), w.recs)
			if rejection(s, owner.ID) != "" || !strings.Contains(rejection(s, thief.ID), "after its revocation "+owner.ID.Short()) || s.Members[f].Removed {
				t.Fatalf("%d (thief first: %v): owner %q, thief %q", i, thief.ID.Less(owner.ID), rejection(s, owner.ID), rejection(s, thief.ID))
			}
		}
	})
	t.Run("three devices in a cycle", func(t *testing.T) {
		for i := range 8 {
			w := newWorld(t)
			f := w.founder()
			d2, c2 := w.device(f, "2")
			d3, c3 := w.device(f, "3")
			prev := []record.ID{w.cert[f], c2.ID, c3.ID}
			rs := []*record.Record{
				w.add(RevokeDevice(d3, w.coop(), f, w.dkey[f].PublicKey(), fmt.Sprint(i), t0, prev...)),
				w.add(RevokeDevice(w.dkey[f], w.coop(), f, d2.PublicKey(), "", t0, prev...)),
				w.add(RevokeDevice(d2, w.coop(), f, d3.PublicKey(), "", t0, prev...)),
			}
			s := Fold(w.coop(), w.recs)
			var stand, cut, void int
			for _, r := range rs {
				got := rejection(s, r.ID)
				switch {
				case got == "":
					stand++
				case strings.Contains(got, "outside the revocation's cut"):
					cut++
				case strings.Contains(got, "this revocation is void"):
					void++
				default:
					t.Fatalf("%d: unexpected reason %q", i, got)
				}
			}
			if stand != 1 || cut != 1 || void != 1 {
				t.Fatalf("%d: %d stand, %d cut, %d void: %+v", i, stand, cut, void, s.Rejected)
			}
		}
	})
	t.Run("a revocation relying on a cut record falls, whatever the order", func(t *testing.T) {
		for i := range 8 {
			w := newWorld(t)
			f := w.founder()
			d2, c2 := w.device(f, "phone")
			// The phone admits Zed; the laptop revokes the phone without seeing that.
			zed, _ := Admit(d2, w.coop(), Profile{Name: "Zed", MemberKey: newKey(420).PublicKey(), Class: "member"}, t0, c2.ID)
			w.add(zed, nil)
			zedDev := newKey(421)
			zc := w.add(CertifyDevice(newKey(420), zedDev, w.coop(), MemberID(zed.ID), "z", t0, zed.ID))
			rb := w.add(RevokeDevice(w.dkey[f], w.coop(), f, d2.PublicKey(), fmt.Sprint(i), t0, w.cert[f], c2.ID))
			// Zed's own revocation relies on Zed's admission, which rb cuts.
			ra := w.add(RevokeDevice(newKey(420), w.coop(), MemberID(zed.ID), zedDev.PublicKey(), "", t0, zc.ID))
			s := Fold(w.coop(), w.recs)
			if rejection(s, rb.ID) != "" || !strings.Contains(rejection(s, ra.ID), "relies on rejected record") {
				t.Fatalf("%d (ra first: %v): rb %q, ra %q", i, ra.ID.Less(rb.ID), rejection(s, rb.ID), rejection(s, ra.ID))
			}
		}
	})
}

// cutWorld is a co-op with revocations, resignations and conflicts among them.
func cutWorld(t testing.TB) *world {
	w := newWorld(t)
	f := w.founder()
	admin := w.admit(f, "Admin", RoleFounder)
	var ms []MemberID
	for i := range 6 {
		ms = append(ms, w.admit(f, fmt.Sprint("f", i)), w.admit(admin, fmt.Sprint("a", i)))
	}
	_, adm := w.join(admin, "joiner")
	joiner := MemberID(adm.ID)
	// The founder's phone is stolen: the laptop revokes it, the thief revokes the laptop.
	d2, c2 := w.device(f, "phone")
	w.add(Admit(d2, w.coop(), Profile{Name: "thief's friend", MemberKey: newKey(600).PublicKey(), Class: "member"}, t0, c2.ID))
	w.add(RevokeDevice(w.dkey[f], w.coop(), f, d2.PublicKey(), "stolen", t0, w.cert[f], c2.ID))
	w.add(RevokeDevice(d2, w.coop(), f, w.dkey[f].PublicKey(), "mine now", t0, w.cert[f], c2.ID))
	// The admin resigns having seen part of their history; their later admission is cut.
	keep := KeyHeads(w.recs, w.mkey[admin].PublicKey(), w.dkey[admin].PublicKey())
	w.admit(admin, "unseen by the resignation")
	res := w.add(Resign(w.mkey[admin], w.coop(), admin, "", t0, keep...))
	w.add(Admit(w.dkey[admin], w.coop(), Profile{Name: "after", MemberKey: newKey(601).PublicKey(), Class: "member"}, t0, res.ID, w.cert[admin]))
	// A member revokes their device, and certifies a new one.
	m := ms[3]
	rv := w.add(RevokeDevice(w.mkey[m], w.coop(), m, w.dkey[m].PublicKey(), "", t0, w.cert[m]))
	w.add(CertifyDevice(w.mkey[m], newKey(602), w.coop(), m, "new", t0, rv.ID))
	// The joiner resigns with their device; someone tries to remove another member.
	w.add(Resign(w.dkey[joiner], w.coop(), joiner, "", t0, w.cert[joiner]))
	w.add(Resign(w.dkey[f], w.coop(), ms[0], "", t0, w.cert[f], w.cert[ms[0]]))
	return w
}

// TestCutOrderIndependence: with revocations and resignations, any order
// and duplication of the records still gives the same state.
func TestCutOrderIndependence(t *testing.T) {
	w := cutWorld(t)
	want := Fold(w.coop(), w.recs)
	wd := want.Digest()
	var cut, removed int
	for _, rj := range want.Rejected {
		if !rj.Cut.IsZero() {
			cut++
		}
	}
	for _, m := range want.Members {
		if m.Removed {
			removed++
		}
	}
	if cut < 3 || removed != 2 {
		t.Fatalf("the scenario should cut records and remove members: %d cut, %d removed; %+v", cut, removed, want.Rejected)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		perm := slices.Clone(w.recs)
		rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		for range rng.IntN(5) {
			perm = append(perm, perm[rng.IntN(len(perm))])
		}
		got := Fold(w.coop(), perm)
		if d := got.Digest(); !bytes.Equal(d[:], wd[:]) || got.Applied != want.Applied || fmt.Sprint(got.Rejected) != fmt.Sprint(want.Rejected) {
			t.Fatalf("permutation %d gives another state", i)
		}
	}
}

func TestKeyHeads(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	a := w.admit(f, "A")
	b := w.admit(f, "B")
	chained := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "C", MemberKey: newKey(700).PublicKey(), Class: "member"}, t0, record.ID(b)))
	pendingRec := w.add(Admit(w.dkey[f], w.coop(), Profile{Name: "P", MemberKey: newKey(701).PublicKey(), Class: "member"}, t0, record.ID{9}))
	_ = pendingRec
	got := KeyHeads(w.recs, w.dkey[f].PublicKey())
	want := record.SortIDs([]record.ID{record.ID(a), chained.ID})
	if !slices.Equal(got, want) {
		t.Fatalf("heads %v, want %v", got, want)
	}
	if got := KeyHeads(w.recs, newKey(999).PublicKey()); len(got) != 0 {
		t.Fatalf("heads of an unused key: %v", got)
	}
	// Member key and device together: the member key's certificate is behind the device's records.
	got = KeyHeads(w.recs, w.mkey[f].PublicKey(), w.dkey[f].PublicKey())
	if !slices.Equal(got, want) {
		t.Fatalf("heads of both keys %v, want %v", got, want)
	}
}

// TestCutFixpoint: in the result of a fold, no accepted record lies outside
// the cut of an accepted revocation or removal, and every cut named in a
// rejection is itself accepted; on the whole scenario and on causally
// closed subsets of it.
func TestCutFixpoint(t *testing.T) {
	w := cutWorld(t)
	byID := map[record.ID]*record.Record{}
	for _, r := range w.recs {
		byID[r.ID] = r
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		sub := w.recs
		if trial > 0 {
			in := map[record.ID]bool{}
			var stack []record.ID
			for _, r := range w.recs {
				if rng.IntN(2) == 0 {
					stack = append(stack, r.ID)
				}
			}
			for len(stack) > 0 {
				id := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !in[id] {
					in[id] = true
					stack = append(stack, byID[id].Prev...)
				}
			}
			sub = nil
			for _, r := range w.recs {
				if in[r.ID] {
					sub = append(sub, r)
				}
			}
		}
		// Fold's steps, keeping the graph to inspect.
		g := newGraph(sub)
		s := g.fold(w.coop(), nil)
		if len(s.cutters) > 0 {
			s = g.fold(w.coop(), g.resolveCuts(s))
		}
		final := Fold(w.coop(), sub)
		if final.Digest() != s.Digest() {
			t.Fatalf("trial %d: Fold differs from its steps", trial)
		}
		for _, c := range s.cutters {
			for _, x := range g.cutOf(&c) {
				if accepted(s, g.recs[x].ID) {
					t.Fatalf("trial %d: %s accepted though outside the cut of %s", trial, g.recs[x].ID.Short(), c.id.Short())
				}
			}
		}
		for _, rj := range s.Rejected {
			if !rj.Cut.IsZero() && !accepted(s, rj.Cut) {
				t.Fatalf("trial %d: %s is cut by %s, which is not accepted", trial, rj.ID.Short(), rj.Cut.Short())
			}
		}
	}
}
