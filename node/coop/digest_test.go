package coop

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/coopnode/coopnode/node/record"
)

// wantCanon is the canonical JSON the plain way.
func wantCanon(t testing.TB, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type tallyMethod string

// Marshalers and IsZero on the pointer: encoding/json calls them on
// addressable values (elements of slices, fields reached through them).
type ptrText struct{ A int }

func (p *ptrText) MarshalText() ([]byte, error) { return []byte("ptr-text"), nil }

type ptrZero struct{ A int }

func (p *ptrZero) IsZero() bool { return p == nil || p.A == 7 }

type canonBuf struct {
	bytes.Buffer
}

func (b *canonBuf) Sum(p []byte) []byte { return append(p, b.Bytes()...) }
func (b *canonBuf) BlockSize() int      { return 1 }
func (b *canonBuf) Size() int           { return 0 }

func gotCanon(t testing.TB, v any) []byte {
	var b canonBuf
	if err := canonHash(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCanonHash(t *testing.T) {
	type member struct {
		Name  string      `json:"name"`
		Roles []string    `json:"roles"`
		Note  string      `json:"note,omitempty"`
		ID    record.ID   `json:"id"`
		Keys  []record.ID `json:"keys"`
	}
	type inner struct {
		B  int `json:"b"`
		AB int `json:"ab"`
		A  int `json:"a"`
	}
	type embedded struct {
		inner
		Z string
	}
	type options struct {
		Skip     string    `json:"-"`
		Dash     string    `json:"-,"`
		Empty    string    `json:",omitempty"`
		Zero     record.ID `json:"zero,omitzero"`
		Set      record.ID `json:"set,omitzero"`
		Ptr      *inner    `json:"ptr"`
		NilPtr   *inner    `json:"nilPtr"`
		OmitPtr  *inner    `json:"omitPtr,omitempty"`
		private  int
		Big      int64   `json:"big"`
		Huge     uint64  `json:"huge"`
		Small    int8    `json:"small"`
		Float    float64 `json:"float"`
		Any      any     `json:"any"`
		NilAny   any     `json:"nilAny"`
		Arr      [2]int  `json:"arr"`
		Bytes    []byte  `json:"bytes"`
		Method   tallyMethod
		LowFirst string `json:"_x"`
	}
	type quoted struct {
		Quoted int `json:"quoted,string"`
		Z      int `json:"z"`
	}
	type weird struct {
		Weird string `json:"we\\rd"`
		A     int    `json:"a"`
	}
	type plain struct {
		Ptr    *inner      `json:"ptr"`
		NilPtr *inner      `json:"nilPtr,omitempty"`
		Zero   record.ID   `json:"zero,omitzero"`
		Set    record.ID   `json:"set,omitzero"`
		Empty  []record.ID `json:"empty,omitempty"`
		M      map[string]inner
		Nested []inner `json:"nested"`
		N      int64   `json:"n"`
		U      uint32  `json:"u"`
		B      bool    `json:"b"`
		S      tallyMethod
	}
	type withAnyZero struct {
		X any `json:"x,omitzero"`
		Y int `json:"y"`
	}
	type withPtrText struct {
		T ptrText `json:"t"`
	}
	type withIfaceTM struct {
		M encoding.TextMarshaler `json:"m"`
	}
	id := record.ID{1, 2, 3}
	full := options{Skip: "x", Dash: "d", Set: id, Ptr: &inner{1, 2, 3}, private: 1, Big: 1 << 60, Huge: 1<<64 - 1,
		Small: -8, Float: 0.1, Any: inner{}, Arr: [2]int{1, 2}, Bytes: []byte{1}, Method: "ranked", LowFirst: "_"}
	cases := []struct {
		name string
		v    any
	}{
		{"escaped by encoding/json, not by JCS", map[string]any{"s": "Ana & Bea <co-op> \u2028\u2029"}},
		{"controls and quotes", []string{"tab\there", "nl\n", "q\"uote", "back\\slash", "\x00\x1f\x7f"}},
		{"not ASCII", []any{"Zoë", "日本", "😀", "\ufffd"}},
		// Sorted by UTF-16 code units: U+1F600 (a surrogate pair, 0xD83D...)
		// comes before U+FFFD, though its UTF-8 sorts after.
		{"keys in UTF-16 order", map[string]any{"\ufffd": 1, "😀": 2, "a": 3, "B": 4, "": 5, "é": 6}},
		{"numbers", []any{0, -1, 7, 1 << 52, 1<<53 + 1, -(1 << 60), 1.5, 1e21, 100.0, -0.0, uint64(1) << 63}},
		{"nil and empty", map[string]any{"nil slice": []string(nil), "empty": []string{}, "nil map": map[string]any(nil), "nil": nil, "bytes": []byte("hi")}},
		{"structs and IDs", map[string]any{"members": []member{{Name: "Ana <&>", ID: id, Keys: []record.ID{id}}, {Name: "Bo", Roles: []string{}, Note: "x"}}, "id": id, "ids": []record.ID{id, {}}}},
		{"struct fields in JCS order", []inner{{1, 2, 3}}},
		{"embedded struct", embedded{inner{1, 2, 3}, "z"}},
		{"the string option", quoted{7, 8}},
		{"a name encoding/json ignores", weird{"w", 1}},
		{"every option", []any{full, &full, options{}}},
		{"plain struct, all kinds", []plain{{Ptr: &inner{}, Set: id, M: map[string]inner{"é": {}, "a": {A: 1}}, Nested: []inner{{B: -1}},
			N: -(maxExact - 1), U: 1<<32 - 1, B: true, S: "a<b"}, {N: maxExact, M: map[string]inner{}}}},
		{"omitzero on an interface field", []withAnyZero{{X: record.ID{}}, {X: (*ptrZero)(nil)}, {X: nil}, {X: &ptrZero{7}}}},
		{"pointer-receiver marshaler, addressable", []any{[]ptrText{{1}}, []withPtrText{{ptrText{1}}}, map[string]any{"v": ptrText{2}}}},
		{"nil interface of a marshaler type", []withIfaceTM{{}, {M: record.ID{9}}}},
		{"IDs and keys", []any{record.ID{}, record.PublicKey{255}, []record.PublicKey{{1}}, map[string]record.ID{"a": {2}}}},
		{"nested", map[string]any{"z": map[string]any{"b": []any{map[string]any{"y": 1, "x": []int{}}}, "a": true}, "a": false}},
	}
	for _, c := range cases {
		if got, want := gotCanon(t, c.v), wantCanon(t, c.v); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, want)
		}
	}
}

// FuzzCanonHash: any strings and numbers, as keys, values and list
// elements, give what the whole-document canonicalisation gives.
func FuzzCanonHash(f *testing.F) {
	f.Add("Ana & Bea", "😀", int64(5), 1.5)
	f.Add("\u2028", "\ufffd", int64(-1<<62), 1e300)
	f.Fuzz(func(t *testing.T, a, b string, n int64, x float64) {
		v := map[string]any{a: []any{b, n, map[string]any{b: a}}, b: x, "k": []string{a, b}}
		if _, err := json.Marshal(v); err != nil || !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // NaN, Inf: not JSON; invalid UTF-8 becomes U+FFFD, and keys collide
		}
		if got, want := sha256.Sum256(gotCanon(t, v)), sha256.Sum256(wantCanon(t, v)); got != want {
			t.Fatalf("%q %q %d %v:\n got %s\nwant %s", a, b, n, x, gotCanon(t, v), wantCanon(t, v))
		}
	})
}
