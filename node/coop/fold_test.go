package coop

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

type key struct{ k ed25519.PrivateKey }

func newKey(seed uint64) key {
	var b [32]byte
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	b[31] = 0xC0
	return key{ed25519.NewKeyFromSeed(b[:])}
}
func (k key) PublicKey() (p record.PublicKey) { copy(p[:], k.k.Public().(ed25519.PublicKey)); return }
func (k key) Sign(m []byte) ([]byte, error)   { return ed25519.Sign(k.k, m), nil }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// world is a co-op under construction in a test.
type world struct {
	t       testing.TB
	genesis *record.Record
	recs    []*record.Record
	// per member: member key, device key, device cert ID
	mkey, dkey map[MemberID]key
	cert       map[MemberID]record.ID
	n          uint64
	frontier   record.ID // benchmarks: the latest membership or close record
	// noTellers: closeAs leaves its closes without co-signatures.
	noTellers bool
}

// cosign replaces r in w.recs by a copy co-signed by the devices of members
// (the tellers of a close), and returns that copy; its ID does not change.
func (w *world) cosign(r *record.Record, members ...MemberID) *record.Record {
	w.t.Helper()
	for _, m := range members {
		c, err := r.CoSign(w.dkey[m])
		if err != nil {
			w.t.Fatal(err)
		}
		r = c
	}
	for i := range w.recs {
		if w.recs[i].ID == r.ID {
			w.recs[i] = r
		}
	}
	return r
}

func newWorld(t testing.TB) *world { return newWorldBylaws(t, DefaultBylaws("Riverside Data Co-op")) }

func newWorldBylaws(t testing.TB, by Bylaws) *world {
	w := &world{t: t, mkey: map[MemberID]key{}, dkey: map[MemberID]key{}, cert: map[MemberID]record.ID{}, n: 2}
	mk, dk := newKey(0), newKey(1)
	g, c, err := Found(mk, dk, "Riverside Data Co-op", "Ana Costa", "laptop", by, t0)
	if err != nil {
		t.Fatal(err)
	}
	w.genesis = g
	id := MemberID(g.ID)
	w.mkey[id], w.dkey[id], w.cert[id] = mk, dk, c.ID
	w.recs = []*record.Record{g, c}
	return w
}

func (w *world) coop() record.ID   { return w.genesis.ID }
func (w *world) founder() MemberID { return MemberID(w.genesis.ID) }

// admit has by admit a new member with roles and certifies their device.
func (w *world) admit(by MemberID, name string, roles ...string) MemberID {
	mk, dk := newKey(w.n), newKey(w.n+1)
	w.n += 2
	a, err := Admit(w.dkey[by], w.coop(), Profile{Name: name, MemberKey: mk.PublicKey(), Class: "member", Roles: roles},
		t0.Add(time.Duration(w.n)*time.Minute), w.cert[by])
	if err != nil {
		w.t.Fatal(err)
	}
	id := MemberID(a.ID)
	c, err := CertifyDevice(mk, dk, w.coop(), id, "phone", t0.Add(time.Duration(w.n)*time.Minute), a.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	w.mkey[id], w.dkey[id], w.cert[id] = mk, dk, c.ID
	w.recs = append(w.recs, a, c)
	return id
}

func TestFoundedCoop(t *testing.T) {
	w := newWorld(t)
	s := Fold(w.coop(), w.recs)
	if s.Name != "Riverside Data Co-op" || len(s.Members) != 1 || s.Applied != 2 || len(s.Rejected) != 0 {
		t.Fatalf("state = %+v", s)
	}
	m := s.Members[w.founder()]
	if m.Name != "Ana Costa" || !m.Founder || !m.HasRole(RoleFounder) || len(m.Devices) != 1 || m.Class != "member" {
		t.Fatalf("founder = %+v", m)
	}
	if got, ok := s.MemberByKey(w.dkey[w.founder()].PublicKey()); !ok || got != m {
		t.Fatal("device key does not resolve to the founder")
	}
	if s.Bylaws.Quorum.String() != "1/2" || s.Bylaws.Admission.Rule != AdmitDirect {
		t.Fatalf("bylaws = %+v", s.Bylaws)
	}
}

func TestFoldRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		build  func(w *world) *record.Record
		reason string // substring of the rejection; "" = applied; "pending"; "newer"
	}{
		{"founder admits", func(w *world) *record.Record {
			r, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.cert[w.founder()])
			return r
		}, ""},
		{"non-founder admits", func(w *world) *record.Record {
			bo := w.admit(w.founder(), "Bo")
			r, _ := Admit(w.dkey[bo], w.coop(), Profile{Name: "Cy", MemberKey: newKey(51).PublicKey(), Class: "member"}, t0, w.cert[bo])
			return r
		}, "holds none of the roles"},
		{"device cert not in causal past", func(w *world) *record.Record {
			r, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.genesis.ID)
			return r
		}, "causal past"},
		{"stranger admits", func(w *world) *record.Record {
			r, _ := Admit(newKey(99), w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.genesis.ID)
			return r
		}, "not a certified device"},
		{"member key signs admission", func(w *world) *record.Record {
			r, _ := Admit(w.mkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.cert[w.founder()])
			return r
		}, "not a certified device"},
		{"unknown class", func(w *world) *record.Record {
			r, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "owner"}, t0, w.cert[w.founder()])
			return r
		}, "class \"owner\""},
		{"readmit existing key", func(w *world) *record.Record {
			r, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Ana again", MemberKey: w.mkey[w.founder()].PublicKey(), Class: "member"}, t0, w.cert[w.founder()])
			return r
		}, "already a member"},
		{"device certified by someone else", func(w *world) *record.Record {
			r, _ := CertifyDevice(newKey(98), newKey(97), w.coop(), w.founder(), "x", t0, w.genesis.ID)
			return r
		}, "own member key"},
		{"foreign co-op", func(w *world) *record.Record {
			r, _ := CertifyDevice(w.mkey[w.founder()], newKey(97), record.ID{1}, w.founder(), "x", t0, w.genesis.ID)
			return r
		}, "another co-op"},
		{"second genesis", func(w *world) *record.Record {
			g, _, _ := Found(newKey(90), newKey(91), "Other", "Eve", "x", DefaultBylaws("Other"), t0)
			return g
		}, "second genesis"},
		{"missing predecessor", func(w *world) *record.Record {
			r, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.cert[w.founder()], record.ID{9})
			return r
		}, "pending"},
		{"unknown type", func(w *world) *record.Record {
			r, _ := record.New(w.dkey[w.founder()], "ledger.transaction", 1, w.coop(), t0, []record.ID{w.cert[w.founder()]}, map[string]string{"amount": "1.00"})
			return r
		}, "newer"},
		{"newer schema", func(w *world) *record.Record {
			r, _ := record.New(w.dkey[w.founder()], TypeAdmitted, 2, w.coop(), t0, []record.ID{w.cert[w.founder()]}, map[string]string{"x": "y"})
			return r
		}, "newer"},
		{"unknown body field", func(w *world) *record.Record {
			r, _ := record.New(w.dkey[w.founder()], TypeAdmitted, 1, w.coop(), t0, []record.ID{w.cert[w.founder()]}, map[string]string{"name": "Bo", "nickname": "b"})
			return r
		}, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			r := tc.build(w)
			s := Fold(w.coop(), append(w.recs, r))
			var got string
			for _, rj := range s.Rejected {
				if rj.ID == r.ID {
					got = rj.Reason
				}
			}
			switch tc.reason {
			case "":
				if got != "" {
					t.Fatalf("rejected: %s", got)
				}
			case "pending":
				if len(s.Pending) != 1 || s.Pending[0] != r.ID {
					t.Fatalf("pending = %v", s.Pending)
				}
			case "newer":
				if len(s.NeedsNewer) != 1 || s.NeedsNewer[0] != r.ID || got != "" {
					t.Fatalf("needs newer = %v, rejected %q", s.NeedsNewer, got)
				}
			default:
				if !strings.Contains(got, tc.reason) {
					t.Fatalf("reason %q, want it to mention %q", got, tc.reason)
				}
			}
		})
	}
}

