// Package identity holds a member's private keys and is the only code that
// ever touches them. A Keyring has a long-term member key and a device key
// (certified by the member key through a record, see package coop); callers
// get Signers and public keys, never private key bytes. On disk the keys are
// sealed under a passphrase with Argon2id and XChaCha20-Poly1305.
package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/coopnode/coopnode/node/record"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

var (
	// ErrWrongPassphrase: the passphrase does not open the sealed keys.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrBadKeyfile: the sealed key file is damaged or not a coopnode key file.
	ErrBadKeyfile = errors.New("damaged or unrecognised key file")
)

// Keyring holds one member's private keys.
type Keyring struct {
	member ed25519.PrivateKey
	device ed25519.PrivateKey
}

// Generate creates a new member key and device key from r (crypto/rand if nil).
func Generate(r io.Reader) (*Keyring, error) {
	if r == nil {
		r = rand.Reader
	}
	_, m, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("generate member key: %w", err)
	}
	_, d, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("generate device key: %w", err)
	}
	return &Keyring{member: m, device: d}, nil
}

// MemberKey is the long-term member public key.
func (k *Keyring) MemberKey() record.PublicKey { return pub(k.member) }

// DeviceKey is this device's public key.
func (k *Keyring) DeviceKey() record.PublicKey { return pub(k.device) }

// Member signs with the member key: founding, certifying devices.
func (k *Keyring) Member() record.Signer { return signer{k.member} }

// Device signs with the device key: day-to-day records.
func (k *Keyring) Device() record.Signer { return signer{k.device} }

// StorageKey derives a 32-byte key for purpose (e.g. encrypting the local
// store) from the member secret. It is one-way: it reveals nothing of the key.
func (k *Keyring) StorageKey(purpose string) []byte {
	out := make([]byte, 32)
	h := hkdf.New(sha256.New, k.member.Seed(), []byte("coopnode storage key v1"), []byte(purpose))
	if _, err := io.ReadFull(h, out); err != nil {
		panic(err) // HKDF-SHA256 can produce 255*32 bytes; 32 cannot fail
	}
	return out
}

// Consent signs with this member's pseudonymous consent key for the co-op
// coopID: consent receipts and records. It is derived from the member
// secret and the co-op's ID, so every device of the member has it, each
// co-op sees a different key, and nothing in the key links it to the
// member key (only the member's registration record does, inside the co-op).
func (k *Keyring) Consent(coopID record.ID) record.Signer {
	seed := make([]byte, ed25519.SeedSize)
	h := hkdf.New(sha256.New, k.member.Seed(), []byte("coopnode consent key v1"), coopID[:])
	if _, err := io.ReadFull(h, seed); err != nil {
		panic(err) // 32 bytes of HKDF-SHA256 cannot fail
	}
	return signer{ed25519.NewKeyFromSeed(seed)}
}

func pub(p ed25519.PrivateKey) (k record.PublicKey) {
	copy(k[:], p.Public().(ed25519.PublicKey))
	return k
}

type signer struct{ k ed25519.PrivateKey }

func (s signer) PublicKey() record.PublicKey     { return pub(s.k) }
func (s signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.k, msg), nil }

// Params are Argon2id's cost parameters.
type Params struct {
	Time    uint32 `json:"t"`
	MemoryK uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
}

// DefaultParams take a few hundred milliseconds on a laptop: RFC 9106's second recommended option.
var DefaultParams = Params{Time: 3, MemoryK: 64 * 1024, Threads: 4}

// sealed is the key file's JSON form. Public keys are in the clear so a
// locked node can still say whose it is.
type sealed struct {
	Format     string           `json:"format"`
	MemberKey  record.PublicKey `json:"memberKey"`
	DeviceKey  record.PublicKey `json:"deviceKey"`
	KDF        string           `json:"kdf"`
	Params     Params           `json:"params"`
	Salt       []byte           `json:"salt"`
	Nonce      []byte           `json:"nonce"`
	Ciphertext []byte           `json:"ciphertext"`
}

const format = "coopnode-keys-v1"

// Seal encrypts the keyring under passphrase, returning the key file's bytes.
func (k *Keyring) Seal(passphrase []byte, p Params) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("seal keys: empty passphrase")
	}
	s := sealed{Format: format, MemberKey: k.MemberKey(), DeviceKey: k.DeviceKey(), KDF: "argon2id", Params: p,
		Salt: make([]byte, 16), Nonce: make([]byte, chacha20poly1305.NonceSizeX)}
	if _, err := rand.Read(s.Salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(s.Nonce); err != nil {
		return nil, err
	}
	aead, _ := chacha20poly1305.NewX(argon2.IDKey(passphrase, s.Salt, p.Time, p.MemoryK, p.Threads, 32))
	plain := append(append([]byte(nil), k.member.Seed()...), k.device.Seed()...)
	s.Ciphertext = aead.Seal(nil, s.Nonce, plain, s.aad())
	return json.MarshalIndent(s, "", "  ")
}

// aad binds the public keys and parameters, so none can be swapped in the file.
func (s *sealed) aad() []byte {
	b, _ := json.Marshal([]any{s.Format, s.MemberKey, s.DeviceKey, s.KDF, s.Params})
	return b
}

// PublicKeys reads the member and device public keys from a key file without the passphrase.
func PublicKeys(keyfile []byte) (member, device record.PublicKey, err error) {
	s, err := parse(keyfile)
	if err != nil {
		return member, device, err
	}
	return s.MemberKey, s.DeviceKey, nil
}

func parse(keyfile []byte) (*sealed, error) {
	var s sealed
	if err := json.Unmarshal(keyfile, &s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyfile, err)
	}
	if s.Format != format || s.KDF != "argon2id" || len(s.Salt) < 16 || len(s.Nonce) != chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("%w: unknown format %q", ErrBadKeyfile, s.Format)
	}
	// Refuse parameters that would let a damaged file exhaust memory.
	if s.Params.Time == 0 || s.Params.Time > 64 || s.Params.MemoryK > 4<<20 || s.Params.Threads == 0 {
		return nil, fmt.Errorf("%w: implausible Argon2 parameters", ErrBadKeyfile)
	}
	return &s, nil
}

// Open decrypts a key file. A wrong passphrase gives ErrWrongPassphrase.
func Open(keyfile, passphrase []byte) (*Keyring, error) {
	s, err := parse(keyfile)
	if err != nil {
		return nil, err
	}
	aead, _ := chacha20poly1305.NewX(argon2.IDKey(passphrase, s.Salt, s.Params.Time, s.Params.MemoryK, s.Params.Threads, 32))
	plain, err := aead.Open(nil, s.Nonce, s.Ciphertext, s.aad())
	if err != nil {
		// AEAD can't tell a wrong passphrase from a damaged file; the passphrase is far likelier.
		return nil, ErrWrongPassphrase
	}
	if len(plain) != 2*ed25519.SeedSize {
		return nil, fmt.Errorf("%w: key material of %d bytes", ErrBadKeyfile, len(plain))
	}
	k := &Keyring{member: ed25519.NewKeyFromSeed(plain[:32]), device: ed25519.NewKeyFromSeed(plain[32:])}
	if k.MemberKey() != s.MemberKey || k.DeviceKey() != s.DeviceKey {
		return nil, fmt.Errorf("%w: keys do not match their public halves", ErrBadKeyfile)
	}
	return k, nil
}
