package store_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/coopnode/coopnode/node/store"
	"github.com/coopnode/coopnode/node/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.KV { return store.NewMemory() })
}

func TestBadger(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.KV {
		kv, err := store.OpenBadger(t.TempDir(), bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { kv.Close() })
		return kv
	})
}

func TestBadgerEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	kv, err := store.OpenBadger(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("Riverside-member-secret-payload-0123456789")
	if err := kv.Update(func(tx store.Tx) error { return tx.Set([]byte("k"), secret) }); err != nil {
		t.Fatal(err)
	}
	kv.Close()
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if bytes.Contains(b, secret) {
			t.Errorf("%s holds the value in the clear", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenBadger(dir, bytes.Repeat([]byte{8}, 32)); err == nil {
		t.Fatal("opening with the wrong key must fail")
	}
	kv, err = store.OpenBadger(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	if v, err := kv.Get([]byte("k")); err != nil || !bytes.Equal(v, secret) {
		t.Fatalf("reopened: %q %v", v, err)
	}
	if _, err := kv.Get([]byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	// kill -9 cannot tell fsync from the page cache; power loss can. Check the setting itself.
	if !kv.SyncWrites() {
		t.Fatal("acknowledged writes must be synchronous (fsync before Update returns)")
	}
}
