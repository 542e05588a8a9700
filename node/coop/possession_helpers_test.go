package coop

import (
	"errors"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// certifyV1 builds a version 1 device certificate: no proof of
// possession, as existing co-ops hold and as anyone can still craft.
func certifyV1(member record.Signer, coop record.ID, id MemberID, device record.PublicKey, label string, now time.Time, prev ...record.ID) (*record.Record, error) {
	return record.New(member, TypeDevice, 1, coop, now, prev, Device{Member: id, Key: device, Label: label})
}

// requestUnproven builds a join request its device key did not co-sign
// (as before proofs of possession, or naming a key the joiner lacks).
func requestUnproven(member record.Signer, coop record.ID, name string, device record.PublicKey, now time.Time) (*record.Record, error) {
	return record.New(member, TypeJoinRequest, 1, coop, now, []record.ID{coop}, JoinRequest{Name: name, DeviceKey: device, DeviceLabel: "x"})
}

// pubOnly is a Signer that holds no private key: a key named by someone
// who does not hold it.
type pubOnly record.PublicKey

func (p pubOnly) PublicKey() record.PublicKey { return record.PublicKey(p) }
func (pubOnly) Sign([]byte) ([]byte, error)   { return nil, errors.New("this key's holder did not sign") }
