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
	genesis, err = record.New(member, TypeGenesis, bylawsVersion(&bylaws), record.ID{}, now, nil, g)
	if err != nil {
		return nil, nil, fmt.Errorf("found a co-op: %w", err)
	}
	cert, err = CertifyDevice(member, device, genesis.ID, MemberID(genesis.ID), deviceLabel, now, genesis.ID)
	return genesis, cert, err
}

// CertifyDevice builds a certificate for device's key signed by the member
// key and co-signed by the device key (proof of possession; see Device).
// prev must include the member's admission (the genesis for founders).
// device may be a Signer that asks the new device to sign: only its
// signature over this payload proves the key is the member's.
func CertifyDevice(member, device record.Signer, coop record.ID, id MemberID, label string, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(member, TypeDevice, 2, coop, now, prev, Device{Member: id, Key: device.PublicKey(), Label: label})
	if err == nil {
		r, err = r.CoSign(device)
	}
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

// RequestJoin builds a join request signed by the joiner's member key and
// co-signed by their device key, asking co-op coopID to admit them and
// certify that device. The co-signature is the device key's proof of
// possession, as a version 2 certificate's (see Device): the admission
// answering the request certifies the key. Its only predecessor is the
// co-op's genesis (from the invite).
func RequestJoin(member, device record.Signer, coopID record.ID, name, label, invite string, now time.Time) (*record.Record, error) {
	if err := checkJoinRequest(member.PublicKey(), JoinRequest{Name: name, DeviceKey: device.PublicKey()}); err != nil {
		return nil, fmt.Errorf("request to join: %w", err)
	}
	r, err := record.New(member, TypeJoinRequest, 1, coopID, now, []record.ID{coopID},
		JoinRequest{Name: name, DeviceKey: device.PublicKey(), DeviceLabel: label, Invite: invite})
	if err == nil {
		r, err = r.CoSign(device)
	}
	if err != nil {
		return nil, fmt.Errorf("request to join: %w", err)
	}
	return r, nil
}

// checkJoinRequest is what makes a join request well-formed; the fold and
// RequestJoin share it so a request that builds is one the fold accepts.
func checkJoinRequest(member record.PublicKey, j JoinRequest) error {
	if j.Name == "" {
		return errors.New("a join request needs the joiner's name")
	}
	if err := member.Check(); err != nil {
		return fmt.Errorf("member key: %w", err)
	}
	if err := j.DeviceKey.Check(); err != nil {
		return fmt.Errorf("device key: %w", err)
	}
	if j.DeviceKey == member {
		return errors.New("the device key must differ from the member key that signs the join request")
	}
	return nil
}

// AdmitRequest builds an admission answering join request req, signed by the
// admitting member's device: the new member's name and member key come from
// the request, and the request's device key is certified by this admission.
// prev must include the admitter's device certificate; req is added to it.
func AdmitRequest(device record.Signer, coopID record.ID, req *record.Record, class string, roles []string, now time.Time, prev ...record.ID) (*record.Record, error) {
	if req.Type != TypeJoinRequest {
		return nil, fmt.Errorf("admit a join request: record %s is a %s, not a join request", req.ID.Short(), req.Type)
	}
	if req.Coop != coopID {
		return nil, fmt.Errorf("admit a join request: request %s asks to join another co-op (%s)", req.ID.Short(), req.Coop.Short())
	}
	var j JoinRequest
	if err := req.DecodeBody(&j); err != nil {
		return nil, fmt.Errorf("admit a join request: %w", err)
	}
	p := Profile{Name: j.Name, MemberKey: req.Author, Class: class, Roles: roles, Request: req.ID}
	return Admit(device, coopID, p, now, append([]record.ID{req.ID}, prev...)...)
}

// RevokeDevice builds the revocation of member's device key, signed by the
// member key or another of the member's devices.
//
// A revocation is final: whatever the key signed outside the revocation's
// causal past becomes invalid on every node. So prev must include the key's
// certificate, the signer's own certificate (when a device signs), and the
// latest records of the key that should stay valid (KeyHeads gives them).
func RevokeDevice(signer record.Signer, coopID record.ID, member MemberID, device record.PublicKey, reason string, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(signer, TypeRevoked, 1, coopID, now, prev, Revocation{Member: member, Key: device, Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("revoke device %s: %w", device.String()[:12], err)
	}
	return r, nil
}

// Resign builds a member's resignation (a member.removed of themselves),
// signed by their member key or one of their devices.
//
// A resignation is final: whatever the member's keys signed outside its
// causal past becomes invalid on every node. So prev must include the
// signer's certificate (when a device signs) and the latest records of the
// member's keys that should stay valid (KeyHeads gives them).
func Resign(signer record.Signer, coopID record.ID, member MemberID, reason string, now time.Time, prev ...record.ID) (*record.Record, error) {
	r, err := record.New(signer, TypeRemoved, 1, coopID, now, prev, Removal{Member: member, Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("resign: %w", err)
	}
	return r, nil
}
