package vault

import (
	"encoding/hex"
	"fmt"
)

// Digest is the SHA-256 of an item's plaintext content: the item's identity.
type Digest [32]byte

// ParseDigest parses the 64 lower-case hex digits String produces.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != 64 {
		return Digest{}, fmt.Errorf("item digest %q: want 64 hex digits, got %d characters", clip(s), len(s))
	}
	// Lower case only, so each digest has exactly one text form.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return Digest{}, fmt.Errorf("item digest %q: invalid character %q at %d (want lower-case hex)", s, c, i)
		}
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return Digest{}, fmt.Errorf("item digest %q: %w", s, err)
	}
	return d, nil
}

// clip keeps an error message short when someone passes a whole file as a digest.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// String returns the digest as 64 lower-case hex digits.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// Short returns the first 12 hex digits, enough to tell items apart in messages.
func (d Digest) Short() string { return d.String()[:12] }

// IsZero reports whether d is the zero value (no item).
func (d Digest) IsZero() bool { return d == Digest{} }

// MarshalText encodes d as String does.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes the text form ParseDigest accepts.
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := ParseDigest(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
