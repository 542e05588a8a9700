package bundle

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

func TestNextRaw(t *testing.T) {
	_, recs := sample(t, 5)
	good := encode(t, 5)
	r, err := NewReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		b, err := r.NextRaw()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		got, err := record.Decode(b)
		if err != nil || got.ID != recs[i].ID {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	for range 2 {
		if _, err := r.NextRaw(); err != io.EOF {
			t.Fatalf("after the last record: %v, want io.EOF", err)
		}
	}
	// The trailer is checked: a flipped byte near the end, or a cut, is an error, never io.EOF.
	for name, bad := range map[string][]byte{"truncated": good[:len(good)-3], "altered": nextRawFlip(good)} {
		r, err := NewReader(bytes.NewReader(bad))
		if err != nil {
			continue // refused at once: fine
		}
		for err == nil {
			_, err = r.NextRaw()
		}
		if err == io.EOF || !(errors.Is(err, ErrTruncated) || errors.Is(err, ErrTampered)) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func nextRawFlip(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-10] ^= 0x40
	return c
}
