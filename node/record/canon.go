package record

import (
	"encoding/binary"
	"encoding/json"
)

// A fast path for parseHeader. Checking that a payload is canonical with
// jcs.Transform and then reading its header with encoding/json (twice: the
// exact keys, then the fields) costs about as much as checking its
// signature. Nearly every payload is plain: ASCII strings without escapes,
// integers, sorted keys. fastHeader checks such a payload and reads its
// header in one pass; for anything else it declines and parseHeader takes
// the slow path, so the two can never disagree (FuzzFastHeader checks it).

// fastMaxDepth bounds the nesting the fast path follows; deeper payloads take the slow path.
const fastMaxDepth = 64

type canonScanner struct {
	b []byte
	i int
}

// fastHeader returns the payload's wire header, and true, if the payload is
// in the plain subset of RFC 8785 canonical JSON described above and its
// header fields have the shapes encoding/json would read without error.
// false means only: take the slow path.
func fastHeader(payload []byte) (wireHeader, bool) {
	s := canonScanner{b: payload}
	var w wireHeader
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return w, false
	}
	s.i++
	var seen [len(headerKeyOrder)]bool
	var prevKey []byte
	for first := true; ; first = false {
		if s.i >= len(s.b) {
			return w, false
		}
		if s.b[s.i] == '}' {
			s.i++
			break
		}
		if !first {
			if s.b[s.i] != ',' {
				return w, false
			}
			s.i++
		}
		k0, k1, ok := s.str()
		if !ok || s.i >= len(s.b) || s.b[s.i] != ':' {
			return w, false
		}
		key := s.b[k0:k1]
		// Strictly ascending: canonical order (bytewise is UTF-16 order for
		// ASCII), and no key twice.
		if prevKey != nil && string(prevKey) >= string(key) {
			return w, false
		}
		prevKey = key
		s.i++
		v0 := s.i
		if !s.value(1) {
			return w, false
		}
		raw := s.b[v0:s.i]
		switch string(key) {
		case "author":
			c, ok := strContent(raw)
			if !ok {
				return w, false
			}
			var k PublicKey
			if !hex32(k[:], c) {
				return w, false // encoding/json words the error
			}
			w.Author, seen[0] = k, true
		case "body":
			w.Body, seen[1] = json.RawMessage(raw[:len(raw):len(raw)]), true
		case "coop":
			c, ok := strContent(raw)
			if !ok {
				return w, false
			}
			w.Coop, seen[2] = string(c), true
			w.coopOK = hex32(w.coop[:], c)
		case "prev":
			prev, ok := idArray(raw)
			if !ok {
				return w, false
			}
			w.Prev, seen[3] = prev, true
		case "time":
			c, ok := strContent(raw)
			if !ok {
				return w, false
			}
			w.Time, seen[4] = string(c), true
		case "type":
			c, ok := strContent(raw)
			if !ok {
				return w, false
			}
			w.Type, seen[5] = string(c), true
		case "v":
			if !isPositiveInt(raw) {
				return w, false
			}
			w.V, seen[6] = json.Number(raw), true
		default:
			return w, false // unknown: the slow path names it
		}
	}
	if s.i != len(s.b) {
		return w, false
	}
	for i, k := range headerKeyOrder {
		if !seen[i] && headerKeys[k] {
			return w, false
		}
	}
	return w, true
}

// headerKeyOrder indexes the seen flags of fastHeader.
var headerKeyOrder = [...]string{"author", "body", "coop", "prev", "time", "type", "v"}

// value scans one value of the plain subset.
func (s *canonScanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > fastMaxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == '{':
		s.i++
		var prev []byte
		return s.elements('}', func() bool {
			key, ok := s.key(prev)
			prev = key
			return ok && s.value(depth+1)
		})
	case c == '[':
		s.i++
		return s.elements(']', func() bool { return s.value(depth + 1) })
	case c == '-' || '0' <= c && c <= '9':
		return s.integer()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return s.endOfToken()
			}
		}
		return false
	}
}

