package node

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

var (
	sealMagic  = []byte("test sealed\x00")
	sealSecret = bytes.Repeat([]byte{7}, 32)
	sealAAD    = []byte("co-op")
)

func sealBytes(t *testing.T, plain []byte, piece int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := newSealWriter(&out, sealSecret, sealMagic, sealAAD)
	if err != nil {
		t.Fatal(err)
	}
	for p := plain; len(p) > 0; {
		k := min(piece, len(p))
		if n, err := w.Write(p[:k]); err != nil || n != k {
			t.Fatalf("write: %d, %v", n, err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func openBytes(sealed, secret, aad []byte) ([]byte, error) {
	r, size, err := openSealReader(iotest.HalfReader(bytes.NewReader(sealed)), int64(len(sealed)), secret, sealMagic, aad)
	if err != nil {
		return nil, err
	}
	plain, err := io.ReadAll(r)
	if err == nil && int64(len(plain)) != size {
		return nil, errors.New("size differs from what the header promised")
	}
	return plain, err
}

func TestSealedRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, sealChunk - 1, sealChunk, sealChunk + 1, 2*sealChunk + 5} {
		plain := make([]byte, n)
		for i := range plain {
			plain[i] = byte(i * 7 / 3)
		}
		for _, piece := range []int{1 << 30, 4093} {
			if n > sealChunk+1 && piece < 1<<30 {
				continue // pieces were tried on the smaller sizes
			}
			sealed := sealBytes(t, plain, piece)
			got, err := openBytes(sealed, sealSecret, sealAAD)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d bytes in pieces of %d: %v (got %d bytes)", n, piece, err, len(got))
			}
		}
	}
}

// Every way of damaging a sealed stream is refused: nothing opens but what
// was sealed, whole, in order, for this co-op and key.
func TestSealedDamaged(t *testing.T) {
	plain := bytes.Repeat([]byte("coopnode "), (2*sealChunk+100)/9)
	sealed := sealBytes(t, plain, 1<<30)
	head := len(sealMagic) + sealSalt
	ch := sealChunk + sealTag
	chunk := func(i int) []byte { return sealed[head+i*ch : min(head+(i+1)*ch, len(sealed))] }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	flip := func(i int) []byte { b := bytes.Clone(sealed); b[i] ^= 1; return b }
	cases := []struct {
		name        string
		b           []byte
		secret, aad []byte
	}{
		{"magic", flip(0), sealSecret, sealAAD},
		{"salt", flip(len(sealMagic) + 3), sealSecret, sealAAD},
		{"first chunk", flip(head + 10), sealSecret, sealAAD},
		{"last chunk's tag", flip(len(sealed) - 1), sealSecret, sealAAD},
		{"cut at a chunk boundary", sealed[:head+2*ch], sealSecret, sealAAD},
		{"cut inside a chunk", sealed[:head+ch+100], sealSecret, sealAAD},
		{"cut in the header", sealed[:head-1], sealSecret, sealAAD},
		{"chunks swapped", cat(sealed[:head], chunk(1), chunk(0), chunk(2)), sealSecret, sealAAD},
		{"a chunk dropped", cat(sealed[:head], chunk(0), chunk(2)), sealSecret, sealAAD},
		{"a chunk repeated", cat(sealed[:head], chunk(0), chunk(0), chunk(1), chunk(2)), sealSecret, sealAAD},
		{"bytes appended", cat(sealed, []byte{0}), sealSecret, sealAAD},
		{"another co-op", sealed, sealSecret, []byte("other")},
		{"another key", sealed, bytes.Repeat([]byte{8}, 32), sealAAD},
	}
	for _, c := range cases {
		got, err := openBytes(c.b, c.secret, c.aad)
		if err == nil {
			t.Errorf("%s: opened (%d bytes)", c.name, len(got))
		}
	}
	if got, err := openBytes(sealed, sealSecret, sealAAD); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("the intact stream: %v", err)
	}
}

// A reader that stops at the content's size (as the snapshot decoder does)
// must still find a stream cut at a chunk boundary: content of exactly two
// chunks, the empty last chunk replaced by a tag's worth of other bytes.
func TestSealedEndAtChunkBoundary(t *testing.T) {
	plain := bytes.Repeat([]byte{9}, 2*sealChunk)
	sealed := sealBytes(t, plain, 1<<30)
	head := len(sealMagic) + sealSalt
	if len(sealed) != head+2*(sealChunk+sealTag)+sealTag {
		t.Fatalf("%d bytes sealed: the last chunk should be empty", len(sealed))
	}
	cut := append(bytes.Clone(sealed[:len(sealed)-sealTag]), bytes.Repeat([]byte{0}, sealTag)...)
	for name, b := range map[string][]byte{"intact": sealed, "cut, with a tag's worth of junk": cut} {
		r, size, err := openSealReader(bytes.NewReader(b), int64(len(b)), sealSecret, sealMagic, sealAAD)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, size)
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%s: reading the content: %v", name, err)
		}
		if err := r.End(); (err == nil) != (name == "intact") {
			t.Errorf("%s: End() = %v", name, err)
		}
	}
}
