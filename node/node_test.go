package node

import (
	"context"
	"encoding/hex"
	"errors"
	"github.com/coopnode/coopnode/node/record"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/store"
)

var testOpts = Options{KDF: &identity.Params{Time: 1, MemoryK: 64, Threads: 1}, DeviceLabel: "test",
	Now: func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }}

var pass = []byte("a long passphrase")

func initHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	n, err := Init(home, "Ana Costa", "Riverside Data Co-op", pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestInitOpen(t *testing.T) {
	home := initHome(t)
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	s := n.State()
	if s.Name != "Riverside Data Co-op" || len(s.Members) != 1 || s.CoopID != n.CoopID() {
		t.Fatalf("state %+v", s)
	}
	m, ok := s.MemberByKey(n.DeviceKey())
	if !ok || m.Name != "Ana Costa" || m.Key != n.MemberKey() {
		t.Fatal("this node's device is not the founder's")
	}
	if len(n.Problems()) != 0 || len(recordsOf(t, n)) != 2 {
		t.Fatalf("problems %v, %d records", n.Problems(), len(recordsOf(t, n)))
	}
	if err := n.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestHomeErrors(t *testing.T) {
	home := initHome(t)
	if _, err := Open(home, []byte("wrong"), testOpts); !errors.Is(err, identity.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := Open(t.TempDir(), pass, testOpts); !errors.Is(err, ErrNotInitialized) {
		t.Fatalf("empty home: %v", err)
	}
	if _, err := Init(home, "Eve", "Other", pass, testOpts); !errors.Is(err, ErrAlreadyInitialized) {
		t.Fatalf("init twice: %v", err)
	}
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(home, pass, testOpts); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second open: %v", err)
	}
	if _, err := Init(home, "Eve", "Other", pass, testOpts); !errors.Is(err, ErrInUse) {
		t.Fatalf("init on a home in use: %v", err)
	}
	want := n.State().Digest()
	n.Close()
	// After all that, the co-op is intact.
	n, err = Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.State().Digest() != want {
		t.Fatal("state changed after refused operations")
	}
}

// TestDamagedRecord: a corrupted or truncated record is reported, kept as it
// is, and the rest of the co-op still opens.
func TestDamagedRecord(t *testing.T) {
	for _, damage := range []struct {
		name string
		f    func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"bit flip", func(b []byte) []byte { b = append([]byte(nil), b...); b[len(b)-70] ^= 4; return b }},
		// The payload is intact (the ID checks), so only the background
		// check of the signatures finds it.
		{"signature bit flip", func(b []byte) []byte { b = append([]byte(nil), b...); b[len(b)-10] ^= 4; return b }},
	} {
		t.Run(damage.name, func(t *testing.T) {
			home := initHome(t)
			n, _ := Open(home, pass, testOpts)
			cert := recordsOf(t, n)[0]
			if cert.ID == n.CoopID() {
				cert = recordsOf(t, n)[1]
			}
			bad := damage.f(cert.Bytes())
			kv := n.kv
			if err := kv.Update(func(tx store.Tx) error { return tx.Set(recordKey(cert.ID), bad) }); err != nil {
				t.Fatal(err)
			}
			n.Close()
			n, err := Open(home, pass, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			if _, err := n.VerifyStored(context.Background()); err != nil { // what a started node does in the background
				t.Fatal(err)
			}
			p := n.Problems()
			if len(p) != 1 || !strings.Contains(p[0], cert.ID.Short()) || !strings.Contains(p[0], "damaged") {
				t.Fatalf("problems = %v", p)
			}
			if got := n.Get([]record.ID{cert.ID}); len(got) != 0 {
				t.Fatal("a damaged record must not be read (nor sent to peers)")
			}
			if len(n.State().Members) != 1 {
				t.Fatal("the founder must still be a member")
			}
			if got, _ := n.kv.Get(recordKey(cert.ID)); string(got) != string(bad) {
				t.Fatal("the damaged record was modified")
			}
			// An intact copy (from a peer or a bundle) repairs it.
			if n.Has(cert.ID) {
				t.Fatal("a damaged record must not count as held, or no peer sends an intact copy")
			}
			if err := n.Put(cert); err != nil {
				t.Fatalf("storing an intact copy: %v", err)
			}
			if p := n.Problems(); len(p) != 0 || len(n.Get([]record.ID{cert.ID})) != 1 {
				t.Fatalf("after repair: problems %v", p)
			}
			if err := n.kv.Update(func(tx store.Tx) error { return tx.Set(recordKey(cert.ID), bad) }); err != nil {
				t.Fatal(err)
			}
			rep, err := n.Reindex()
			if err != nil || rep.Damaged != 1 || rep.Records != 1 {
				t.Fatalf("reindex %+v %v", rep, err)
			}
		})
	}
}

func TestReindex(t *testing.T) {
	home := initHome(t)
	n, _ := Open(home, pass, testOpts)
	defer n.Close()
	before, _ := n.IDsOfType("member.device")
	// Wreck the derived index: drop it and add junk.
	_ = n.kv.Update(func(tx store.Tx) error {
		for _, r := range recordsOf(t, n) {
			_ = tx.Delete(typeKey(r))
		}
		return tx.Set([]byte("i/t/junk\x00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), nil)
	})
	if ids, _ := n.IDsOfType("member.device"); len(ids) != 0 {
		t.Fatal("index not wrecked")
	}
	rep, err := n.Reindex()
	if err != nil {
		t.Fatal(err)
	}
	after, _ := n.IDsOfType("member.device")
	junk, _ := n.IDsOfType("junk")
	if rep.Records != 2 || rep.Dropped != 1 || len(after) != 1 || len(before) != 1 || after[0] != before[0] || len(junk) != 0 {
		t.Fatalf("report %+v; device index %v -> %v; junk %v", rep, before, after, junk)
	}
	if d := n.State().Digest(); rep.Digest != hex.EncodeToString(d[:]) {
		t.Fatal("report digest differs from state")
	}
}

func TestFilesArePrivate(t *testing.T) {
	home := initHome(t)
	for _, f := range []string{KeyFile} {
		st, err := osStat(filepath.Join(home, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, st.Mode(), err)
		}
	}
}

var osStat = os.Stat

// recordsOf reads every record n holds.
func recordsOf(t testing.TB, n *Node) []*record.Record {
	t.Helper()
	recs, err := n.Records()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// tell has each node do its part as a teller (co-sign the closes it can);
// the caller syncs afterwards.
func tell(t testing.TB, nodes ...*Node) {
	t.Helper()
	for _, n := range nodes {
		if _, err := n.Tell(); err != nil {
			t.Fatal(err)
		}
	}
}
