package identity

import (
	"bytes"
	"errors"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

var fast = Params{Time: 1, MemoryK: 64, Threads: 1}

func TestSealOpen(t *testing.T) {
	k, err := Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	file, err := k.Seal([]byte("correct horse"), fast)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, k.member.Seed()) || bytes.Contains(file, k.device.Seed()) {
		t.Fatal("key file contains a private seed in the clear")
	}
	k2, err := Open(file, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if k2.MemberKey() != k.MemberKey() || k2.DeviceKey() != k.DeviceKey() {
		t.Fatal("reopened keys differ")
	}
	if !bytes.Equal(k2.StorageKey("store"), k.StorageKey("store")) || bytes.Equal(k.StorageKey("a"), k.StorageKey("b")) {
		t.Fatal("storage keys must be stable per purpose and differ across purposes")
	}
	m, d, err := PublicKeys(file)
	if err != nil || m != k.MemberKey() || d != k.DeviceKey() {
		t.Fatalf("PublicKeys = %v %v %v", m, d, err)
	}
}

func TestOpenErrors(t *testing.T) {
	k, _ := Generate(nil)
	file, _ := k.Seal([]byte("pw"), fast)
	swapped := bytes.Replace(file, []byte(k.DeviceKey().String()), []byte(k.MemberKey().String()), 1)
	for _, tc := range []struct {
		name string
		file []byte
		pass string
		want error
	}{
		{"wrong passphrase", file, "PW", ErrWrongPassphrase},
		{"empty passphrase", file, "", ErrWrongPassphrase},
		{"not json", []byte("hello"), "pw", ErrBadKeyfile},
		{"truncated", file[:len(file)/2], "pw", ErrBadKeyfile},
		{"public key swapped", swapped, "pw", ErrWrongPassphrase}, // the AAD binds the public keys
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.file, []byte(tc.pass)); !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignersVerify(t *testing.T) {
	k, _ := Generate(nil)
	for _, s := range []record.Signer{k.Member(), k.Device()} {
		sig, err := s.Sign([]byte("msg"))
		if err != nil || !s.PublicKey().Verify([]byte("msg"), sig) || s.PublicKey().Verify([]byte("msh"), sig) {
			t.Fatalf("signer %s: bad signature behaviour", s.PublicKey())
		}
	}
	if k.Member().PublicKey() == k.Device().PublicKey() {
		t.Fatal("member and device keys must differ")
	}
}
