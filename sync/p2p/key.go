// Package p2p is the node's libp2p host: its identity is the node's device
// key, used through a signer so the private key never leaves package
// identity, and a connection gater lets only allowed peers (certified
// devices of members) complete a connection. Everyone else is refused at the
// secured stage of the handshake and counted.
package p2p

import (
	"errors"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/coopnode/coopnode/node/record"
)

// ErrKeyNotExportable: libp2p asked for private key bytes, which the device key never gives out.
var ErrKeyNotExportable = errors.New("the device's private key is not exportable")

// signerKey adapts a record.Signer (an Ed25519 key held by package identity)
// to libp2p's crypto.PrivKey without ever holding the private key bytes.
type signerKey struct {
	s   record.Signer
	pub crypto.PubKey
}

// PrivKey returns s as a libp2p private key.
func PrivKey(s record.Signer) (crypto.PrivKey, error) {
	k := s.PublicKey()
	pub, err := crypto.UnmarshalEd25519PublicKey(k[:])
	if err != nil {
		return nil, err
	}
	return &signerKey{s: s, pub: pub}, nil
}

func (k *signerKey) Sign(msg []byte) ([]byte, error) { return k.s.Sign(msg) }
func (k *signerKey) GetPublic() crypto.PubKey        { return k.pub }
func (k *signerKey) Type() pb.KeyType                { return pb.KeyType_Ed25519 }
func (k *signerKey) Raw() ([]byte, error)            { return nil, ErrKeyNotExportable }
func (k *signerKey) Equals(o crypto.Key) bool {
	ok, isSigner := o.(*signerKey)
	return isSigner && ok.s.PublicKey() == k.s.PublicKey()
}

// PeerID is the libp2p peer ID of a device key.
func PeerID(k record.PublicKey) (peer.ID, error) {
	pub, err := crypto.UnmarshalEd25519PublicKey(k[:])
	if err != nil {
		return "", err
	}
	return peer.IDFromPublicKey(pub)
}

// PublicKey is the device key behind a peer ID; it fails for peer IDs of
// other key types.
func PublicKey(p peer.ID) (record.PublicKey, error) {
	var k record.PublicKey
	pub, err := p.ExtractPublicKey()
	if err != nil {
		return k, err
	}
	if pub.Type() != pb.KeyType_Ed25519 {
		return k, errors.New("peer's key is not Ed25519")
	}
	raw, err := pub.Raw()
	if err != nil || len(raw) != len(k) {
		return k, errors.New("peer's Ed25519 key is malformed")
	}
	copy(k[:], raw)
	return k, nil
}
