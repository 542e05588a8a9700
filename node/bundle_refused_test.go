package node

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

// handBundle builds a bundle of co-op coop by hand, record by record, its
// trailer the checksum over sumOf's records (the ones written, if nil):
// what a writer that checks nothing writes, or one altered after it.
func handBundle(t *testing.T, coop record.ID, recs, sumOf [][]byte) []byte {
	t.Helper()
	if sumOf == nil {
		sumOf = recs
	}
	hj, err := json.Marshal(bundle.Header{Coop: coop, Created: testOpts.now().UTC(), Records: len(recs)})
	if err != nil {
		t.Fatal(err)
	}
	stream := func(chunks [][]byte) []byte {
		var b []byte
		for _, c := range append([][]byte{hj}, chunks...) {
			b = binary.AppendUvarint(b, uint64(len(c)))
			b = append(b, c...)
		}
		return b
	}
	plain := stream(recs)
	sum := sha256.Sum256(stream(sumOf))
	var out bytes.Buffer
	out.WriteString("coopnode bundle v1\n")
	zw, _ := zstd.NewWriter(&out, zstd.WithEncoderCRC(true))
	_, _ = zw.Write(plain)
	_, _ = zw.Write(sum[:])
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// An intact bundle written with a record that does not verify names the
// record and why, and says what to do; one altered after it was written
// says so. Neither stores anything. (issue 16, item 8)
func TestImportSaysWhatHappened(t *testing.T) {
	smallBatches(t, 2)
	n, _ := Open(initHome(t), pass, testOpts)
	defer n.Close()
	held := recordsOf(t, n)
	recs := append(slices.Clone(held), admissions(t, n, 5)...)
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		raw[i] = r.Bytes()
	}
	with := func(at int, b []byte) [][]byte {
		c := slices.Clone(raw)
		c[at] = b
		return c
	}
	// Record 5's signature broken by its writer, the checksum over it right:
	// the batches before it check out.
	badSig := bytes.Clone(raw[4])
	badSig[len(badSig)-10] ^= 1
	// Record 5 with one byte flipped after the bundle was written.
	flipped := bytes.Clone(raw[4])
	flipped[len(flipped)/2] ^= 1
	// Record 3 cut short by its writer.
	cut := raw[2][:len(raw[2])-7]
	short, typ := recs[4].ID.Short(), recs[4].Type
	// The last record's signature broken: found once the trailer was read.
	lastBad := bytes.Clone(raw[6])
	lastBad[len(lastBad)-1] ^= 1

	before := n.State().Digest()
	for _, tc := range []struct {
		name   string
		b      []byte
		is     error
		isNot  error
		has    []string
		hasNot []string
	}{
		{"bad signature, checksum holds", handBundle(t, n.CoopID(), with(4, badSig), nil), bundle.ErrBadRecord, bundle.ErrTampered,
			[]string{"record 5 of 7 (" + short + ", " + typ + ")", "bad record signature", "does not verify", "ask whoever made it for a fresh export", "nothing was imported"},
			[]string{"altered"}},
		{"malformed, checksum holds", handBundle(t, n.CoopID(), with(2, cut), nil), bundle.ErrBadRecord, bundle.ErrTampered,
			[]string{"record 3 of 7 (" + recs[2].ID.Short() + ", " + recs[2].Type + ")", "malformed record", "fresh export", "nothing was imported"},
			[]string{"altered"}},
		{"bad signature in the last record, checksum holds", handBundle(t, n.CoopID(), with(6, lastBad), nil), bundle.ErrBadRecord, bundle.ErrTampered,
			[]string{"record 7 of 7 (" + recs[6].ID.Short() + ", " + recs[6].Type + ")", "bad record signature", "fresh export", "nothing was imported"},
			[]string{"altered"}},
		{"flipped byte, checksum fails", handBundle(t, n.CoopID(), with(4, flipped), raw), bundle.ErrTampered, bundle.ErrBadRecord,
			[]string{"bundle was altered after it was written", "checksum", "nothing was imported"},
			[]string{"record 5", short, "fresh export"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if !errors.Is(err, tc.is) || errors.Is(err, tc.isNot) {
					t.Fatalf("%s: %v: want %v, not %v", how, err, tc.is, tc.isNot)
				}
				if tc.is == bundle.ErrBadRecord && !errors.Is(err, record.ErrBadSignature) && !errors.Is(err, record.ErrMalformed) {
					t.Errorf("%s: %v does not carry the record's error", how, err)
				}
				for _, s := range tc.has {
					if how == "BundleIDs" && s == "nothing was imported" {
						continue
					}
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
			rep, err := n.Import(bytes.NewReader(tc.b))
			check("Import", err)
			if rep.Added != 0 || len(recordsOf(t, n)) != len(held) || n.State().Digest() != before {
				t.Fatalf("the import changed the node: %+v", rep)
			}
			_, _, err = BundleIDs(bytes.NewReader(tc.b), 0, nil)
			check("BundleIDs", err)
		})
	}
	// The same records, well written, import.
	if rep, err := n.Import(bytes.NewReader(handBundle(t, n.CoopID(), raw, nil))); err != nil || rep.Added != 5 {
		t.Fatalf("the good bundle: %+v %v", rep, err)
	}
}
