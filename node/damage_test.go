package node

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/store"
)

// damageHome makes a home whose store has several tables (one per open),
// a vault item added in the first, and a value large enough to live in
// the value log. It returns the home and the vault's item files.
func damageHome(t *testing.T) (string, []string) {
	t.Helper()
	home := initHome(t)
	for i := range 3 {
		n, err := Open(home, pass, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := n.AddData(strings.NewReader("the member's own file"), "notes.txt", "", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := n.Put(admissions(t, n, 50)...); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			big := bytes.Repeat([]byte{1}, 1<<20+10)
			if err := n.kv.Update(func(tx store.Tx) error { return tx.Set([]byte("t/big"), big) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return home, vaultFiles(t, home)
}

// vaultFiles lists the vault's item files, wherever in it they are.
func vaultFiles(t *testing.T, home string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(home, VaultDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(d.Name()) == 64 {
			out = append(out, d.Name())
		}
		return nil
	})
	return out
}

func files(t *testing.T, home, pattern string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(home, DBDir, pattern))
	if len(m) == 0 {
		t.Fatalf("no %s", pattern)
	}
	return m
}

func largest(paths []string) string {
	var best string
	var size int64 = -1
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			best, size = p, fi.Size()
		}
	}
	return best
}

// A damaged store stops Open with an error that says what is damaged and
// how to recover; no panic, and the vault's files stay.
func TestDamagedStoreIsLoud(t *testing.T) {
	for _, tc := range []struct {
		name   string
		want   []string // in the error
		damage func(t *testing.T, home string)
	}{
		{"truncated MANIFEST", []string{"part of it is lost", "coopnode reindex", "backup"}, func(t *testing.T, home string) {
			p := filepath.Join(home, DBDir, "MANIFEST")
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}},
		{"truncated table", []string{".sst", "truncated or altered", "backup"}, func(t *testing.T, home string) {
			p := largest(files(t, home, "*.sst"))
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}},
		{"bit-flipped table", []string{"damaged", "backup"}, func(t *testing.T, home string) {
			p := largest(files(t, home, "*.sst"))
			b, _ := os.ReadFile(p)
			b[200] ^= 0x10
			os.WriteFile(p, b, 0o600)
		}},
		{"missing value log", []string{"value log", "backup"}, func(t *testing.T, home string) {
			os.Remove(largest(files(t, home, "*.vlog")))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home, vf := damageHome(t)
			if len(vf) != 1 {
				t.Fatalf("vault files %v", vf)
			}
			tc.damage(t, home)
			n, err := Open(home, pass, testOpts)
			if err == nil {
				n.Close()
				t.Fatal("a damaged store opened")
			}
			if !errors.Is(err, store.ErrDamaged) {
				t.Errorf("error %v does not wrap store.ErrDamaged", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if got := vaultFiles(t, home); len(got) != 1 || got[0] != vf[0] {
				t.Errorf("vault files %v, want %v", got, vf)
			}
		})
	}
}

// The way out of a store that lost records: reindex accepts it; the vault
// files it no longer lists are then moved aside, never deleted.
func TestTruncatedManifestReindexQuarantines(t *testing.T) {
	home, vf := damageHome(t)
	os.Truncate(filepath.Join(home, DBDir, "MANIFEST"), 40) // only the first tables remain named
	opts := testOpts
	opts.AcceptStore = true
	n, err := Open(home, pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	if probs := strings.Join(n.Problems(), "\n"); !strings.Contains(probs, "accepted") || !strings.Contains(probs, "kept in") {
		t.Errorf("problems %q; want the accepted store and the kept tables named", probs)
	}
	if got := vaultFiles(t, home); len(got) != 1 {
		t.Fatalf("vault files after an accepted open: %v", got)
	}
	if _, err := n.Reindex(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n, err = Open(home, pass, testOpts)
	if err != nil {
		t.Fatalf("after reindex: %v", err)
	}
	defer n.Close()
	items, _ := n.Items()
	got := vaultFiles(t, home)
	if len(got) != 1 || got[0] != vf[0] {
		t.Fatalf("vault files %v, want %v kept", got, vf)
	}
	if len(items) == 0 {
		q, _ := filepath.Glob(filepath.Join(home, VaultDir, QuarantineDir, "*", vf[0]))
		if len(q) != 1 || !strings.Contains(strings.Join(n.Problems(), "\n"), "moved to") {
			t.Errorf("unlisted vault file not in quarantine (%v), problems %q", q, n.Problems())
		}
	}
}

// A missing snapshot alone is no damage: the store opens, whole.
func TestMissingSnapshotOpens(t *testing.T) {
	home, _ := damageHome(t)
	if err := os.Remove(filepath.Join(home, SnapshotFile)); err != nil {
		t.Fatal(err)
	}
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if p := n.Problems(); len(p) != 0 {
		t.Errorf("problems %q", p)
	}
}
