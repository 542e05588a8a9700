package coop

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"hash"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/gowebpki/jcs"

	"github.com/coopnode/coopnode/node/record"
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
	idType        = reflect.TypeFor[record.ID]()
	keyType       = reflect.TypeFor[record.PublicKey]()
)

func canonWrite(w *bufio.Writer, v reflect.Value) error {
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() == reflect.Interface { // nil, or a nil interface
		_, err := w.WriteString("null")
		return err
	}
	t := v.Type()
	if t == idType || t == keyType {
		// IDs and keys are most of a digest: their hex (what MarshalText
		// gives), without an allocation each.
		var b [32]byte
		reflect.Copy(reflect.ValueOf(b[:]), v)
		w.WriteByte('"')
		w.Write(hex.AppendEncode(w.AvailableBuffer(), b[:]))
		return w.WriteByte('"')
	}
	// A type that marshals itself (by value or, as encoding/json calls it
	// on an addressable value, by pointer) is a leaf.
	custom := t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)
	if custom {
		if v.Kind() != reflect.Pointer && t.Implements(textMarshaler) &&
			!t.Implements(jsonMarshaler) && !reflect.PointerTo(t).Implements(jsonMarshaler) {
			text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return err
			}
			if plainString(text) {
				return quoted(w, text)
			}
		}
		return canonLeaf(w, leaf(v))
	}
	switch v.Kind() {
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			break
		}
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
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			break
		}
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
	case reflect.Pointer:
		if v.IsNil() {
			_, err := w.WriteString("null")
			return err
		}
		return canonWrite(w, v.Elem())
	case reflect.Struct:
		if p := planOf(t); p != nil {
			return p.write(w, v)
		}
	case reflect.String:
		if s := v.String(); plainString([]byte(s)) {
			return quoted(w, []byte(s))
		}
	case reflect.Bool:
		_, err := w.WriteString(strconv.FormatBool(v.Bool()))
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n := v.Int(); n > -maxExact && n < maxExact {
			_, err := w.Write(strconv.AppendInt(w.AvailableBuffer(), n, 10))
			return err
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n := v.Uint(); n < maxExact {
			_, err := w.Write(strconv.AppendUint(w.AvailableBuffer(), n, 10))
			return err
		}
	}
	return canonLeaf(w, leaf(v))
}

// leaf is v for json.Marshal: by address where v has one, as encoding/json
// reaches it inside the whole document, so that methods on the pointer
// (MarshalJSON, MarshalText) are called as they would be there.
func leaf(v reflect.Value) any {
	if v.CanAddr() {
		return v.Addr().Interface()
	}
	return v.Interface()
}

// maxExact bounds the integers written as they are: JCS writes numbers as
// ECMAScript does, with exponents from 10^21 and rounded beyond 2^53.
const maxExact = 1_000_000_000_000_000 // 10^15

// plainString reports whether s, as a JSON string, is canonical with
// nothing escaped: printable ASCII without quotes or backslashes.
// (encoding/json escapes <, > and &; JCS writes them back as they are.)
func plainString(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

func quoted(w *bufio.Writer, s []byte) error {
	w.WriteByte('"')
	w.Write(s)
	return w.WriteByte('"')
}

// structPlan is how encoding/json writes a struct type, its fields in JCS
// order. Types whose encoding this does not mirror exactly (embedded
// fields, the ",string" option, invalid or duplicate names) have no plan
// and are written whole, through json.Marshal and jcs.
type structPlan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	key       []byte // "name":
	index     int
	omitEmpty bool
	omitZero  bool
}

var plans sync.Map // reflect.Type -> *structPlan (nil: none)

func planOf(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	p := makePlan(t)
	plans.Store(t, p)
	return p
}

func makePlan(t reflect.Type) *structPlan {
	p := &structPlan{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fp := fieldPlan{index: i}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				fp.omitEmpty = true
			case "omitzero":
				// encoding/json judges an interface field by its static
				// type (omitted only when nil): not mirrored here.
				if f.Type.Kind() == reflect.Interface {
					return nil
				}
				// encoding/json calls an IsZero method if the type has
				// one; by value only here.
				if m, ok := reflect.PointerTo(f.Type).MethodByName("IsZero"); ok {
					if _, byValue := f.Type.MethodByName("IsZero"); !byValue || m.Type.NumIn() != 1 ||
						m.Type.NumOut() != 1 || m.Type.Out(0).Kind() != reflect.Bool {
						return nil
					}
				}
				fp.omitZero = true
			default:
				return nil
			}
		}
		if name == "" {
			name = f.Name
		}
		for _, c := range name {
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return nil
			}
		}
		if seen[name] {
			return nil
		}
		seen[name] = true
		fp.key = []byte(strconv.Quote(name) + ":")
		p.fields = append(p.fields, fp)
	}
	// Names are ASCII here, so UTF-16 order is byte order.
	slices.SortFunc(p.fields, func(a, b fieldPlan) int { return bytes.Compare(a.key, b.key) })
	return p
}

func (p *structPlan) write(w *bufio.Writer, v reflect.Value) error {
	w.WriteByte('{')
	first := true
	for _, f := range p.fields {
		fv := v.Field(f.index)
		if f.omitEmpty && emptyValue(fv) || f.omitZero && zeroValue(fv) {
			continue
		}
		if !first {
			w.WriteByte(',')
		}
		first = false
		w.Write(f.key)
		if err := canonWrite(w, fv); err != nil {
			return err
		}
	}
	return w.WriteByte('}')
}

// emptyValue is encoding/json's omitempty test.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// zeroValue is encoding/json's omitzero test.
func zeroValue(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
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
