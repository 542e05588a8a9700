package coop

import (
	"fmt"

	"github.com/coopnode/coopnode/node/record"
)

// Proof of possession. A device key proves it is one member's device by
// co-signing, over the whole payload, a version 2 certificate or a join
// request that names it (see Device). Only the key's holder can make such
// a signature, so any proof in the set, valid or not, is the holder's own
// word about whose device the key is. Certificates without one (version 1,
// and admissions answering a join request the device did not co-sign) stay
// valid, for existing co-ops, unless the key proved itself for another
// member key: then they are refused, wherever they sit in the graph. That
// judgement depends on the whole set, not on a record's causal past, since
// a signer chooses its causal past freely; so the fold finds every proof
// before it applies anything (graph.possession).

// proof is one record in which device key co-signed for member key member.
type proof struct {
	member record.PublicKey
	rec    record.ID
}

// coSigned reports whether key made one of r's co-signatures (not the
// author's signature: a key cannot vouch for itself as its own device).
func coSigned(r *record.Record, key record.PublicKey) bool {
	for _, s := range r.Sigs[min(1, len(r.Sigs)):] {
		if s.Key == key {
			return true
		}
	}
	return false
}

// proofIn returns the device key r proves and for whom, if r is a proof
// (signatures are verified when a record is decoded).
func proofIn(coop record.ID, r *record.Record) (record.PublicKey, proof, bool) {
	if r.Coop != coop || !Known(r.Type, r.V) {
		return record.PublicKey{}, proof{}, false
	}
	switch {
	case r.Type == TypeDevice && r.V >= 2:
		var d Device
		if r.DecodeBody(&d) == nil && coSigned(r, d.Key) {
			return d.Key, proof{member: r.Author, rec: r.ID}, true
		}
	case r.Type == TypeJoinRequest:
		var j JoinRequest
		if r.DecodeBody(&j) == nil && coSigned(r, j.DeviceKey) {
			return j.DeviceKey, proof{member: r.Author, rec: r.ID}, true
		}
	}
	return record.PublicKey{}, proof{}, false
}

// possession returns every proof among g's records, per device key, in
// fold order: computed once per graph, before its first fold.
func (g *graph) possession(coop record.ID) map[record.PublicKey][]proof {
	if g.proofs == nil {
		g.proofs = map[record.PublicKey][]proof{}
		for _, r := range g.recs {
			if k, p, ok := proofIn(coop, r); ok {
				g.proofs[k] = append(g.proofs[k], p)
			}
		}
	}
	return g.proofs
}

// unprovenClaim says why a certificate without proof may not make key a
// device of the member whose member key is member ("" if it may): the key
// proved itself a device of another member key somewhere in the set.
func (s *State) unprovenClaim(key, member record.PublicKey) string {
	ps := s.g.proofs[key]
	for _, p := range ps {
		if p.member == member {
			return ""
		}
	}
	if len(ps) == 0 {
		return ""
	}
	s.outranked = true
	return fmt.Sprintf("device key %s proved it is another member's device (its own signature on record %s), and a certificate without the key's signature cannot claim it: certify a key you hold, with a version 2 certificate the device co-signs",
		key.String()[:12], ps[0].rec.Short())
}

// possessionNeedsFold reports whether r can change which certificates
// without proof stand, or be judged by that, so that a Folder must fold
// the whole set rather than apply r to the state directly.
func (s *State) possessionNeedsFold(r *record.Record) bool {
	switch r.Type {
	case TypeDevice:
		var d Device
		if r.DecodeBody(&d) != nil {
			return false // refused whatever the set holds
		}
		if r.V < 2 {
			return true
		}
		for _, c := range s.deviceOf[d.Key] {
			if c.member != d.Member {
				return true
			}
		}
	case TypeJoinRequest:
		if k, _, ok := proofIn(s.CoopID, r); ok {
			return len(s.deviceOf[k]) > 0
		}
	case TypeAdmitted:
		var p Profile
		if r.DecodeBody(&p) != nil || p.Request.IsZero() {
			return false
		}
		rq, ok := s.requests[p.Request]
		return !ok || !rq.proven
	}
	return false
}