func TestRejectionPropagates(t *testing.T) {
	w := newWorld(t)
	bo := w.admit(w.founder(), "Bo")
	// Bo (no admitting role) admits Cy; Cy's device cert relies on that rejected admission.
	cy := w.admit(bo, "Cy")
	s := Fold(w.coop(), w.recs)
	if _, ok := s.Members[cy]; ok || len(s.Rejected) != 2 || len(s.Members) != 2 {
		t.Fatalf("members %d, rejected %+v", len(s.Members), s.Rejected)
	}
}

// TestOrderIndependence: any order and duplication of the same records gives the same digest.
func TestOrderIndependence(t *testing.T) {
	w := newWorld(t)
	var ids []MemberID
	for i := range 12 {
		by := w.founder()
		if i%4 == 3 && len(ids) > 0 {
			by = ids[len(ids)-1] // not allowed to admit: rejected, with its dependents
		}
		roles := []string{}
		if i%5 == 0 {
			roles = []string{RoleFounder}
		}
		ids = append(ids, w.admit(by, fmt.Sprintf("member %d", i), roles...))
		if i%5 == 0 { // a member with the admitting role admits someone too
			ids = append(ids, w.admit(ids[len(ids)-1], fmt.Sprintf("member %d's pick", i)))
		}
	}
	w.join(w.founder(), "joined by request")
	w.join(ids[1], "asked a member who may not admit") // rejected, with nothing relying on it
	extra, _ := record.New(w.dkey[w.founder()], "future.thing", 1, w.coop(), t0, []record.ID{w.cert[w.founder()]}, map[string]int{})
	dangling, _ := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Z", MemberKey: newKey(1000).PublicKey(), Class: "member"}, t0, record.ID{7})
	recs := append(w.recs, extra, dangling)
	want := Fold(w.coop(), recs)
	wd := want.Digest()
	if len(want.Members) < 10 || len(want.Rejected) == 0 || len(want.Pending) != 1 || len(want.NeedsNewer) != 1 {
		t.Fatalf("the scenario should exercise every path: %d members, %d rejected, %d pending, %d newer",
			len(want.Members), len(want.Rejected), len(want.Pending), len(want.NeedsNewer))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		perm := append([]*record.Record(nil), recs...)
		rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		for range rng.IntN(5) { // duplicates
			perm = append(perm, perm[rng.IntN(len(perm))])
		}
		got := Fold(w.coop(), perm)
		if d := got.Digest(); !bytes.Equal(d[:], wd[:]) || got.Applied != want.Applied ||
			fmt.Sprint(got.Rejected) != fmt.Sprint(want.Rejected) || fmt.Sprint(got.Pending) != fmt.Sprint(want.Pending) {
			t.Fatalf("permutation %d gives another state", i)
		}
	}
	// And the digest does depend on content: one member fewer changes it.
	fewer := Fold(w.coop(), recs[:4]) // genesis, cert, one admission and its device
	if fewer.Digest() == wd {
		t.Fatal("digest ignores members")
	}
}
