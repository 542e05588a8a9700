package record

import "reflect"

// DecodesPlain reports whether DecodeBody's fast path reads body into v (a pointer to a zero value).
func DecodesPlain(body []byte, v any) bool {
	rv := reflect.ValueOf(v)
	p := plainTypeOf(rv.Type().Elem())
	return p != nil && decodePlain(body, rv.Elem(), p)
}
