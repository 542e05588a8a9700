package coop

import (
	"bufio"
	"encoding"
	"encoding/json"
	"hash"
	"reflect"
	"slices"
	"unicode/utf16"

	"github.com/gowebpki/jcs"
)

// canonHash writes the canonical JSON (RFC 8785, JCS) of v to h, as
// jcs.Transform(json.Marshal(v)) would give it, but a piece at a time: maps
// with string keys and slices are written element by element, everything
// else (structs, IDs, numbers) as its own small canonical JSON. A large
// co-op's digest covers hundreds of thousands of IDs; built whole, then
// parsed and built again, their JSON took a second and hundreds of MB.
func canonHash(h hash.Hash, v any) error {
	w := bufio.NewWriterSize(h, 64<<10)
	if err := canonWrite(w, reflect.ValueOf(v)); err != nil {
		return err
	}
	return w.Flush()
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func canonWrite(w *bufio.Writer, v reflect.Value) error {
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	// A type that marshals itself (by value or, as encoding/json may call
	// it on an element of a slice, by pointer) is a leaf.
	custom := v.IsValid() && (v.Type().Implements(jsonMarshaler) || v.Type().Implements(textMarshaler) ||
		reflect.PointerTo(v.Type()).Implements(jsonMarshaler) || reflect.PointerTo(v.Type()).Implements(textMarshaler))
	switch {
	case !custom && v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		if v.IsNil() {
			_, err := w.WriteString("null")
			return err
		}
		keys := v.MapKeys()
		// JCS orders keys by their UTF-16 code units.
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return slices.Compare(utf16.Encode([]rune(a.String())), utf16.Encode([]rune(b.String())))
		})
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := canonLeaf(w, k.String()); err != nil { // encoding/json writes string keys as they are
				return err
			}
			w.WriteByte(':')
			if err := canonWrite(w, v.MapIndex(k)); err != nil {
				return err
			}
		}
		return w.WriteByte('}')
	case !custom && v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8:
		if v.IsNil() {
			_, err := w.WriteString("null")
			return err
		}
		w.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := canonWrite(w, v.Index(i)); err != nil {
				return err
			}
		}
		return w.WriteByte(']')
	case !v.IsValid():
		_, err := w.WriteString("null")
		return err
	default:
		return canonLeaf(w, v.Interface())
	}
}

// canonLeaf writes one value's canonical JSON. Most leaves are hex IDs and
// small integers, whose JSON is canonical already: those skip the parse.
func canonLeaf(w *bufio.Writer, x any) error {
	raw, err := json.Marshal(x)
	if err != nil {
		return err
	}
	if !canonical(raw) {
		if raw, err = jcs.Transform(raw); err != nil {
			return err
		}
	}
	_, err = w.Write(raw)
	return err
}

// canonical reports whether raw (from json.Marshal) is a string of
// printable ASCII with nothing escaped, or an integer: JSON that JCS
// leaves as it is.
func canonical(raw []byte) bool {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		for _, c := range raw[1 : len(raw)-1] {
			if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
				return false
			}
		}
		return true
	}
	if len(raw) == 0 || len(raw) > 15 { // beyond 2^53 JCS writes exponents
		return false
	}
	for i, c := range raw {
		if (c < '0' || c > '9') && !(i == 0 && c == '-' && len(raw) > 1) {
			return false
		}
	}
	return (raw[0] != '0' || len(raw) == 1) && (len(raw) < 2 || raw[0] != '-' || raw[1] != '0')
}
