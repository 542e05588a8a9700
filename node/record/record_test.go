package record

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

type seedSigner struct{ k ed25519.PrivateKey }

func newSigner(seed byte) seedSigner {
	return seedSigner{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))}
}
func (s seedSigner) PublicKey() (p PublicKey)      { copy(p[:], s.k.Public().(ed25519.PublicKey)); return }
func (s seedSigner) Sign(m []byte) ([]byte, error) { return ed25519.Sign(s.k, m), nil }

var t0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func sample(t testing.TB) *Record {
	t.Helper()
	coop, _ := ParseID("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	r, err := New(newSigner(1), "test.note", 1, coop, t0, []ID{{9}, {3}, {3}},
		map[string]any{"text": "héllo <world> & \u2028", "amount": "12.50", "quorum": map[string]int{"num": 1, "den": 2}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	r := sample(t)
	if len(r.Prev) != 2 || r.Prev[0] != (ID{3}) {
		t.Fatalf("prev not sorted and deduplicated: %v", r.Prev)
	}
	b := r.Bytes()
	r2, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID != r.ID || !bytes.Equal(r2.Bytes(), b) || !r2.Time.Equal(t0) || r2.Coop != r.Coop {
		t.Fatal("binary round trip changed the record")
	}
	d, err := r.DSSE()
	if err != nil {
		t.Fatal(err)
	}
	r3, err := DecodeDSSE(d)
	if err != nil {
		t.Fatal(err)
	}
	if r3.ID != r.ID || !bytes.Equal(r3.Sigs[0].Sig, r.Sigs[0].Sig) || !bytes.Equal(r3.Bytes(), b) {
		t.Fatal("DSSE and binary forms must carry the same record and signature")
	}
	if _, err := DecodeWithID(b, ID{1}); !errors.Is(err, ErrIDMismatch) {
		t.Fatalf("DecodeWithID(wrong id) = %v", err)
	}
}

func TestCoSignKeepsID(t *testing.T) {
	r := sample(t)
	r2, err := r.CoSign(newSigner(2))
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID != r.ID || len(r2.Sigs) != 2 {
		t.Fatal("co-signing must keep the ID and add a signature")
	}
	if _, err := Decode(r2.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// mutate returns the binary form of r with its payload replaced and (optionally) re-signed.
func withPayload(t *testing.T, payload []byte, resign bool) []byte {
	r := sample(t)
	r.Payload = payload
	if resign {
		r.Sigs[0].Sig, _ = newSigner(1).Sign(PAE(PayloadType, payload))
	}
	return r.Bytes()
}

func decodeCases(t *testing.T) []struct {
	name string
	b    []byte
	want error
} {
	r := sample(t)
	good := r.Bytes()
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x01; return b }
	// A byte inside the body, where a change keeps the JSON canonical: only Ed25519 can catch it.
	amountAt := bytes.Index(good, []byte(`"12.50"`)) + 1
	spaced := bytes.Replace(r.Payload, []byte(`,"body"`), []byte(`, "body"`), 1)
	duplicate := bytes.Replace(r.Payload, []byte(`,"body":`), []byte(`,"v":1,"body":`), 1)
	authorField := []byte(`"author":"` + r.Author.String() + `",`)
	misordered := append(bytes.Replace(r.Payload[:len(r.Payload)-1], authorField, nil, 1), []byte(`,`+string(authorField[:len(authorField)-1])+`}`)...)
	forged := r.Bytes()
	copy(forged[len(forged)-96:], newSigner(7).PublicKey().String()) // wrong key bytes at the signature's key
	wrongAuthor := sample(t)
	wrongAuthor.Sigs[0] = Signature{Key: newSigner(2).PublicKey()}
	wrongAuthor.Sigs[0].Sig, _ = newSigner(2).Sign(PAE(PayloadType, r.Payload))
	unsigned := sample(t)
	unsigned.Sigs = nil
	overlong := append(append([]byte{}, magic...), 0x80|byte(len(PayloadType)), 0x00) // non-minimal varint
	overlong = append(overlong, good[len(magic)+1:]...)
	return []struct {
		name string
		b    []byte
		want error
	}{
		{"valid", good, nil},
		{"empty", nil, ErrMalformed},
		{"bad magic", flip(0), ErrMalformed},
		{"truncated", good[:len(good)-10], ErrMalformed},
		{"trailing bytes", append(bytes.Clone(good), 0), ErrMalformed},
		{"non-minimal varint", overlong, ErrNonCanonical},
		{"tampered payload", flip(amountAt), ErrBadSignature},
		{"tampered signature", flip(len(good) - 1), ErrBadSignature},
		{"forged key", forged, ErrBadSignature},
		{"signed by someone other than the author", wrongAuthor.Bytes(), ErrBadSignature},
		{"unsigned", unsigned.Bytes(), ErrBadSignature},
		{"non-canonical whitespace", withPayload(t, spaced, true), ErrNonCanonical},
		{"misordered keys", withPayload(t, misordered, true), ErrNonCanonical},
		{"duplicate key", withPayload(t, duplicate, true), ErrMalformed},
		{"payload not JSON", withPayload(t, []byte("{nope"), true), ErrMalformed},
		{"no type", withPayload(t, bytes.Replace(r.Payload, []byte(`"type":"test.note",`), nil, 1), true), ErrMalformed},
		{"version as string", withPayload(t, bytes.Replace(r.Payload, []byte(`"v":1`), []byte(`"v":"1"`), 1), true), ErrMalformed},
		{"key in other case", withPayload(t, bytes.Replace(r.Payload, []byte(`"type":`), []byte(`"Type":`), 1), true), ErrNonCanonical},
		{"unknown header field", withPayload(t, bytes.Replace(r.Payload, []byte(`"v":1`), []byte(`"v":1,"x":1`), 1), true), ErrMalformed},
		{"co-signatures out of order", cosigned(t, true), ErrNonCanonical},
		{"co-signatures in order", cosigned(t, false), nil},
		{"small-order author key", weakAuthor(t), ErrBadSignature},
	}
}

// cosigned returns a record with two co-signatures, in or out of key order.
func cosigned(t *testing.T, swap bool) []byte {
	r, err := sample(t).CoSign(newSigner(2))
	if err == nil {
		r, err = r.CoSign(newSigner(3))
	}
	if err != nil {
		t.Fatal(err)
	}
	if swap {
		r.Sigs[1], r.Sigs[2] = r.Sigs[2], r.Sigs[1]
	}
	return r.Bytes()
}

// weakAuthor is a record "signed" by the identity point: R = identity, S = 0
// verifies for many messages under a small-order key, so such keys are refused.
func weakAuthor(t *testing.T) []byte {
	var weak PublicKey
	weak[0] = 1 // the identity point's encoding
	r := sample(t)
	h := r.Header
	h.Author = weak
	payload, err := h.marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	sig[0] = 1
	r.Payload, r.Sigs = payload, []Signature{{Key: weak, Sig: sig}}
	return r.Bytes()
}

func TestVerifiedIgnoresParsedFields(t *testing.T) {
	r := sample(t)
	c := *r
	c.Type, c.Author = "evil.type", newSigner(9).PublicKey()
	v, err := c.Verified()
	if err != nil || v.Type != "test.note" || v.Author != r.Author {
		t.Fatalf("Verified kept a caller's changed header: %v %v", v, err)
	}
	c.ID = ID{1}
	if _, err := c.Verified(); !errors.Is(err, ErrIDMismatch) {
		t.Fatal(err)
	}
}

func TestDSSETrailingData(t *testing.T) {
	d, _ := sample(t).DSSE()
	if _, err := DecodeDSSE(append(d, []byte(`{"x":1}`)...)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("trailing data: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range decodeCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.b)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Decode: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDSSEErrors(t *testing.T) {
	d, _ := sample(t).DSSE()
	var e Envelope
	_ = json.Unmarshal(d, &e)
	mod := func(f func(*Envelope)) []byte {
		c := e
		c.Signatures = append([]EnvelopeSign(nil), e.Signatures...)
		f(&c)
		b, _ := json.Marshal(c)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"not json", []byte("x"), ErrMalformed},
		{"other payload type", mod(func(e *Envelope) { e.PayloadType = "application/json" }), ErrMalformed},
		{"payload swapped", mod(func(e *Envelope) { e.Payload = "e30=" }), ErrMalformed},
		{"sig not base64", mod(func(e *Envelope) { e.Signatures[0].Sig = "!!" }), ErrBadSignature},
		{"no signatures", mod(func(e *Envelope) { e.Signatures = nil }), ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeDSSE(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("DecodeDSSE: %v, want %v", err, tc.want)
			}
		})
	}
}

// vector is one golden test vector; testdata/vectors.json is the published set.
type vector struct {
	Name   string `json:"name"`
	Binary string `json:"binary"` // hex
	Error  string `json:"error,omitempty"`
	ID     string `json:"id,omitempty"`
	DSSE   string `json:"dsse,omitempty"` // the valid record's DSSE export
}

var sentinels = map[string]error{"malformed": ErrMalformed, "non-canonical": ErrNonCanonical, "bad-signature": ErrBadSignature}

func nameOf(err error) string {
	for n, s := range sentinels {
		if errors.Is(err, s) {
			return n
		}
	}
	return ""
}

func TestGoldenVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *update {
		var vs []vector
		for _, tc := range decodeCases(t) {
			v := vector{Name: tc.name, Binary: hex.EncodeToString(tc.b), Error: nameOf(tc.want)}
			if tc.want == nil {
				r, _ := Decode(tc.b)
				v.ID = r.ID.String()
				d, _ := r.DSSE()
				v.DSSE = string(d)
			}
			vs = append(vs, v)
		}
		b, _ := json.MarshalIndent(vs, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			bin, _ := hex.DecodeString(v.Binary)
			r, err := Decode(bin)
			if got := nameOf(err); got != v.Error || (v.Error == "") != (err == nil) {
				t.Fatalf("Decode: %v (%q), want %q", err, got, v.Error)
			}
			if err != nil {
				return
			}
			if r.ID.String() != v.ID {
				t.Fatalf("ID %s, want %s", r.ID, v.ID)
			}
			d, _ := r.DSSE()
			if string(d) != v.DSSE {
				t.Fatal("DSSE export differs from the golden one")
			}
			if !bytes.Equal(r.Bytes(), bin) {
				t.Fatal("decode then encode is not byte-identical")
			}
		})
	}
}

func TestParseIDs(t *testing.T) {
	id := sample(t).ID
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{id.String(), true},
		{"ABCD" + id.String()[4:], false}, // upper case: one text form only
		{id.String()[1:], false},
		{id.String() + "0", false},
		{"zz" + id.String()[2:], false},
	} {
		got, err := ParseID(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != id) {
			t.Errorf("ParseID(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases(&testing.T{}) {
		f.Add(tc.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			if nameOf(err) == "" {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if !bytes.Equal(r.Bytes(), b) {
			t.Fatal("decode then encode is not byte-identical")
		}
		d, _ := r.DSSE()
		r2, err := DecodeDSSE(d)
		if err != nil || r2.ID != r.ID {
			t.Fatalf("DSSE round trip: %v", err)
		}
	})
}

func FuzzDecodeDSSE(f *testing.F) {
	d, _ := sample(&testing.T{}).DSSE()
	f.Add(d)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeDSSE(b)
		if err != nil {
			if nameOf(err) == "" {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if _, err := Decode(r.Bytes()); err != nil {
			t.Fatalf("a verified DSSE record must re-decode from binary: %v", err)
		}
	})
}

// DecodeStored reads back what Decode accepted, and refuses damage to the
// signed bytes or the signatures, and bytes stored under another ID.
func TestDecodeStored(t *testing.T) {
	r := sample(t)
	good := r.Bytes()
	if got, err := DecodeStored(good, r.ID); err != nil || got.ID != r.ID || got.Type != r.Type || !bytes.Equal(got.Payload, r.Payload) {
		t.Fatalf("DecodeStored of a good record: %v %+v", err, got)
	}
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	for _, tc := range []struct {
		name string
		b    []byte
		id   ID
		want error
	}{
		{"signature bit", flip(len(good) - 10), r.ID, ErrBadSignature},
		{"payload bit", flip(len(good) / 2), r.ID, ErrIDMismatch},
		{"other ID", good, ID{1}, ErrIDMismatch},
		{"truncated", good[:len(good)-3], r.ID, ErrMalformed},
	} {
		if _, err := DecodeStored(tc.b, tc.id); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		// ReadStored checks all but the signatures.
		_, err := ReadStored(tc.b, tc.id)
		if tc.want == ErrBadSignature {
			if err != nil {
				t.Errorf("ReadStored, %s: %v, want no error (it leaves signatures to the node's sweep)", tc.name, err)
			}
		} else if !errors.Is(err, tc.want) {
			t.Errorf("ReadStored, %s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// Identify names bytes that fail to decode by the ID and type their
// payload would have, as long as the payload is framed.
func TestIdentify(t *testing.T) {
	r := sample(t)
	b := r.Bytes()
	badSig := bytes.Clone(b)
	badSig[len(badSig)-1] ^= 1
	for name, tc := range map[string]struct {
		b   []byte
		ok  bool
		typ string
	}{
		"good":           {b, true, "test.note"},
		"bad signature":  {badSig, true, "test.note"},
		"signatures cut": {b[:len(b)-3], true, "test.note"},
		"payload cut":    {b[:40], false, ""},
		"bad magic":      {append([]byte("XNR\x01"), b[4:]...), false, ""},
		"nothing":        {nil, false, ""},
		"odd type":       {typed(t, "a type\nwith a break"), true, ""},
	} {
		id, typ, ok := Identify(tc.b)
		if ok != tc.ok || typ != tc.typ || ok && tc.typ != "" && id != r.ID {
			t.Errorf("%s: %s %q %v", name, id.Short(), typ, ok)
		}
	}
}

// typed is a record of type typ, signed.
func typed(t *testing.T, typ string) []byte {
	r, err := New(newSigner(1), typ, 1, ID{1}, t0, nil, map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Bytes()
}
