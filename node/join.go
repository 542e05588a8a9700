package node

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

// ErrNotJoinRequest: the record given to Admit is not a join request of this co-op.
var ErrNotJoinRequest = errors.New("not a join request of this co-op")

// Device is this node's device key as a signer (for the libp2p host). The
// private key stays in package identity.
func (n *Node) Device() record.Signer { return n.keys.Device() }

// Secret is a stable secret for purpose, derived from this node's keys (for
// keys a transport needs of its own, such as QUIC's stateless-reset key).
func (n *Node) Secret(purpose string) []byte { return n.keys.StorageKey(purpose) }

// Admitted reports whether this node's member key is a current member.
func (n *Node) Admitted() bool {
	m, ok := n.State().MemberByKey(n.MemberKey())
	return ok && m.Key == n.MemberKey() && !m.Removed
}

// RequestJoin signs a request to join with this node's member key (asking
// for this device to be certified too), stores it and returns it. invite
// names the invite it answers.
func (n *Node) RequestJoin(name, invite string) (*record.Record, error) {
	label := n.opts.DeviceLabel
	if label == "" {
		label, _ = os.Hostname()
	}
	req, err := coop.RequestJoin(n.keys.Member(), n.keys.Device(), n.coop, name, label, invite, n.opts.now())
	if err != nil {
		return nil, err
	}
	if err := n.Put(req); err != nil {
		return nil, err
	}
	return req, nil
}

// OwnJoinRequests are the join requests this node's member signed (held
// pending here until the co-op's records arrive), oldest first.
func (n *Node) OwnJoinRequests() []JoinRequest {
	var out []JoinRequest
	recs, _ := n.recordsOfType(coop.TypeJoinRequest) // a list: what can be read
	for _, r := range recs {
		var j coop.JoinRequest
		if r.Author == n.MemberKey() && r.DecodeBody(&j) == nil {
			out = append(out, JoinRequest{Record: r, Body: j})
		}
	}
	slices.SortFunc(out, func(a, b JoinRequest) int { return a.Record.Time.Compare(b.Record.Time) })
	return out
}

// JoinRequest is a request to join and whether it was answered.
type JoinRequest struct {
	Record   *record.Record
	Body     coop.JoinRequest
	Admitted bool // a member admitted it
}

// JoinRequests lists the valid join requests this node holds, oldest first.
func (n *Node) JoinRequests() []JoinRequest {
	s := n.State()
	answered := n.answered()
	skip := map[record.ID]bool{} // rejected or pending: not a request anyone can answer
	for _, r := range s.Rejected {
		skip[r.ID] = true
	}
	for _, id := range s.Pending {
		skip[id] = true
	}
	var out []JoinRequest
	recs, _ := n.recordsOfType(coop.TypeJoinRequest) // a list: what can be read
	for _, r := range recs {
		if skip[r.ID] {
			continue
		}
		var j coop.JoinRequest
		if r.DecodeBody(&j) != nil {
			continue
		}
		_, done := answered[r.ID]
		if m, ok := s.MemberByKey(r.Author); ok && m.Key == r.Author {
			done = true // admitted through another request
		}
		out = append(out, JoinRequest{Record: r, Body: j, Admitted: done})
	}
	slices.SortFunc(out, func(a, b JoinRequest) int {
		if c := a.Record.Time.Compare(b.Record.Time); c != 0 {
			return c
		}
		return record.CompareIDs(a.Record.ID, b.Record.ID)
	})
	return out
}

