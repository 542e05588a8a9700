package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/coopnode/coopnode/node/store"
)

var damageKey = bytes.Repeat([]byte{7}, 32)

// damageStore writes a store of three tables (one per open, 100 keys "r/"
// each) and a value too large to live in a table (in the value log).
func damageStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i := range 3 {
		kv, err := store.OpenBadger(dir, damageKey)
		if err != nil {
			t.Fatal(err)
		}
		err = kv.Update(func(tx store.Tx) error {
			for j := range 100 {
				if err := tx.Set(fmt.Appendf(nil, "r/%d-%03d", i, j), bytes.Repeat([]byte{byte(j)}, 300)); err != nil {
					return err
				}
			}
			if i == 2 {
				return tx.Set([]byte("big"), bytes.Repeat([]byte{1}, 1<<20+10))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := kv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) == 0 {
		t.Fatalf("no %s", pattern)
	}
	return m
}

// openAndCheck opens dir and reads it whole; it must not panic.
func openAndCheck(dir string) (count int, orphans string, err error) {
	kv, err := store.OpenBadger(dir, damageKey)
	if err != nil {
		return 0, "", err
	}
	defer kv.Close()
	count, err = kv.Check([]byte("r/"))
	return count, kv.Orphans, err
}

func TestBadgerDamage(t *testing.T) {
	if n, orphans, err := openAndCheck(damageStore(t)); err != nil || n != 300 || orphans != "" {
		t.Fatalf("intact store: %d keys, orphans %q, %v", n, orphans, err)
	}
	for _, tc := range []struct {
		name, want string
		damage     func(t *testing.T, dir string)
	}{
		{"truncated table", "is truncated or altered", func(t *testing.T, dir string) {
			p := glob(t, filepath.Join(dir, "*.sst"))[1]
			fi, _ := os.Stat(p)
			if err := os.Truncate(p, fi.Size()/3); err != nil {
				t.Fatal(err)
			}
		}},
		{"bit-flipped table", "damaged", func(t *testing.T, dir string) {
			p := glob(t, filepath.Join(dir, "*.sst"))[1]
			b, _ := os.ReadFile(p)
			b[200] ^= 0x10 // in the first block of keys and values
			os.WriteFile(p, b, 0o600)
		}},
		{"missing value log", "read the value of key", func(t *testing.T, dir string) {
			var biggest string
			var size int64
			for _, p := range glob(t, filepath.Join(dir, "*.vlog")) {
				if fi, _ := os.Stat(p); fi.Size() > size {
					biggest, size = p, fi.Size()
				}
			}
			os.Remove(biggest)
		}},
		{"table missing", "which its MANIFEST names, is missing", func(t *testing.T, dir string) {
			os.Remove(glob(t, filepath.Join(dir, "*.sst"))[0])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := damageStore(t)
			tc.damage(t, dir)
			n, _, err := openAndCheck(dir)
			if !errors.Is(err, store.ErrDamaged) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Fatalf("%d keys, error %v; want ErrDamaged saying %q", n, err, tc.want)
			}
		})
	}
}

// A MANIFEST cut short names fewer tables: Badger would delete the others
// as leftovers, and open with part of the keys. They are kept aside.
func TestBadgerTruncatedManifestKeepsTables(t *testing.T) {
	dir := damageStore(t)
	tables := len(glob(t, filepath.Join(dir, "*.sst")))
	fi, _ := os.Stat(filepath.Join(dir, "MANIFEST"))
	if err := os.Truncate(filepath.Join(dir, "MANIFEST"), fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	n, orphans, err := openAndCheck(dir)
	if err != nil || n >= 300 {
		t.Fatalf("%d keys, %v; want fewer than 300 (the damage a node must notice)", n, err)
	}
	kept, _ := filepath.Glob(filepath.Join(orphans, "*.sst"))
	if orphans == "" || len(kept) == 0 || len(kept) >= tables {
		t.Fatalf("kept %v in %q; want the tables the MANIFEST lost", kept, orphans)
	}
}
