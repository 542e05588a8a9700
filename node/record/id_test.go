package record

import "testing"

// AppendText must give what MarshalText gives: the state digest writes IDs
// and keys through it, and encoding/json through MarshalText.
func TestAppendTextAsMarshalText(t *testing.T) {
	for i := range 64 {
		var id ID
		var k PublicKey
		for j := range id {
			id[j], k[j] = byte(i*31+j*7), byte(255-i*13-j)
		}
		for _, v := range []interface {
			MarshalText() ([]byte, error)
			AppendText([]byte) ([]byte, error)
		}{id, k} {
			m, _ := v.MarshalText()
			a, _ := v.AppendText([]byte("x"))
			if string(a) != "x"+string(m) {
				t.Fatalf("%T: AppendText %q, MarshalText %q", v, a, m)
			}
		}
	}
}
