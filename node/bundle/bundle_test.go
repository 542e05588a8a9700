package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

type signer struct{ k ed25519.PrivateKey }

func (s signer) PublicKey() (p record.PublicKey) {
	copy(p[:], s.k.Public().(ed25519.PublicKey))
	return
}
func (s signer) Sign(m []byte) ([]byte, error) { return ed25519.Sign(s.k, m), nil }

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func sample(t testing.TB, n int) (record.ID, []*record.Record) {
	s := signer{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))}
	coop := record.ID{42}
	var recs []*record.Record
	for i := range n {
		r, err := record.New(s, "test.note", 1, coop, t0, nil, map[string]string{"n": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return coop, recs
}

func encode(t testing.TB, n int) []byte {
	coop, recs := sample(t, n)
	var b bytes.Buffer
	if err := Write(&b, coop, t0, recs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 50} {
		coop, recs := sample(t, n)
		var b bytes.Buffer
		if err := Write(&b, coop, t0, recs); err != nil {
			t.Fatal(err)
		}
		hdr, got, err := ReadAll(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Coop != coop || hdr.Records != n || !hdr.Created.Equal(t0) || len(got) != n {
			t.Fatalf("header %+v, %d records", hdr, len(got))
		}
		for i := range got {
			if got[i].ID != recs[i].ID {
				t.Fatalf("record %d differs", i)
			}
		}
	}
}

func TestTruncatedEverywhere(t *testing.T) {
	b := encode(t, 20)
	for cut := 0; cut < len(b); cut++ {
		_, _, err := ReadAll(bytes.NewReader(b[:cut]))
		if err == nil {
			t.Fatalf("a bundle cut at %d of %d bytes was accepted", cut, len(b))
		}
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotBundle) && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrBadRecord) {
			t.Fatalf("cut at %d: unclassified error %v", cut, err)
		}
		if cut > len(magic)+64 && !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: %v, want ErrTruncated", cut, err)
		}
	}
}

func TestFlippedEverywhere(t *testing.T) {
	b := encode(t, 20)
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x20
		if _, _, err := ReadAll(bytes.NewReader(c)); err == nil {
			t.Fatalf("a bundle with byte %d changed was accepted", i)
		} else if errors.Is(err, ErrBadRecord) {
			t.Fatalf("a bundle with byte %d changed after it was written: %v, which blames its writer", i, err)
		}
	}
}

func TestWriterCounts(t *testing.T) {
	coop, recs := sample(t, 2)
	w, _ := NewWriter(&bytes.Buffer{}, Header{Coop: coop, Records: 1})
	_ = w.Add(recs[0])
	if err := w.Add(recs[1]); err == nil {
		t.Fatal("more records than announced")
	}
	w, _ = NewWriter(&bytes.Buffer{}, Header{Coop: coop, Records: 2})
	_ = w.Add(recs[0])
	if err := w.Close(); err == nil {
		t.Fatal("fewer records than announced")
	}
}

func TestNotBundle(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("hello"), []byte("coopnode bundle v2\n....")} {
		if _, _, err := ReadAll(bytes.NewReader(b)); !errors.Is(err, ErrNotBundle) {
			t.Errorf("%q: %v", b, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(encode(f, 3))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, recs, err := ReadAll(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotBundle) && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrBadRecord) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		for _, r := range recs {
			if _, err := r.Verified(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
