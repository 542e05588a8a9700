package vault

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"testing"
)

// FuzzOpen stores arbitrary bytes as the file of one item and reads it:
// reading must never panic, and must fail with ErrCorrupt unless the bytes
// are a genuine file of that item.
func FuzzOpen(f *testing.F) {
	s, err := Open(f.TempDir(), testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	content := []byte("a member's minutes of the spring general meeting")
	d := put(f, s, content)
	valid, err := os.ReadFile(s.path(d))
	if err != nil {
		f.Fatal(err)
	}
	// Another item's file, spanning chunks, to seed the multi-chunk paths.
	long, err := os.ReadFile(s.path(put(f, s, randBytes(chunkSize+100, 1))))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(long)
	f.Add([]byte{})
	f.Add([]byte(magic))
	f.Add(valid[:headerSize])
	f.Add(valid[:len(valid)-1])
	f.Add(append(bytes.Clone(valid), 0))
	f.Add(long[:headerSize+sealedSize])
	for _, off := range []int{0, len(magic), prefixSize, headerSize, len(valid) - 1} {
		b := bytes.Clone(valid)
		b[off] ^= 1
		f.Add(b)
	}
	f.Add(slices.Concat(valid[:headerSize], long[headerSize:]))

	path := s.path(d)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var got []byte
		r, err := s.Open(d)
		if err == nil {
			if r.Size() < 0 {
				t.Fatalf("Size %d", r.Size())
			}
			got, err = io.ReadAll(r)
			r.Close()
		}
		switch {
		case err == nil:
			if !bytes.Equal(got, content) {
				t.Fatalf("read %d bytes that are not the item from a %d-byte file without error", len(got), len(data))
			}
		case !errors.Is(err, ErrCorrupt):
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		case !bytes.HasPrefix(content, got):
			t.Fatalf("returned %d bytes that are not the item's before failing", len(got))
		}
		if cerr := s.Check(d); (cerr == nil) != (err == nil) || cerr != nil && !errors.Is(cerr, ErrCorrupt) {
			t.Fatalf("Check: %v, but reading gave %v", cerr, err)
		}
		// List reads the same header; it must not panic either.
		if _, err := s.List(); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("List: %v", err)
		}
	})
}
