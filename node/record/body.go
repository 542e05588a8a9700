package record

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A fast path for DecodeBody, as canon.go is for the header: encoding/json
// costs as much again as the rest of a fold. decodePlain reads a body in
// the plain subset of canonical JSON (see fastHeader) into a zero struct
// whose fields are of plain kinds (strings, integers, booleans, text
// unmarshalers such as IDs and keys, slices, pointers and structs of
// these), as encoding/json with DisallowUnknownFields would. For anything
// else (escapes, fractions, a key that is not exactly a field's name, a
// value of another kind, a type with its own UnmarshalJSON) it declines,
// and DecodeBody takes encoding/json's path on a fresh value, so the two
// never disagree (FuzzDecodeBody checks it).

// plainType is how decodePlain fills one type; nil if it cannot.
type plainType struct {
	kind   reflect.Kind
	text   bool       // a text unmarshaler (through its pointer)
	elem   *plainType // slices and pointers
	fields []plainField
}

type plainField struct {
	name  string
	index int
	typ   *plainType
}

var (
	plainTypes          sync.Map // reflect.Type -> *plainType (nil: not plain)
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

func plainTypeOf(t reflect.Type) *plainType {
	if p, ok := plainTypes.Load(t); ok {
		return p.(*plainType)
	}
	p := buildPlainType(t, map[reflect.Type]bool{})
	plainTypes.Store(t, p)
	return p
}

// buildPlainType describes t, or returns nil if decodePlain cannot fill it
// exactly as encoding/json would. visiting stops recursive types.
func buildPlainType(t reflect.Type, visiting map[reflect.Type]bool) *plainType {
	if visiting[t] {
		return nil
	}
	visiting[t] = true
	defer delete(visiting, t)
	if t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType) || t.Implements(textUnmarshalerType) {
		return nil
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return &plainType{kind: t.Kind(), text: true}
	}
	switch k := t.Kind(); k {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &plainType{kind: k}
	case reflect.Slice, reflect.Pointer:
		if k == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return nil // base64
		}
		e := buildPlainType(t.Elem(), visiting)
		if e == nil {
			return nil
		}
		return &plainType{kind: k, elem: e}
	case reflect.Struct:
		p := &plainType{kind: k}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return nil // embedding: encoding/json's promotion rules
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts := tag, ""
			for j := range len(tag) {
				if tag[j] == ',' {
					name, opts = tag[:j], tag[j:]
					break
				}
			}
			if hasOption(opts, "string") || !plainName(name) {
				return nil
			}
			if name == "" {
				name = f.Name
			}
			for _, o := range p.fields {
				if o.name == name {
					return nil // encoding/json drops both
				}
			}
			ft := buildPlainType(f.Type, visiting)
			if ft == nil {
				return nil
			}
			p.fields = append(p.fields, plainField{name: name, index: i, typ: ft})
		}
		// By name: keys come in ascending order, so fill finds each
		// field from where it found the last.
		slices.SortFunc(p.fields, func(a, b plainField) int { return strings.Compare(a.name, b.name) })
		return p
	}
	return nil
}

func hasOption(opts, o string) bool {
	for len(opts) > 0 {
		opts = opts[1:] // the comma
		n := len(opts)
		for j := range len(opts) {
			if opts[j] == ',' {
				n = j
				break
			}
		}
		if opts[:n] == o {
			return true
		}
		opts = opts[n:]
	}
	return false
}

// plainName: a tag name encoding/json takes as it is (letters, digits,
// '-', '_'); others it may ignore, so such types take the slow path.
func plainName(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// decodePlain fills the zero value v from body, as encoding/json would;
// false (v then holds garbage) means: take the slow path on a fresh value.
func decodePlain(body []byte, v reflect.Value, p *plainType) bool {
	s := canonScanner{b: body}
	return s.fill(v, p, 1) && s.i == len(s.b)
}

// fill reads one value of the plain subset into the zero value v.
func (s *canonScanner) fill(v reflect.Value, p *plainType, depth int) bool {
	if s.i >= len(s.b) || depth > fastMaxDepth {
		return false
	}
	c := s.b[s.i]
	if c == 'n' {
		// null leaves a value as it is, and sets a slice or pointer to nil:
		// either way, a zero value stays zero.
		return s.literal("null")
	}
	if p.text {
		start, end, ok := s.str()
		return ok && v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(s.b[start:end:end]) == nil
	}
	switch p.kind {
	case reflect.String:
		start, end, ok := s.str()
		if ok {
			v.SetString(string(s.b[start:end]))
		}
		return ok
	case reflect.Bool:
		switch c {
		case 't':
			v.SetBool(true)
			return s.literal("true")
		case 'f':
			return s.literal("false")
		}
		return false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		start := s.i
		if c != '-' && (c < '0' || c > '9') || !s.integer() {
			return false
		}
		n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		start := s.i
		if c < '0' || c > '9' || !s.integer() {
			return false
		}
		n, err := strconv.ParseUint(string(s.b[start:s.i]), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
		return true
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		if !s.fill(e.Elem(), p.elem, depth+1) {
			return false
		}
		v.Set(e)
		return true
	case reflect.Slice:
		if c != '[' {
			return false
		}
		// Count the elements first (a quick scan), then fill a slice of that
		// length: cheaper than growing it through reflect. encoding/json
		// makes an empty array an empty slice, not nil.
		start := s.i
		if !s.value(depth) {
			return false
		}
		end := s.i
		n := 0
		for s.i = start + 1; s.b[s.i] != ']'; n++ {
			if n > 0 {
				s.i++ // the comma
			}
			s.value(depth + 1)
		}
		out := reflect.MakeSlice(v.Type(), n, n)
		s.i = start + 1
		for k := range n {
			if k > 0 {
				s.i++
			}
			if !s.fill(out.Index(k), p.elem, depth+1) {
				return false
			}
		}
		if s.i+1 != end {
			return false
		}
		s.i = end
		v.Set(out)
		return true
	case reflect.Struct:
		if c != '{' {
			return false
		}
		s.i++
		var prev []byte
		next := 0 // fields before it were matched by earlier (lesser) keys
		return s.elements('}', func() bool {
			key, ok := s.key(prev) // not canonical, or a key twice: not ours
			if !ok {
				return false
			}
			prev = key
			f := -1
			for j := next; j < len(p.fields); j++ {
				if p.fields[j].name == string(key) {
					f, next = j, j+1
					break
				}
			}
			// A key in other case may still name a field for
			// encoding/json; an unknown one is its error to word.
			return f >= 0 && s.fill(v.Field(p.fields[f].index), p.fields[f].typ, depth+1)
		})
	}
	return false
}

// literal scans the literal lit, which must end the value there.
func (s *canonScanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return s.i == len(s.b) || s.endOfToken()
}
