package record

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
)

// sameAsStdlib fails t unless PublicKey.Verify and crypto/ed25519 agree on
// (pub, msg, sig), asked twice so that the remembered point is used too.
func sameAsStdlib(t *testing.T, pub PublicKey, msg, sig []byte) bool {
	t.Helper()
	want := ed25519.Verify(pub[:], msg, sig)
	for i := range 2 {
		if got := pub.Verify(msg, sig); got != want {
			t.Fatalf("call %d: Verify(pub %x, msg %x, sig %x) = %v, crypto/ed25519 says %v", i+1, pub, msg, sig, got, want)
		}
	}
	return want
}

// le32 is n (< 2^256) as 32 little-endian bytes.
func le32(n *big.Int) []byte {
	b := make([]byte, 32)
	for i, c := range n.FillBytes(make([]byte, 32)) {
		b[31-i] = c
	}
	return b
}

var (
	fieldP    = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	groupL, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
)

// TestVerifyEdgeCases: the inputs where Ed25519 implementations are known
// to disagree ("Taming the many EdDSAs", Chalkias et al. 2020): small-order
// keys and R, non-canonical encodings of A, R and S, and the bits of S's
// last byte. Verify must decide each as crypto/ed25519 does.
func TestVerifyEdgeCases(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(sha256.New().Sum(nil))
	var good PublicKey
	copy(good[:], priv.Public().(ed25519.PublicKey))
	msg := []byte("a record's PAE")
	sig := ed25519.Sign(priv, msg)

	identity := le32(big.NewInt(1))                             // y = 1: the neutral point
	identityNC := le32(new(big.Int).Add(fieldP, big.NewInt(1))) // y = p+1: the same point, non-canonical
	order4 := le32(big.NewInt(0))                               // y = 0: a point of order 4
	order4NC := le32(new(big.Int).Set(fieldP))                  // y = p
	order2 := le32(new(big.Int).Sub(fieldP, big.NewInt(1)))     // y = -1: the point of order 2
	notPoint := le32(big.NewInt(2))                             // y = 2 is not on the curve
	sPlusL := le32(new(big.Int).Add(new(big.Int).SetBytes(reverse(sig[32:])), groupL))

	with := func(b []byte, at int, part []byte) []byte {
		c := append([]byte(nil), b...)
		copy(c[at:], part)
		return c
	}
	zeroS := with(sig, 32, make([]byte, 32))
	cases := []struct {
		name string
		pub  []byte
		sig  []byte
		want bool // crypto/ed25519's answer, pinned so a change there shows
	}{
		{"valid", good[:], sig, true},
		{"S + L (non-canonical S)", good[:], with(sig, 32, sPlusL), false},
		{"high bits of S set", good[:], with(sig, 63, []byte{sig[63] | 0x80}), false},
		{"R flipped", good[:], with(sig, 0, []byte{sig[0] ^ 1}), false},
		{"identity key, R identity, S 0", identity, append(append([]byte{}, identity...), make([]byte, 32)...), true},
		{"identity key non-canonical, R identity, S 0", identityNC, append(append([]byte{}, identity...), make([]byte, 32)...), true},
		{"identity key, R non-canonical identity, S 0", identity, append(append([]byte{}, identityNC...), make([]byte, 32)...), false},
		{"order-4 key, R identity, S 0", order4, append(append([]byte{}, identity...), make([]byte, 32)...), false},
		{"order-4 key non-canonical", order4NC, zeroS, false},
		{"order-2 key", order2, zeroS, false},
		{"key not a point", notPoint, sig, false},
		{"R of order 4, S 0, good key", good[:], append(append([]byte{}, order4...), make([]byte, 32)...), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pub PublicKey
			copy(pub[:], c.pub)
			if got := sameAsStdlib(t, pub, msg, c.sig); got != c.want {
				t.Errorf("crypto/ed25519 now says %v, this table says %v: check the case", got, c.want)
			}
		})
	}
	for _, k := range [][]byte{identity, identityNC, order4, order4NC, order2} {
		var pub PublicKey
		copy(pub[:], k)
		if err := pub.Check(); !errors.Is(err, ErrWeakKey) {
			t.Errorf("Check(%s) = %v, want ErrWeakKey (small order)", hex.EncodeToString(k), err)
		}
	}
	var bad PublicKey
	copy(bad[:], notPoint)
	if err := bad.Check(); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Check(not a point) = %v, want ErrWeakKey", err)
	}
	if err := good.Check(); err != nil {
		t.Errorf("Check(good key) = %v", err)
	}
}

func reverse(b []byte) []byte {
	c := make([]byte, len(b))
	for i := range b {
		c[len(b)-1-i] = b[i]
	}
	return c
}

// FuzzVerifyAsStdlib: on signatures made by a key from seed and then
// mutated (flip names a bit of the signature or, above 511, of the key),
// and on raw bytes, Verify decides as crypto/ed25519 does.
func FuzzVerifyAsStdlib(f *testing.F) {
	f.Add([]byte("seed"), []byte("message"), uint16(0), false, []byte{}, []byte{})
	f.Add([]byte("seed"), []byte("message"), uint16(3), false, []byte{}, []byte{})
	f.Add([]byte("seed"), []byte(""), uint16(511), false, []byte{}, []byte{})
	f.Add([]byte("seed"), []byte("message"), uint16(600), false, []byte{}, []byte{})
	f.Add([]byte{}, []byte("m"), uint16(0), true, le32(big.NewInt(1)), append(le32(big.NewInt(1)), make([]byte, 32)...))
	f.Fuzz(func(t *testing.T, seed, msg []byte, flip uint16, raw bool, pubIn, sigIn []byte) {
		var pub PublicKey
		var sig []byte
		if raw {
			copy(pub[:], pubIn)
			sig = sigIn
		} else {
			s := sha256.Sum256(seed)
			priv := ed25519.NewKeyFromSeed(s[:])
			copy(pub[:], priv.Public().(ed25519.PublicKey))
			sig = ed25519.Sign(priv, msg)
			if flip != 0 {
				bit := int(flip) % (8 * (64 + 32))
				if bit < 512 {
					sig[bit/8] ^= 1 << (bit % 8)
				} else {
					bit -= 512
					pub[bit/8] ^= 1 << (bit % 8)
				}
			}
		}
		sameAsStdlib(t, pub, msg, sig)
	})
}
