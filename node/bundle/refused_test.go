package bundle

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

// checksum is the trailer a writer writes after chunks.
func checksum(t *testing.T, chunks [][]byte, announced int) []byte {
	w, err := NewWriter(io.Discard, Header{Coop: record.ID{42}, Created: t0, Records: announced})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if err := w.chunk(c); err != nil {
			t.Fatal(err)
		}
	}
	return w.h.Sum(nil)
}

// A bundle whose checksum holds but which carries a record that does not
// verify was written so: the error names the record and why, and says what
// to do; one whose checksum fails was altered since. Every way of reading a
// bundle says the same.
func TestRecordRefusedOrAltered(t *testing.T) {
	defer func(rb, ss int) { readBatch, sigShare = rb, ss }(readBatch, sigShare)
	readBatch, sigShare = 8, 3
	_, recs := sample(t, 20)
	good := make([][]byte, len(recs))
	for i, r := range recs {
		good[i] = r.Bytes()
	}
	with := func(at int, b []byte) [][]byte {
		c := append([][]byte{}, good...)
		c[at] = b
		return c
	}
	badSig := bytes.Clone(good[17])
	badSig[len(badSig)-1] ^= 1
	flipped := bytes.Clone(good[5])
	flipped[len(flipped)/2] ^= 1 // in the payload: the signature no longer verifies
	malformed := good[2][:len(good[2])-3]

	for _, tc := range []struct {
		name   string
		b      []byte
		is     []error // errors.Is holds for each
		isNot  []error
		has    []string
		hasNot []string
	}{
		{"bad signature, checksum holds", rawBundle(t, with(17, badSig), 20, nil),
			[]error{ErrBadRecord, record.ErrBadSignature}, []error{ErrTampered},
			[]string{"record 18 of 20 (" + recs[17].ID.Short() + ", test.note)", "signature", "does not verify", "fresh export"}, []string{"altered"}},
		{"malformed, checksum holds", rawBundle(t, with(2, malformed), 20, nil),
			[]error{ErrBadRecord, record.ErrMalformed}, []error{ErrTampered},
			[]string{"record 3 of 20 (" + recs[2].ID.Short() + ", test.note)", "malformed record", "fresh export"}, []string{"altered"}},
		{"not a record, checksum holds", rawBundle(t, with(9, []byte("hello")), 20, nil),
			[]error{ErrBadRecord, record.ErrMalformed}, []error{ErrTampered},
			[]string{"record 10 of 20 (not readable as a record)", "fresh export"}, []string{"altered"}},
		{"bad signature in the last record, checksum holds", rawBundle(t, with(19, badSig), 20, nil),
			[]error{ErrBadRecord, record.ErrBadSignature}, []error{ErrTampered},
			[]string{"record 20 of 20 (" + recs[17].ID.Short() + ", test.note)", "fresh export"}, []string{"altered"}},
		{"flipped byte in a record, checksum fails", rawBundle(t, with(5, flipped), 20, checksum(t, good, 20)),
			[]error{ErrTampered}, []error{ErrBadRecord},
			[]string{"bundle was altered after it was written", "checksum"}, []string{"record 6", "fresh export"}},
		{"bad signature, then cut short", rawBundle(t, with(3, badSig)[:15], 20, nil),
			[]error{ErrTruncated}, []error{ErrBadRecord}, []string{"truncated"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: accepted", how)
				}
				for _, e := range tc.is {
					if !errors.Is(err, e) {
						t.Errorf("%s: %v, not %v", how, err, e)
					}
				}
				for _, e := range tc.isNot {
					if errors.Is(err, e) {
						t.Errorf("%s: %v is %v", how, err, e)
					}
				}
				for _, s := range tc.has {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("%s: %q does not say %q", how, err, s)
					}
				}
				for _, s := range tc.hasNot {
					if strings.Contains(err.Error(), s) {
						t.Errorf("%s: %q says %q", how, err, s)
					}
				}
			}
			_, _, err := ReadAll(bytes.NewReader(tc.b))
			check("ReadAll", err)
			want := err.Error()

			r, err := NewReader(bytes.NewReader(tc.b))
			if err != nil {
				t.Fatal(err)
			}
			for err == nil {
				_, err = r.Next()
			}
			check("Next", err)
			if _, again := r.Next(); again != err {
				t.Errorf("Next again: %v", again)
			}

			// As a reader that decodes the records itself does (node.Import).
			r, _ = NewReader(bytes.NewReader(tc.b))
			for n := 1; err == nil || err == io.EOF; n++ {
				var b []byte
				if b, err = r.NextRaw(); err == nil {
					if _, derr := record.Decode(b); derr != nil {
						err = r.Refused(n, b, derr)
					}
				} else if err == io.EOF {
					t.Fatal("NextRaw: io.EOF")
				}
			}
			check("NextRaw and Refused", err)
			if err.Error() != want {
				t.Errorf("NextRaw and Refused: %q\nReadAll:               %q", err, want)
			}

			// The same, every record read (and the trailer) before any is decoded.
			r, _ = NewReader(bytes.NewReader(tc.b))
			var raw [][]byte
			for err = nil; err == nil; {
				var b []byte
				if b, err = r.NextRaw(); err == nil {
					raw = append(raw, b)
				}
			}
			if err == io.EOF {
				for i, b := range raw {
					if _, derr := record.Decode(b); derr != nil {
						err = r.Refused(i+1, b, derr)
						break
					}
				}
			}
			check("NextRaw to the end, then Refused", err)
			if err.Error() != want {
				t.Errorf("NextRaw to the end, then Refused: %q\nReadAll: %q", err, want)
			}
		})
	}
}
