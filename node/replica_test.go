package node

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
)

// history builds a small co-op through the node API: admissions, a second
// admitter, extra devices, a revocation and a resignation, plus a record
// signed after its key's revocation (to be rejected) and a join request
// never answered.
func history(t *testing.T) (*Node, []*record.Record) {
	t.Helper()
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ada", "Riverside", []byte("pass"), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	join := func(name string, roles ...string) *Node {
		n, err := Join(filepath.Join(t.TempDir(), name), a.CoopID(), []byte("pass"), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		req, err := n.RequestJoin(name, "inv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Admit(req, "", roles...); err != nil {
			t.Fatal(err)
		}
		if err := n.Put(recordsOf(t, a)...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b := join("Bo", coop.RoleFounder)
	c := join("Cy")
	phone, _ := identity.Generate(nil)
	cert, err := b.CertifyDevice(phone.Device(), "phone")
	if err != nil {
		t.Fatal(err)
	}
	dee := request(t, a.CoopID(), "Dee")
	adm, err := coop.AdmitRequest(phone.Device(), a.CoopID(), dee, "member", nil, testOpts.Now(), cert.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(dee, adm); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RevokeDevice(phone.DeviceKey(), "lost"); err != nil {
		t.Fatal(err)
	}
	eve := request(t, a.CoopID(), "Eve")
	late, err := coop.AdmitRequest(phone.Device(), a.CoopID(), eve, "member", nil, testOpts.Now(), cert.ID, adm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(eve, late, request(t, a.CoopID(), "Fay")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(recordsOf(t, b)...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resign("moving"); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(recordsOf(t, c)...); err != nil {
		t.Fatal(err)
	}
	s := a.State()
	if len(s.Rejected) != 1 || s.Rejected[0].ID != late.ID || len(s.Pending) != 0 {
		t.Fatalf("the history is not what the test means: rejected %+v, pending %v", s.Rejected, s.Pending)
	}
	return a, recordsOf(t, a)
}

func request(t *testing.T, c record.ID, name string) *record.Record {
	k, _ := identity.Generate(nil)
	r, err := coop.RequestJoin(k.Member(), k.Device(), c, name, "laptop", "inv", testOpts.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDeliveryInterleavings: a node fed the same records in any order, in
// any batches, with any duplicates (as peers and bundles deliver them)
// reaches the same state as the node that wrote them. A record whose
// signer is not known yet (its certificate comes later) is refused and
// offered again later, as a peer's next session does.
func TestDeliveryInterleavings(t *testing.T) {
	a, recs := history(t)
	want := a.State()
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 25 {
		n, err := Join(filepath.Join(t.TempDir(), fmt.Sprint(trial)), a.CoopID(), []byte("pass"), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		deliveries := slices.Clone(recs)
		for range rng.IntN(len(recs)) { // duplicates
			deliveries = append(deliveries, recs[rng.IntN(len(recs))])
		}
		rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
		for round := 0; len(deliveries) > 0; round++ {
			if round > 100*len(recs) {
				t.Fatalf("trial %d: records still refused after %d deliveries", trial, round)
			}
			k := 1 + rng.IntN(min(len(deliveries), 6))
			var raw [][]byte
			byID := map[record.ID]*record.Record{}
			for _, r := range deliveries[:k] {
				raw = append(raw, r.Bytes())
				byID[r.ID] = r
			}
			deliveries = deliveries[k:]
			_, refused, err := n.Accept(raw, "peer")
			if err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
			for _, f := range refused {
				if f.Kind != RefusedStranger {
					t.Fatalf("trial %d: %+v", trial, f)
				}
				deliveries = append(deliveries, byID[f.ID]) // offered again later
			}
			if rng.IntN(3) == 0 {
				n.State() // sometimes fold midway, as a status call would
			}
		}
		got := n.State()
		if got.Digest() != want.Digest() || len(got.Rejected) != len(want.Rejected) || len(got.Pending) != 0 || len(n.IDs()) != len(recs) {
			t.Fatalf("trial %d: digest %x vs %x, rejected %d vs %d, pending %d", trial, got.Digest(), want.Digest(), len(got.Rejected), len(want.Rejected), len(got.Pending))
		}
		n.Close()
	}
}