// Admit admits the member who sent join request req into class (the
// bylaws' first class if empty) with roles, signed by this node's device, and stores
// the admission (and the request, if new). It fails with ErrRefused and a
// reason when the bylaws do not let this member admit; any other error is
// this node failing.
func (n *Node) Admit(req *record.Record, class string, roles ...string) (*record.Record, error) {
	if req.Type != coop.TypeJoinRequest || req.Coop != n.coop {
		return nil, fmt.Errorf("record %s is %w", req.ID.Short(), ErrNotJoinRequest)
	}
	if err := n.Put(req); err != nil {
		return nil, fmt.Errorf("the join request: %w", err)
	}
	s := n.State()
	if err := s.MayAdmit(n.DeviceKey()); err != nil {
		return nil, refused(err)
	}
	if id, ok := n.answered()[req.ID]; ok {
		name := "the joiner"
		if m, ok := s.Members[id]; ok {
			name = m.Name
		}
		return nil, refusedf("request %s was already answered: %s is a member (%s)", req.ID.Short(), name, id.String()[:12])
	}
	if class == "" {
		class = s.Bylaws.Classes[0].Name
	}
	if !s.Bylaws.HasClass(class) {
		return nil, refusedf("class %q is not in the bylaws (classes: %s)", class, classNames(s.Bylaws))
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	// Naming the frontier: the admission follows every membership change this node knows.
	adm, err := coop.AdmitRequest(n.Device(), n.coop, req, class, roles, n.opts.now(), append(s.Frontier(), cert)...)
	if err != nil {
		return nil, refused(err)
	}
	if err := n.Put(adm); err != nil {
		return nil, err
	}
	for _, rj := range n.State().Rejected {
		if rj.ID == adm.ID {
			return adm, refusedf("the co-op's rules refuse this admission: %s", rj.Reason)
		}
	}
	return adm, nil
}

// answered maps each join request to the member its valid admission made.
func (n *Node) answered() map[record.ID]coop.MemberID {
	s := n.State()
	ids := make([]record.ID, 0, len(s.Members))
	for id := range s.Members {
		ids = append(ids, record.ID(id))
	}
	recs := map[record.ID]*record.Record{}
	for _, r := range n.Get(ids) {
		recs[r.ID] = r
	}
	out := map[record.ID]coop.MemberID{}
	for id, m := range s.Members {
		r, ok := recs[record.ID(id)]
		if ok && r.Type == coop.TypeClosed { // admitted by decision: the close is the admission
			var c coop.Closing
			if r.DecodeBody(&c) == nil {
				if p, ok := s.ProposalByID(c.Proposal); ok && !p.Request.IsZero() {
					out[p.Request] = id
				}
			}
			continue
		}
		if !ok || r.Type != coop.TypeAdmitted {
			continue
		}
		var p coop.Profile
		if r.DecodeBody(&p) == nil && !p.Request.IsZero() && p.MemberKey == m.Key {
			out[p.Request] = id
		}
	}
	return out
}

// deviceCert finds the record that certifies this node's device key: a
// device certificate, or the admission that answered our join request.
func (n *Node) deviceCert() (record.ID, error) {
	s := n.State()
	var found []record.ID
	recs, readErr := n.recordsOfType(coop.TypeDevice, coop.TypeClosed, coop.TypeAdmitted)
	for _, r := range recs {
		switch r.Type {
		case coop.TypeDevice:
			var d coop.Device
			if r.DecodeBody(&d) == nil && d.Key == n.DeviceKey() && r.Author == n.MemberKey() {
				found = append(found, r.ID)
			}
		case coop.TypeClosed: // admitted by decision: the close certifies the requested device
			if m, ok := s.Members[coop.MemberID(r.ID)]; ok && m.Key == n.MemberKey() && slices.Contains(m.Devices, n.DeviceKey()) {
				found = append(found, r.ID)
			}
		case coop.TypeAdmitted:
			var p coop.Profile
			if r.DecodeBody(&p) == nil && p.MemberKey == n.MemberKey() && !p.Request.IsZero() {
				if req := n.Get([]record.ID{p.Request}); len(req) == 1 && req[0].Author == n.MemberKey() {
					found = append(found, r.ID)
				}
			}
		}
	}
	rejected := map[record.ID]bool{}
	for _, rj := range s.Rejected {
		rejected[rj.ID] = true
	}
	found = slices.DeleteFunc(found, func(id record.ID) bool { return rejected[id] || slices.Contains(s.Pending, id) })
	if len(found) == 0 {
		if readErr != nil { // it may be among what could not be read
			return record.ID{}, fmt.Errorf("find this device's certificate: %w", readErr)
		}
		return record.ID{}, errNoCert
	}
	slices.SortFunc(found, record.CompareIDs)
	return found[0], nil
}

func classNames(b coop.Bylaws) string {
	var s string
	for i, c := range b.Classes {
		if i > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

// me is this node's member in the current state, if admitted and not removed.
func (n *Node) me() (*coop.Member, error) {
	m, ok := n.State().MemberByKey(n.MemberKey())
	if !ok || m.Key != n.MemberKey() {
		return nil, refusedf("this node's member is not a member of the co-op (yet)")
	}
	if m.Removed {
		return nil, refusedf("%s has left the co-op", m.Name)
	}
	return m, nil
}

// myHeads are the member's admission and the latest records of this
// member's keys (member key, every device, consent keys), the predecessors a revocation or resignation must name so
// that everything this member signed so far stays inside its cut.
func (n *Node) myHeads(m *coop.Member) ([]record.ID, error) {
	all, err := n.Records()
	if err != nil {
		return nil, err
	}
	heads := coop.KeyHeads(all, coop.KeysOf(m)...)
	if !slices.Contains(heads, record.ID(m.ID)) {
		heads = append(heads, record.ID(m.ID)) // the admission: the member exists in the record's past
	}
	slices.SortFunc(heads, record.CompareIDs)
	return heads, nil
}

// CertifyDevice certifies another device for this node's member: a new
// laptop, say. The certificate is signed with the member key and co-signed
// by device, the new device's key, which proves it holds that key (a
// version 2 certificate; see coop.Device): device signs on the new device,
// so it is a Signer that reaches it there, never its private key here.
func (n *Node) CertifyDevice(device record.Signer, label string) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	heads, err := n.myHeads(m)
	if err != nil {
		return nil, err
	}
	r, err := coop.CertifyDevice(n.keys.Member(), device, n.coop, m.ID, label, n.opts.now(), heads...)
	if err != nil {
		return nil, err
	}
	return r, n.putJudged(r)
}

// RevokeDevice revokes one of this member's device keys (a lost laptop),
// signed with the member key. It is final: whatever that key signs from
// now on is invalid everywhere.
func (n *Node) RevokeDevice(key record.PublicKey, reason string) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(m.Devices, key) {
		return nil, fmt.Errorf("%s is not one of %s's devices", key.String()[:12], m.Name)
	}
	heads, err := n.myHeads(m)
	if err != nil {
		return nil, err
	}
	r, err := coop.RevokeDevice(n.keys.Member(), n.coop, m.ID, key, reason, n.opts.now(), heads...)
	if err != nil {
		return nil, err
	}
	return r, n.putJudged(r)
}

// Resign records that this node's member leaves the co-op. It is final:
// whatever their keys sign from now on is invalid everywhere.
func (n *Node) Resign(reason string) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	heads, err := n.myHeads(m)
	if err != nil {
		return nil, err
	}
	r, err := coop.Resign(n.keys.Member(), n.coop, m.ID, reason, n.opts.now(), heads...)
	if err != nil {
		return nil, err
	}
	return r, n.putJudged(r)
}

// putJudged stores r and fails, saying why, if the co-op's rules refuse it
// (it stays stored: records are never deleted).
func (n *Node) putJudged(r *record.Record) error {
	if err := n.Put(r); err != nil {
		return err
	}
	for _, rj := range n.State().Rejected {
		if rj.ID == r.ID {
			return fmt.Errorf("the co-op's rules refuse %s: %s", r.Type, rj.Reason)
		}
	}
	return nil
}
