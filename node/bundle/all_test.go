package bundle

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

// allByBatches is All done plainly: every record's bytes read, then the
// trailer, then each record decoded and verified in order. AllUnverified
// must report the same error for any bundle, whichever of its faults comes
// first: the bundle's own (truncated, altered) if it has one, else the
// first record that fails.
func allByBatches(r *Reader) ([]*record.Record, error) {
	first := r.seen
	var raw [][]byte
	for r.seen < r.hdr.Records {
		b, err := r.nextRaw()
		if err != nil {
			return nil, err
		}
		raw = append(raw, b)
	}
	if err := r.trailer(); err != nil {
		return nil, err
	}
	recs, errs := record.DecodeAll(raw)
	for i, err := range errs {
		if err != nil {
			id, typ, _ := record.Identify(raw[i])
			return nil, &RecordError{N: first + i + 1, Of: r.hdr.Records, ID: id, Type: typ, Err: err}
		}
	}
	return recs, nil
}

// rawBundle writes chunks as a bundle announcing announced records, and
// trailer as its checksum (nil: the right one).
func rawBundle(t *testing.T, chunks [][]byte, announced int, trailer []byte) []byte {
	var b bytes.Buffer
	w, err := NewWriter(&b, Header{Coop: record.ID{42}, Created: t0, Records: announced})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if err := w.chunk(c); err != nil {
			t.Fatal(err)
		}
	}
	if trailer == nil {
		trailer = w.h.Sum(nil)
	}
	if _, err := w.zw.Write(trailer); err != nil {
		t.Fatal(err)
	}
	if err := w.zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAllAsByBatches(t *testing.T) {
	defer func(rb, ss int) { readBatch, sigShare = rb, ss }(readBatch, sigShare)
	readBatch, sigShare = 8, 3

	s := signer{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))}
	const n = 30
	good := make([][]byte, n)
	for i := range good {
		r, err := record.New(s, "test.note", 1, record.ID{42}, t0, nil, map[string]int{"n": i})
		if err != nil {
			t.Fatal(err)
		}
		good[i] = r.Bytes()
	}
	// Faults a record can have: found before its signature, at it, after it.
	badSig := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)-1] ^= 1; return b }
	malformed := func(b []byte) []byte { return b[:len(b)-3] }
	overlong := func(b []byte) []byte {
		// The payload type's length as a two-byte varint: the record is
		// the same but its framing is not minimal.
		out := append([]byte{}, b[:4]...)
		out = append(out, 0x80|b[4], 0x00)
		return append(out, b[5:]...)
	}
	both := func(b []byte) []byte { return badSig(overlong(b)) }
	faults := map[string]func([]byte) []byte{"bad signature": badSig, "malformed": malformed, "framing": overlong, "framing and signature": both}

	type fault struct {
		at   int
		kind string
	}
	cases := [][]fault{{}}
	for _, at := range []int{0, 2, 7, 8, 13, 29} {
		for kind := range faults {
			cases = append(cases, []fault{{at, kind}})
		}
	}
	for _, pair := range [][2]int{{3, 5}, {5, 3}, {3, 12}, {12, 3}, {9, 10}, {16, 23}} {
		for a := range faults {
			for b := range faults {
				cases = append(cases, []fault{{pair[0], a}, {pair[1], b}})
			}
		}
	}
	run := func(name string, b []byte) {
		t.Helper()
		r1, err := NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, wantErr := allByBatches(r1)
		r2, _ := NewReader(bytes.NewReader(b))
		got, gotErr := r2.All()
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || len(got) != len(want) {
			t.Fatalf("%s:\nAll:          %d records, %v\nby batches:   %d records, %v", name, len(got), gotErr, len(want), wantErr)
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("%s: record %d differs", name, i)
			}
		}
	}
	for _, fs := range cases {
		chunks := append([][]byte{}, good...)
		name := ""
		for _, f := range fs {
			chunks[f.at] = faults[f.kind](chunks[f.at])
			name += fmt.Sprintf("%s at %d; ", f.kind, f.at)
		}
		run(name, rawBundle(t, chunks, n, nil))
		// The same, and the bundle ends early or its checksum is wrong.
		for _, cut := range []int{4, 8, 11, 16, 20, 29} {
			run(fmt.Sprintf("%scut after %d", name, cut), rawBundle(t, chunks[:cut], n, nil))
		}
		run(name+"bad trailer", rawBundle(t, chunks, n, make([]byte, 32)))
	}
}

// AllUnverified gives the records before their signatures are checked;
// verify then fails as All does.
func TestAllUnverifiedThenVerify(t *testing.T) {
	defer func(rb, ss int) { readBatch, sigShare = rb, ss }(readBatch, sigShare)
	readBatch, sigShare = 8, 3
	coop, recs := sample(t, 20)
	chunks := make([][]byte, len(recs))
	for i, r := range recs {
		chunks[i] = r.Bytes()
	}
	chunks[17] = bytes.Clone(chunks[17])
	chunks[17][len(chunks[17])-1] ^= 1
	r, err := NewReader(bytes.NewReader(rawBundle(t, chunks, len(chunks), nil)))
	if err != nil {
		t.Fatal(err)
	}
	got, verify, err := r.AllUnverified()
	if err != nil || len(got) != len(recs) || got[0].ID != recs[0].ID || got[0].Coop != coop {
		t.Fatalf("AllUnverified: %d records, %v", len(got), err)
	}
	if err := verify(); err == nil || !bytes.Contains([]byte(err.Error()), []byte("record 18 of 20")) {
		t.Fatalf("verify: %v, want the bad signature of record 18", err)
	}
}
