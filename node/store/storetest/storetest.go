// Package storetest is the conformance suite every store.KV implementation must pass.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/coopnode/coopnode/node/store"
)

// Run checks the KV contract against fresh stores made by open.
func Run(t *testing.T, open func(t *testing.T) store.KV) {
	t.Run("GetMissing", func(t *testing.T) {
		kv := open(t)
		if _, err := kv.Get([]byte("nope")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
		}
	})
	t.Run("SetGetDelete", func(t *testing.T) {
		kv := open(t)
		must(t, kv.Update(func(tx store.Tx) error { return tx.Set([]byte("a"), []byte("1")) }))
		if v, err := kv.Get([]byte("a")); err != nil || string(v) != "1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		must(t, kv.Update(func(tx store.Tx) error { return tx.Delete([]byte("a")) }))
		if _, err := kv.Get([]byte("a")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
	t.Run("EmptyValue", func(t *testing.T) {
		kv := open(t)
		must(t, kv.Update(func(tx store.Tx) error { return tx.Set([]byte("e"), nil) }))
		if v, err := kv.Get([]byte("e")); err != nil || len(v) != 0 {
			t.Fatalf("Get(empty) = %q, %v", v, err)
		}
	})
	t.Run("FailedUpdateWritesNothing", func(t *testing.T) {
		kv := open(t)
		boom := errors.New("boom")
		err := kv.Update(func(tx store.Tx) error {
			_ = tx.Set([]byte("x"), []byte("1"))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v, want the callback's error", err)
		}
		if _, err := kv.Get([]byte("x")); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("a failed Update left writes behind")
		}
	})
	t.Run("ReadYourWrites", func(t *testing.T) {
		kv := open(t)
		must(t, kv.Update(func(tx store.Tx) error {
			_ = tx.Set([]byte("k"), []byte("v"))
			v, err := tx.Get([]byte("k"))
			if err != nil || string(v) != "v" {
				return fmt.Errorf("in-tx Get = %q, %v", v, err)
			}
			_ = tx.Delete([]byte("k"))
			if _, err := tx.Get([]byte("k")); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("in-tx Get after Delete = %v", err)
			}
			return nil
		}))
	})
	t.Run("ScanPrefixOrdered", func(t *testing.T) {
		kv := open(t)
		must(t, kv.Update(func(tx store.Tx) error {
			for _, k := range []string{"p/c", "p/a", "q/z", "p/b", "o/z", "p"} {
				if err := tx.Set([]byte(k), []byte("v"+k)); err != nil {
					return err
				}
			}
			return nil
		}))
		var got []string
		must(t, kv.Scan([]byte("p/"), func(k, v []byte) error {
			if !bytes.Equal(v, append([]byte("v"), k...)) {
				return fmt.Errorf("value of %s = %s", k, v)
			}
			got = append(got, string(k))
			return nil
		}))
		if fmt.Sprint(got) != "[p/a p/b p/c]" {
			t.Fatalf("Scan = %v", got)
		}
		stop := errors.New("stop")
		n := 0
		if err := kv.Scan([]byte("p/"), func(k, v []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Scan must stop at the first error: %v after %d", err, n)
		}
		got = nil
		must(t, kv.Keys([]byte("p/"), func(k []byte) error { got = append(got, string(k)); return nil }))
		if fmt.Sprint(got) != "[p/a p/b p/c]" {
			t.Fatalf("Keys = %v", got)
		}
		n = 0
		if err := kv.Keys([]byte("p/"), func(k []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Keys must stop at the first error: %v after %d", err, n)
		}
	})
	t.Run("KeysSince", func(t *testing.T) {
		kv := open(t)
		set := func(keys ...string) {
			must(t, kv.Update(func(tx store.Tx) error {
				for _, k := range keys {
					if err := tx.Set([]byte(k), []byte("v")); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		since := func(v uint64) string {
			var got []string
			must(t, kv.KeysSince([]byte("p/"), v, func(k []byte) error { got = append(got, string(k)); return nil }))
			return fmt.Sprint(got)
		}
		v0, err := kv.Version()
		must(t, err)
		set("p/a", "p/b", "q/x")
		v1, err := kv.Version()
		must(t, err)
		if v1 <= v0 {
			t.Fatalf("version %d after a write, %d before", v1, v0)
		}
		set("p/c", "p/a") // a new key, and one written again
		set("q/y")
		v2, err := kv.Version()
		must(t, err)
		if got := since(v1); got != "[p/a p/c]" {
			t.Fatalf("KeysSince(v1) = %s, want [p/a p/c]", got)
		}
		if got := since(v0); got != "[p/a p/b p/c]" {
			t.Fatalf("KeysSince(v0) = %s, want all three", got)
		}
		if got := since(v2); got != "[]" {
			t.Fatalf("KeysSince(now) = %s, want none", got)
		}
	})
	t.Run("ValuesAreCopies", func(t *testing.T) {
		kv := open(t)
		val := []byte("abc")
		must(t, kv.Update(func(tx store.Tx) error { return tx.Set([]byte("k"), val) }))
		val[0] = 'X'
		v, _ := kv.Get([]byte("k"))
		v[1] = 'Y'
		if v2, _ := kv.Get([]byte("k")); string(v2) != "abc" {
			t.Fatalf("stored value changed through a caller's slice: %q", v2)
		}
	})
	t.Run("BinaryKeys", func(t *testing.T) {
		kv := open(t)
		k := []byte{0, 255, 0, 1}
		must(t, kv.Update(func(tx store.Tx) error { return tx.Set(k, []byte{0}) }))
		if v, err := kv.Get(k); err != nil || !bytes.Equal(v, []byte{0}) {
			t.Fatalf("binary key: %v %v", v, err)
		}
	})
	t.Run("CloseTwice", func(t *testing.T) {
		kv := open(t)
		must(t, kv.Close())
		must(t, kv.Close())
		if _, err := kv.Get([]byte("a")); err == nil {
			t.Fatal("Get after Close must fail")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
