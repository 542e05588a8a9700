package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// headerSeeds are payloads on both sides of the fast path's edges.
func headerSeeds(t testing.TB) [][]byte {
	id := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	author := newSigner(1).PublicKey().String()
	head := `{"author":"` + author + `","body":`
	tail := `,"coop":"` + id + `","prev":["` + id + `"],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`
	var out [][]byte
	for _, body := range []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `7`, `-7`, `123456789012345`, `1234567890123456`, `-0`, `1.5`, `1e2`, `1E2`, `01`,
		`{"a":1,"b":[1,2,{"c":null}],"d":"x y~\u007f"}`, `{"b":1,"a":2}`, `{"a":1,"a":1}`, `{"":1,"a":2}`, `{"":1,"":2}`,
		`"plain"`, `"tab\t"`, `"quote\""`, `"slash\/"`, `"\u0041"`, `"\u001f"`, `"héllo"`, `"\u2028"`, "\"raw\x01\"",
		`[1,]`, `[,1]`, `{"a":}`, `{"a"1}`, `truex`, `nul`, `[1 ,2]`, `{"a" :1}`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		out = append(out, []byte(head+body+tail))
	}
	for _, p := range []string{
		head + `{}` + tail + ` `,
		head + `{}` + tail + `x`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,                          // no coop: a genesis
		head + `{}` + `,"prev":null,"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,                        // prev null
		head + `{}` + `,"prev":["` + id + `","` + id + `"],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`, // duplicate prev
		head + `{}` + `,"prev":[1],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		head + `{}` + `,"prev":["` + id[:62] + `"],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		head + `{}` + `,"prev":["` + id[:63] + `A"],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"","v":1}`,
		head + `{}` + `,"prev":[],"time":"yesterday","type":"test.note","v":1}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":0}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1234567890}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":"1"}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":7,"v":1}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1,"x":1}`,
		head + `{}` + `,"prev":[],"time":"2026-11-21T09:30:00.000Z","v":1}`,
		head + `{}` + `,"coop":"nope","prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		head + `{}` + `,"coop":"","prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		`{"author":"` + author[:63] + `G","body":{},"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		`{"author":null,"body":{},"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		`{"Author":"` + author + `","body":{},"prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		`{"body":{},"author":"` + author + `","prev":[],"time":"2026-11-21T09:30:00.000Z","type":"test.note","v":1}`,
		`[]`, `{}`, ``, `{`, `"x"`,
	} {
		out = append(out, []byte(p))
	}
	out = append(out, sample(t).Payload)
	return out
}

// The fast path, where it answers, answers as the slow path does.
func checkFastHeader(t *testing.T, payload []byte) bool {
	w, ok := fastHeader(payload)
	if !ok {
		return false
	}
	h1, err1 := headerOf(w)
	h2, err2 := parseHeaderSlow(payload)
	if fmt.Sprint(err1) != fmt.Sprint(err2) || !reflect.DeepEqual(h1, h2) {
		t.Fatalf("payload %q:\nfast %+v, %v\nslow %+v, %v", payload, h1, err1, h2, err2)
	}
	return true
}

func TestFastHeader(t *testing.T) {
	fast := 0
	for _, p := range headerSeeds(t) {
		if checkFastHeader(t, p) {
			fast++
		}
	}
	// The plain payloads above must take the fast path, or it tests nothing.
	if fast < 17 {
		t.Fatalf("only %d seed payloads took the fast path", fast)
	}
	// A record as the domain writes it is plain.
	r, err := New(newSigner(1), "test.note", 1, ID{1}, t0, []ID{{2}, {3}}, map[string]any{"title": "Buy a scanner", "n": 3, "roles": []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if !checkFastHeader(t, r.Payload) {
		t.Fatal("an ordinary payload took the slow path")
	}
}

func FuzzFastHeader(f *testing.F) {
	for _, p := range headerSeeds(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) { checkFastHeader(t, p) })
}

// decodeByReencoding is Decode as it was: verify a copy of the payload,
// then re-encode the record to find non-minimal framing.
func decodeByReencoding(b []byte) (*Record, error) {
	payload, sigs, _, err := frame(b)
	if err != nil {
		return nil, err
	}
	for i := range sigs {
		sigs[i].Sig = bytes.Clone(sigs[i].Sig)
	}
	r, err := verify(bytes.Clone(payload), sigs)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(r.Bytes(), b) {
		return nil, fmt.Errorf("%w: binary framing (non-minimal length)", ErrNonCanonical)
	}
	return r, nil
}

func checkDecodeAsBefore(t *testing.T, b []byte) {
	r1, err1 := Decode(b)
	r2, err2 := decodeByReencoding(b)
	if fmt.Sprint(err1) != fmt.Sprint(err2) {
		t.Fatalf("Decode: %v; by re-encoding: %v", err1, err2)
	}
	if err1 == nil && (r1.ID != r2.ID || !bytes.Equal(r1.Bytes(), r2.Bytes()) || !reflect.DeepEqual(r1.Header, r2.Header)) {
		t.Fatal("Decode and decoding by re-encoding give different records")
	}
}

// Decode in two steps gives what Decode gave, in the same order of checks:
// non-minimal framing is reported only if the signatures verify.
func TestDecodeAsBefore(t *testing.T) {
	r := sample(t)
	good := r.Bytes()
	overlong := append(append([]byte{}, magic...), 0x80|byte(len(PayloadType)), 0x00)
	overlong = append(overlong, good[len(magic)+1:]...)
	badSig := bytes.Clone(overlong)
	badSig[len(badSig)-1] ^= 1
	u := DecodeUnverified(badSig)
	if u.Err() != nil || u.Record() == nil {
		t.Fatalf("the framing was judged before the signatures: %v", u.Err())
	}
	if _, err := u.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify: %v, want a bad signature", err)
	}
	if _, err := Decode(overlong); !errors.Is(err, ErrNonCanonical) {
		t.Fatalf("Decode of non-minimal framing: %v", err)
	}
	checkDecodeAsBefore(t, badSig)
	for _, tc := range decodeCases(t) {
		checkDecodeAsBefore(t, tc.b)
	}
}

func FuzzDecodeAsBefore(f *testing.F) {
	for _, tc := range decodeCases(&testing.T{}) {
		f.Add(tc.b)
	}
	f.Fuzz(checkDecodeAsBefore)
}

func TestCompareIDs(t *testing.T) {
	ids := []ID{{}, {1}, {0, 1}, {31: 1}, {7: 1}, {8: 1}, {7: 0xff}, {0xff}, {0xff, 0xff}}
	for i := range 200 {
		var id ID
		for j := range id {
			id[j] = byte((i*31 + j*j*7) % 5) // few values: long equal prefixes
		}
		ids = append(ids, id)
	}
	for _, a := range ids {
		for _, b := range ids {
			if got, want := CompareIDs(a, b), bytes.Compare(a[:], b[:]); got != want || a.Less(b) != (want < 0) {
				t.Fatalf("CompareIDs(%x, %x) = %d, Less %v; want %d", a, b, got, a.Less(b), want)
			}
		}
	}
}

// special finds each byte str must stop at, wherever it is among eight.
func TestSpecial(t *testing.T) {
	for c := range 256 {
		want := c == '"' || c == '\\' || c < 0x20 || c >= 0x80
		for p := range 8 {
			for _, fill := range []byte{' ', 'a', '~', 0x7f, '!', '#', '[', ']'} {
				w := bytes.Repeat([]byte{fill}, 8)
				w[p] = byte(c)
				if got := special(binary.LittleEndian.Uint64(w)); got != want {
					t.Fatalf("special(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}
