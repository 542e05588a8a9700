// Package invite is how a new member reaches a co-op: a compact invite
// (co-op ID, the inviter's device key and addresses, a one-time secret, an
// expiry), and the join exchange it opens.
//
// The secret never crosses the wire. Both sides derive from it an Ed25519
// key; the joiner's libp2p host takes that key as its identity, so the
// inviter's connection gater can let exactly the holders of its open invites
// through, during the handshake, to the join protocol only. The joiner sends
// one signed join request and gets an answer; the inviter marks the invite
// used. Membership itself comes later, from an admission record.
package invite

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	"golang.org/x/crypto/hkdf"

	"github.com/coopnode/coopnode/node/record"
)

// Prefix starts every invite's text. Invites are upper case base32 so that
// a QR code can use its compact alphanumeric mode.
const Prefix = "COOPNODE1"

const (
	secretSize = 16
	maxAddrs   = 16
	version    = 1
)

// Errors a joiner can get from an invite.
var (
	// ErrMalformed: the text is not an invite (mistyped, cut short, or altered).
	ErrMalformed = errors.New("not a valid coopnode invite")
	// ErrExpired: the invite's time is up.
	ErrExpired = errors.New("the invite has expired")
	// ErrUsed: the invite was already used by someone.
	ErrUsed = errors.New("the invite was already used")
	// ErrUnknown: the inviter does not know the invite (forged, or withdrawn).
	ErrUnknown = errors.New("the inviter does not know this invite")
)

// Invite is what a member gives someone so they can ask to join.
type Invite struct {
	Coop    record.ID        // the co-op's genesis record ID
	Inviter record.PublicKey // the inviting node's device key
	Addrs   []ma.Multiaddr   // where the inviting node listens (without /p2p/)
	Expires time.Time        // whole seconds, UTC
	Secret  [secretSize]byte
}

// New makes an invite with a fresh secret.
func New(coop record.ID, inviter record.PublicKey, addrs []ma.Multiaddr, expires time.Time) (Invite, error) {
	inv := Invite{Coop: coop, Inviter: inviter, Addrs: addrs, Expires: expires.UTC().Truncate(time.Second)}
	if len(addrs) == 0 {
		return inv, errors.New("invite: the node has no addresses to invite to (is its network running?)")
	}
	if len(addrs) > maxAddrs {
		inv.Addrs = addrs[:maxAddrs]
	}
	_, err := rand.Read(inv.Secret[:])
	return inv, err
}

// ID names the invite without revealing its secret.
func (inv Invite) ID() string {
	h := sha256.Sum256(append([]byte("coopnode invite id\x00"), inv.Secret[:]...))
	return fmt.Sprintf("%x", h[:8])
}

// Key is the Ed25519 key both sides derive from the secret: the joiner's
// libp2p identity for the join exchange.
func (inv Invite) Key() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	io.ReadFull(hkdf.New(sha256.New, inv.Secret[:], inv.Coop[:], []byte("coopnode invite peer key")), seed)
	return ed25519.NewKeyFromSeed(seed)
}

// PublicKey is Key's public half.
func (inv Invite) PublicKey() record.PublicKey {
	var k record.PublicKey
	copy(k[:], inv.Key().Public().(ed25519.PublicKey))
	return k
}

// Signer returns Key as a record.Signer (for the joiner's libp2p host).
func (inv Invite) Signer() record.Signer { return keySigner{inv.Key()} }

type keySigner struct{ k ed25519.PrivateKey }

func (s keySigner) PublicKey() (p record.PublicKey) {
	copy(p[:], s.k.Public().(ed25519.PublicKey))
	return p
}
func (s keySigner) Sign(m []byte) ([]byte, error) { return ed25519.Sign(s.k, m), nil }

// String is the invite's text.
func (inv Invite) String() string {
	b := []byte{version}
	b = append(b, inv.Coop[:]...)
	b = append(b, inv.Inviter[:]...)
	b = binary.AppendUvarint(b, uint64(inv.Expires.Unix()))
	b = append(b, inv.Secret[:]...)
	b = binary.AppendUvarint(b, uint64(len(inv.Addrs)))
	for _, a := range inv.Addrs {
		ab := a.Bytes()
		b = binary.AppendUvarint(b, uint64(len(ab)))
		b = append(b, ab...)
	}
	sum := sha256.Sum256(b)
	b = append(b, sum[:4]...)
	return Prefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Parse reads an invite's text. Spaces, line breaks and letter case are
// forgiven (invites get pasted and read aloud); anything else wrong is
// ErrMalformed.
func Parse(s string) (Invite, error) {
	var inv Invite
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !strings.HasPrefix(s, Prefix) {
		return inv, fmt.Errorf("%w: it should start with %s", ErrMalformed, Prefix)
	}
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s[len(Prefix):])
	if err != nil || len(b) < 5 {
		return inv, fmt.Errorf("%w: it has characters that do not belong or is cut short; copy it again", ErrMalformed)
	}
	if base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b) != s[len(Prefix):] {
		return inv, fmt.Errorf("%w: its last character is not one an invite ends with; copy it again", ErrMalformed)
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if h := sha256.Sum256(body); !bytes.Equal(h[:4], sum) {
		return inv, fmt.Errorf("%w: its checksum does not match (mistyped or altered); copy it again", ErrMalformed)
	}
	r := bytes.NewReader(body)
	v, _ := r.ReadByte()
	if v != version {
		return inv, fmt.Errorf("%w: invite version %d; this coopnode reads version %d, so one of you needs to update", ErrMalformed, v, version)
	}
	if _, err := io.ReadFull(r, inv.Coop[:]); err != nil {
		return inv, fmt.Errorf("%w: cut short", ErrMalformed)
	}
	if _, err := io.ReadFull(r, inv.Inviter[:]); err != nil {
		return inv, fmt.Errorf("%w: cut short", ErrMalformed)
	}
	exp, err := binary.ReadUvarint(r)
	if err != nil || exp > 1<<40 {
		return inv, fmt.Errorf("%w: bad expiry", ErrMalformed)
	}
	inv.Expires = time.Unix(int64(exp), 0).UTC()
	if _, err := io.ReadFull(r, inv.Secret[:]); err != nil {
		return inv, fmt.Errorf("%w: cut short", ErrMalformed)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 || n > maxAddrs {
		return inv, fmt.Errorf("%w: it lists %d addresses (1 to %d)", ErrMalformed, n, maxAddrs)
	}
	for range n {
		l, err := binary.ReadUvarint(r)
		if err != nil || l > uint64(r.Len()) || l > 256 {
			return inv, fmt.Errorf("%w: bad address", ErrMalformed)
		}
		ab := make([]byte, l)
		io.ReadFull(r, ab)
		a, err := ma.NewMultiaddrBytes(ab)
		if err != nil {
			return inv, fmt.Errorf("%w: bad address: %v", ErrMalformed, err)
		}
		inv.Addrs = append(inv.Addrs, a)
	}
	if r.Len() != 0 {
		return inv, fmt.Errorf("%w: %d bytes after the addresses", ErrMalformed, r.Len())
	}
	if err := inv.Inviter.Check(); err != nil {
		return inv, fmt.Errorf("%w: inviter key: %v", ErrMalformed, err)
	}
	return inv, nil
}

// CheckTime fails with ErrExpired once the invite's time is up.
func (inv Invite) CheckTime(now time.Time) error {
	if !now.Before(inv.Expires) {
		return fmt.Errorf("%w (at %s): ask a member for a new one", ErrExpired, inv.Expires.Format(time.RFC3339))
	}
	return nil
}