// integer scans 0 or an integer of up to 15 digits without leading zeros:
// exact as a double, so its canonical form (ES6) is itself. Fractions,
// exponents, -0 and longer integers take the slow path.
// elements scans the elements of an object or array whose opening byte
// was read, up to and including closing: the commas between them, each
// element by each.
func (s *canonScanner) elements(closing byte, each func() bool) bool {
	for first := true; ; first = false {
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == closing {
			s.i++
			return true
		}
		if !first {
			if s.b[s.i] != ',' {
				return false
			}
			s.i++
		}
		if !each() {
			return false
		}
	}
}

// key scans an object's key and its colon; it must come after prev (nil
// for the first), as canonical JSON orders keys and names each once.
func (s *canonScanner) key(prev []byte) ([]byte, bool) {
	k0, k1, ok := s.str()
	if !ok || s.i >= len(s.b) || s.b[s.i] != ':' {
		return nil, false
	}
	key := s.b[k0:k1]
	if prev != nil && string(prev) >= string(key) {
		return nil, false
	}
	s.i++
	return key, true
}

func (s *canonScanner) integer() bool {
	if s.b[s.i] == '0' {
		s.i++
		return s.endOfToken()
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i >= len(s.b) || s.b[s.i] < '1' || s.b[s.i] > '9' {
		return false
	}
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i-start <= 15 && s.endOfToken()
}

// endOfToken: a number or literal ends where the value does, at a
// structural character (JCS reads "1x" or "truex" as one bad token).
func (s *canonScanner) endOfToken() bool {
	if s.i >= len(s.b) {
		return false // the payload is an object: a value never ends it
	}
	c := s.b[s.i]
	return c == ',' || c == ']' || c == '}'
}

// str scans a string of printable ASCII without escapes (its own canonical
// form), returning its content's bounds.
func (s *canonScanner) str() (int, int, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return 0, 0, false
	}
	start := s.i + 1
	i := start
	// Eight bytes at a time while none is special: most of a record is strings.
	for ; i+8 <= len(s.b) && !special(binary.LittleEndian.Uint64(s.b[i:])); i += 8 {
	}
	for ; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return start, i, true
		case c < 0x20 || c == '\\' || c >= 0x80:
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// special reports whether any of the eight bytes in x is '"', '\\', below
// 0x20 or above 0x7f (bit tricks: a byte is below n where (b-n)&^b has its
// top bit set, and zero where b^c is).
func special(x uint64) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)|(quote-ones)|(backslash-ones))&^x&tops|x&tops != 0
}

// strContent is the content of raw if it is a string value, as str scanned it.
func strContent(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// idArray reads a scanned array of record IDs (strings), as encoding/json
// would into []ID: an empty array is an empty, non-nil list.
func idArray(raw []byte) ([]ID, bool) {
	if len(raw) < 2 || raw[0] != '[' {
		return nil, false
	}
	n := 0
	for _, c := range raw {
		if c == '"' {
			n++
		}
	}
	out := make([]ID, 0, n/2)
	for i := 1; i < len(raw)-1; {
		if raw[i] == ',' {
			i++
		}
		// Each element is a plain string of 64 characters; anything else
		// (numbers, nested values, other lengths) takes the slow path.
		if i+66 > len(raw) || raw[i] != '"' || raw[i+65] != '"' {
			return nil, false
		}
		var id ID
		if !hex32(id[:], raw[i+1:i+65]) {
			return nil, false
		}
		out = append(out, id)
		i += 66
	}
	return out, true
}

// hex32 decodes 64 lower-case hex digits into dst, as parseHex32 accepts them.
func hex32(dst []byte, src []byte) bool {
	if len(src) != 64 {
		return false
	}
	for i := range 32 {
		hi, ok1 := lowerHex(src[2*i])
		lo, ok2 := lowerHex(src[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func lowerHex(c byte) (byte, bool) {
	v := hexValue[c]
	return v & 0x0f, v != 0
}

// hexValue is 0x10 | the value of each lower-case hex digit, 0 for other bytes.
var hexValue = func() (t [256]byte) {
	for c := range 256 {
		switch {
		case '0' <= c && c <= '9':
			t[c] = 0x10 | byte(c-'0')
		case 'a' <= c && c <= 'f':
			t[c] = 0x10 | byte(c-'a'+10)
		}
	}
	return t
}()
