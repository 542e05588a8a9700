package coop

import (
	"errors"
	"fmt"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// Found builds the two records that found a co-op: the genesis, signed by the
// founder's member key, and the certificate of the founder's first device.
func Found(member, device record.Signer, coopName, founderName, deviceLabel string, bylaws Bylaws, now time.Time) (genesis, cert *record.Record, err error) {
	if coopName == "" || founderName == "" {
		return nil, nil, errors.New("found a co-op: the co-op and the founder need names")
	}
	if err := bylaws.Validate(); err != nil {
		return nil, nil, err
	}
	g := Genesis{Name: coopName, Bylaws: bylaws, Founder: Profile{
		Name: founderName, MemberKey: member.PublicKey(), Class: bylaws.Classes[0].Name, Roles: []string{RoleFounder}}}
	genesis, err = record.New(member, TypeGenesis, 1, record.ID{}, now, nil, g)
	if err != nil {
		return nil, nil, fmt.Errorf("found a co-op: %w", err)
	}
	cert, err = CertifyDevice(member, genesis.ID, MemberID(genesis.ID), device.PublicKey(), deviceLabel, now, genesis.ID)
	return genesis, cert, err
}

// CertifyDevice builds a member-key-signed certificate for a device key.
// prev must include the member's admission (the genesis for founders).
func CertifyDevice(member record.Signer, coop record.ID, id MemberID, device record.PublicKey, label string, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(member, TypeDevice, 1, coop, now, prev, Device{Member: id, Key: device, Label: label})
	if err != nil {
		return nil, fmt.Errorf("certify device: %w", err)
	}
	return r, nil
}

// Admit builds an admission signed by the admitting member's device.
// prev must include the admitter's device certificate.
func Admit(device record.Signer, coop record.ID, p Profile, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(device, TypeAdmitted, 1, coop, now, prev, p)
	if err != nil {
		return nil, fmt.Errorf("admit %s: %w", p.Name, err)
	}
	return r, nil
}
