package record

import (
	"crypto/ed25519"
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

// Verify reports whether sig is k's Ed25519 signature of msg. It is
// crypto/ed25519's, unchanged: a faster hand-written path over a cached
// point was measured (5-8% of signature time) and left out on purpose.
func (k PublicKey) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(k[:], msg, sig)
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
	if _, ok := goodKeys.Load(k); ok {
		return nil
	}
	p, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return fmt.Errorf("%w %s: not a curve point", ErrWeakKey, k.String()[:12])
	}
	if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return fmt.Errorf("%w %s: small order", ErrWeakKey, k.String()[:12])
	}
	if goodKeyCount.Add(1) <= maxGoodKeys {
		goodKeys.Store(k, struct{}{})
	}
	return nil
}

// goodKeys remembers keys that passed Check: a co-op's records come from a
// few thousand keys, and decompressing a point costs as much as a third of
// a signature check.
// Bounded, so a flood of fresh keys cannot grow it.
var (
	goodKeys     sync.Map
	goodKeyCount atomic.Int64
)

const maxGoodKeys = 1 << 16
