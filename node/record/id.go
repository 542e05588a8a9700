package record

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"filippo.io/edwards25519"
)

// ID identifies a record: SHA-256 of PAE(payloadType, payload).
type ID [32]byte

// ParseID parses the 64-hex-digit form written by ID.String.
func ParseID(s string) (ID, error) {
	var id ID
	if err := parseHex32(s, id[:]); err != nil {
		return ID{}, fmt.Errorf("record ID %q: %w", s, err)
	}
	return id, nil
}

func (id ID) String() string               { return hex.EncodeToString(id[:]) }
func (id ID) IsZero() bool                 { return id == ID{} }
func (id ID) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, id[:]), nil }
func (id *ID) UnmarshalText(b []byte) error {
	if hex32(id[:], b) { // the common case, without ParseID's copies
		return nil
	}
	v, err := ParseID(string(b))
	*id = v
	return err
}

// Short is the first 12 hex digits, for display only.
func (id ID) Short() string { return id.String()[:12] }

// Less orders IDs bytewise; folds use it to break ties deterministically.
func (id ID) Less(o ID) bool { return CompareIDs(id, o) < 0 }

// PublicKey is an Ed25519 public key, written as 64 hex digits.
type PublicKey [ed25519.PublicKeySize]byte

// ParsePublicKey parses the 64-hex-digit form written by PublicKey.String.
func ParsePublicKey(s string) (PublicKey, error) {
	var k PublicKey
	if err := parseHex32(s, k[:]); err != nil {
		return PublicKey{}, fmt.Errorf("public key %q: %w", s, err)
	}
	return k, nil
}

func (k PublicKey) String() string               { return hex.EncodeToString(k[:]) }
func (k PublicKey) IsZero() bool                 { return k == PublicKey{} }
func (k PublicKey) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, k[:]), nil }
func (k *PublicKey) UnmarshalText(b []byte) error {
	if hex32(k[:], b) { // the common case, without ParsePublicKey's copies
		return nil
	}
	v, err := ParsePublicKey(string(b))
	*k = v
	return err
}

// Verify reports whether sig is k's Ed25519 signature of msg. It checks
// RFC 8032's equation exactly as crypto/ed25519 does (cofactorless: R' =
// [S]B - [h]A compared with R by encoding; S must be canonical; A as
// filippo.io/edwards25519 decodes it, the upstream of the standard
// library's curve code), with one difference in cost, not in outcome: A's
// point is decoded once and remembered, as ed25519-dalek's VerifyingKey
// and the standard library's internal PublicKey keep it. A co-op's
// records come from a few thousand keys, and decoding a point is ~7% of a
// check. FuzzVerifyAsStdlib holds it to crypto/ed25519.
func (k PublicKey) Verify(msg, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize || sig[63]&224 != 0 {
		return false
	}
	kp := k.point()
	if kp == nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k[:])
	h.Write(msg)
	var d [sha512.Size]byte
	hs, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(d[:0]))
	if err != nil {
		return false
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	// [S]B = R + [h]A  <=>  [h](-A) + [S]B = R
	r := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(hs, &kp.minusA, s)
	return subtle.ConstantTimeCompare(sig[:32], r.Bytes()) == 1
}

func parseHex32(s string, dst []byte) error {
	if len(s) != 64 {
		return fmt.Errorf("want 64 hex digits, got %d characters", len(s))
	}
	// Lower case only, so each value has exactly one text form.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("invalid character %q (want lower-case hex)", c)
		}
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}

// ErrWeakKey: a public key that is not a usable Ed25519 key (not a point, or
// of small order, for which signatures can be forged without the private key).
var ErrWeakKey = errors.New("unusable public key")

// Check rejects keys that are not points on the curve or are of small order.
func (k PublicKey) Check() error {
	kp := k.point()
	if kp == nil {
		return fmt.Errorf("%w %s: not a curve point", ErrWeakKey, k.String()[:12])
	}
	if kp.small {
		return fmt.Errorf("%w %s: small order", ErrWeakKey, k.String()[:12])
	}
	return nil
}

// keyPoint is what Check and Verify need of a key, decoded once.
type keyPoint struct {
	minusA edwards25519.Point // -A, as the verification equation uses it
	small  bool               // A is of small order
}

// point decodes k (nil if it is not a curve point), remembering the result:
// a co-op's records come from a few thousand keys, and decoding a point
// costs ~7% of a signature check (Check's small-order test, more). The
// cache is bounded, so a flood of fresh keys cannot grow it; keys beyond
// the bound are decoded each time, with the same outcome.
func (k PublicKey) point() *keyPoint {
	if v, ok := keyPoints.Load(k); ok {
		return v.(*keyPoint)
	}
	a, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return nil
	}
	kp := &keyPoint{small: new(edwards25519.Point).MultByCofactor(a).Equal(edwards25519.NewIdentityPoint()) == 1}
	kp.minusA.Negate(a)
	if keyPointCount.Load() < maxKeyPoints {
		if v, loaded := keyPoints.LoadOrStore(k, kp); loaded {
			return v.(*keyPoint)
		}
		keyPointCount.Add(1) // only keys stored count (racing stores may pass the bound by a few)
	}
	return kp
}

var (
	keyPoints     sync.Map // PublicKey -> *keyPoint
	keyPointCount atomic.Int64
)

const maxKeyPoints = 1 << 16 // ~20 MB at most
