package coop

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// A snapshot is a Folder written down: the folded state and the graph it
// was folded over, so a node that restarts goes on from it without folding
// (or even reading) the records again. It is derived data, like an index:
// the records stay the truth, and a snapshot that does not decode, or
// names records the store lacks, is thrown away and the records folded.
//
// The encoding is this package's own (see wenc): it is written and read
// by the same code, never sent to anyone, and decodes several hundred
// thousand records' worth of state in well under a second.

var snapshotMagic = []byte("coopnode folder snapshot v3\x00")

// Snapshot appends f's state and graph to buf and returns it, folding
// first if a full fold is due. Records given to f after it was taken are
// given again to the Folder ReadFolder restores (see Covers).
func (f *Folder) Snapshot(buf []byte) ([]byte, error) {
	e := &wenc{b: buf}
	if err := f.snapshot(e); err != nil {
		return nil, err
	}
	return e.b, nil
}

// WriteSnapshot writes what Snapshot gives to w, in pieces of a few hundred
// KB: a large co-op's snapshot is never in memory whole.
func (f *Folder) WriteSnapshot(w io.Writer) error { return f.writeSnapshot(w, wencPiece) }

func (f *Folder) writeSnapshot(w io.Writer, piece int) error {
	e := &wenc{w: w, piece: piece}
	if err := f.snapshot(e); err != nil {
		return err
	}
	e.flush()
	if e.err != nil {
		return fmt.Errorf("write snapshot: %w", e.err)
	}
	return nil
}

func (f *Folder) snapshot(e *wenc) error {
	s, err := f.State()
	if err != nil {
		return err
	}
	e.b = append(e.b, snapshotMagic...)
	e.str(foldRules())
	e.id(f.coop)
	f.g.encode(e)
	s.encode(e)
	return nil
}

// Covers lists the IDs of the records a snapshot of f covers: those in its
// graph and those pending. A store holding records outside this set gives
// them to the restored Folder's Add.
func (f *Folder) Covers() ([]record.ID, error) {
	if _, err := f.State(); err != nil {
		return nil, err
	}
	out := make([]record.ID, 0, len(f.g.nodes)+len(f.g.pending))
	for _, n := range f.g.nodes {
		out = append(out, n.ID)
	}
	return append(out, f.g.pending...), nil
}

// ReadFolder restores a Folder from a snapshot of co-op coop. A full fold,
// when one is due, reads every record from src (see UseSource). The
// records the snapshot covers are given by Folder.Covers.
func ReadFolder(coop record.ID, snap []byte, src Source) (*Folder, error) {
	return readFolder(coop, &wdec{b: snap}, src)
}

// ReadFolderFrom is ReadFolder reading a snapshot of size bytes from r, a
// piece at a time.
func ReadFolderFrom(coop record.ID, r io.Reader, size int64, src Source) (*Folder, error) {
	return readFolder(coop, &wdec{r: r, left: size, piece: wdecPiece}, src)
}

func readFolder(coop record.ID, d *wdec, src Source) (*Folder, error) {
	if !bytes.Equal(d.take(len(snapshotMagic)), snapshotMagic) {
		if d.err != nil {
			return nil, d.err
		}
		return nil, fmt.Errorf("%w: not a snapshot", ErrSnapshot)
	}
	if rules := d.str(); rules != foldRules() && d.err == nil {
		// Written by a version that folds otherwise (knows other types or
		// schema versions): its state is not ours to go on from.
		return nil, fmt.Errorf("%w: folded by other rules (%s)", ErrSnapshot, rules)
	}
	if c := record.ID(d.id()); c != coop && d.err == nil {
		return nil, fmt.Errorf("%w: of co-op %s, not %s", ErrSnapshot, c.Short(), coop.Short())
	}
	g := decodeGraph(d)
	s := decodeState(d, g)
	if d.err == nil && d.remaining() != 0 {
		d.fail("end (trailing bytes)")
	}
	if d.err != nil {
		return nil, d.err
	}
	f := &Folder{coop: coop, src: src, s: s, g: g}
	f.rejected = rejectedSet(s.Rejected)
	return f, nil
}

// foldRulesVersion changes whenever the fold would give another state for
// the same records; with the record types and schema versions known, it
// says which states a snapshot may hold.
const foldRulesVersion = 2

func foldRules() string {
	s := fmt.Sprintf("fold %d;", foldRulesVersion)
	for _, t := range slices.Sorted(maps.Keys(schemas)) {
		s += fmt.Sprintf(" %s/%d", t, schemas[t])
	}
	return s
}

func (g *graph) encode(e *wenc) {
	// Types and authors repeat: write each once and refer to it by number.
	types, authors := map[string]int{}, map[record.PublicKey]int{}
	var typeList []string
	var authorList []record.PublicKey
	for _, n := range g.nodes {
		if _, ok := types[n.Type]; !ok {
			types[n.Type] = len(typeList)
			typeList = append(typeList, n.Type)
		}
		if _, ok := authors[n.Author]; !ok {
			authors[n.Author] = len(authorList)
			authorList = append(authorList, n.Author)
		}
	}
	e.strs(typeList)
	e.keys(authorList)
	e.n(len(g.nodes))
	for i, n := range g.nodes {
		e.id(n.ID)
		e.n(types[n.Type])
		e.n(authors[n.Author])
		e.n(len(g.prev[i]))
		for _, p := range g.prev[i] {
			e.n(i - int(p)) // predecessors come first: a positive distance
		}
	}
	e.ids(g.pending)
	waiting := slices.Collect(maps.Keys(g.waiting))
	sortIDs(waiting)
	e.ids(waiting)
}

func decodeGraph(d *wdec) *graph {
	typeList := d.strs()
	for i, t := range typeList {
		typeList[i] = internType(t)
	}
	authorList := d.keys()
	n := d.n(34)
	g := &graph{nodes: make([]gnode, n), pos: make(map[record.ID]int32, n), prev: make([][]int32, n),
		children: make([][]int32, n), byAuthor: make(map[record.PublicKey][]int32, len(authorList)),
		seen: make([]uint32, n), waiting: map[record.ID]bool{}}
	// One array for every prev list: fewer allocations, less memory.
	var all []int32
	for i := 0; i < n && d.err == nil; i++ {
		id := record.ID(d.id())
		t, a, k := d.n(0), d.n(0), d.n(1)
		if t >= len(typeList) || a >= len(authorList) {
			d.fail("graph node")
			break
		}
		if _, dup := g.pos[id]; dup {
			d.fail("graph (a record twice)")
			break
		}
		g.nodes[i] = gnode{ID: id, Type: typeList[t], Author: authorList[a]}
		g.pos[id] = int32(i)
		g.byAuthor[authorList[a]] = append(g.byAuthor[authorList[a]], int32(i))
		start := len(all)
		for range k {
			dist := d.n(0)
			if dist < 1 || dist > i {
				d.fail("graph edge")
				break
			}
			j := int32(i - dist)
			all = append(all, j)
			g.children[j] = append(g.children[j], int32(i))
		}
		if k > 0 {
			g.prev[i] = all[start:len(all):len(all)]
		}
	}
	g.pending = d.ids()
	for _, id := range d.ids() {
		g.waiting[id] = true
	}
	return g
}

// Containers of the state are written in a fixed order (by ID or key) so
// that equal states give equal snapshots.

func sortedKeys[K ~[32]byte, V any](m map[K]V) []K {
	ks := slices.Collect(maps.Keys(m))
	slices.SortFunc(ks, func(a, b K) int { return bytes.Compare(a[:], b[:]) })
	return ks
}

func (s *State) encode(e *wenc) {
	e.id(s.CoopID)
	e.str(s.Name)
	e.time(s.Founded)
	e.json(s.Bylaws)
	e.id(s.BylawsFrom)
	e.count(len(s.Members), s.Members == nil)
	for _, id := range sortedKeys(s.Members) {
		s.Members[id].encode(e)
	}
	e.i(int64(s.Applied))
	e.ids(s.Pending)
	e.ids(s.NeedsNewer)
	e.count(len(s.Rejected), s.Rejected == nil)
	for _, r := range s.Rejected {
		e.id(r.ID)
		e.str(r.Type)
		e.str(r.Reason)
		e.id(r.Cut)
		e.bool(r.Void)
		e.id(r.LeftOut)
		e.bool(r.Outranked)
	}
	e.count(len(s.memberByKey), s.memberByKey == nil)
	for _, k := range sortedKeys(s.memberByKey) {
		e.id(k)
		e.members(s.memberByKey[k])
	}
	e.count(len(s.deviceOf), s.deviceOf == nil)
	for _, k := range sortedKeys(s.deviceOf) {
		e.id(k)
		encodeCerts(e, s.deviceOf[k])
	}
	e.count(len(s.requests), s.requests == nil)
	for _, id := range sortedKeys(s.requests) {
		rq := s.requests[id]
		e.id(id)
		e.id(rq.member)
		e.bool(rq.proven)
		e.str(rq.Name)
		e.id(rq.DeviceKey)
		e.str(rq.DeviceLabel)
		e.str(rq.Invite)
	}
	e.count(len(s.revoked), s.revoked == nil)
	for _, k := range sortedKeys(s.revoked) {
		e.id(k)
		rv := s.revoked[k]
		e.count(len(rv), rv == nil)
		for _, r := range rv {
			e.id(r.id)
		}
	}
	e.count(len(s.cutters), s.cutters == nil)
	for _, c := range s.cutters {
		e.id(c.id)
		e.i(int64(c.pos))
		e.keys(c.keys)
		e.keys(c.consentKeys)
		e.bool(c.byMemberKey)
		e.bool(c.resignation)
		e.bool(c.removal)
		e.str(c.name)
	}
	e.count(len(s.proposals), s.proposals == nil)
	for _, id := range sortedKeys(s.proposals) {
		s.proposals[id].encode(e)
	}
	encodeIDLists(e, s.closes)
	encodeCands(e, s.cands)
	e.count(len(s.delegations), s.delegations == nil)
	for _, m := range sortedKeys(s.delegations) {
		e.id(m)
		ds := s.delegations[m]
		e.count(len(ds), ds == nil)
		for _, dl := range ds {
			e.id(dl.id)
			e.i(int64(dl.pos))
			e.id(dl.from)
			e.id(dl.Delegate)
			e.id(dl.Proposal)
			e.str(dl.Kind)
		}
	}
	encodeIDLists(e, s.delegEnded)
	e.count(len(s.delegReplaced), s.delegReplaced == nil)
	for _, id := range sortedKeys(s.delegReplaced) {
		e.id(id)
		e.bool(s.delegReplaced[id])
	}
	e.i(int64(s.firstDelegation))
	e.json(s.genesisBylaws)
	e.count(len(s.amendments), s.amendments == nil)
	for _, a := range s.amendments {
		e.id(a.id)
		e.json(a.bylaws)
	}
	e.ids(s.frontier)
	// Every version is in versionOrder and in versions; write the order.
	e.count(len(s.versionOrder), s.versionOrder == nil)
	for _, v := range s.versionOrder {
		e.id(v.ID)
		e.id(v.Agreement)
		e.i(int64(v.Number))
		e.json(v.Terms)
		e.str(v.TextDigest)
		e.id(v.Adopted)
		e.time(v.AdoptedAt)
	}
	e.bool(s.versions == nil)
	e.count(len(s.consentKeys), s.consentKeys == nil)
	for _, k := range sortedKeys(s.consentKeys) {
		e.id(k)
		encodeKeyReg(e, s.consentKeys[k])
	}
	// Receipts by signing key; the map by ID is rebuilt from them.
	e.bool(s.receipts == nil)
	e.count(len(s.receiptsBy), s.receiptsBy == nil)
	for _, k := range sortedKeys(s.receiptsBy) {
		e.id(k)
		rs := s.receiptsBy[k]
		e.count(len(rs), rs == nil)
		for _, r := range rs {
			e.id(r.ID)
			e.time(r.Time)
			e.str(r.Event)
			e.id(r.Version)
		}
	}
	e.count(len(s.consents.Grants), s.consents.Grants == nil)
	for _, g := range s.consents.Grants {
		e.id(g.ID)
		e.id(g.Principal)
		e.id(g.Version)
		encodePurposes(e, g.Purposes)
		encodeItems(e, g.Items)
		e.strs(g.Categories)
		e.strs(g.Recipients)
		e.time(g.From)
		e.time(g.Until)
		e.time(g.Time)
		e.ids(g.Withdrawals)
		e.id(g.Removal)
	}
	e.count(len(s.consents.Refusals), s.consents.Refusals == nil)
	for _, r := range s.consents.Refusals {
		e.id(r.ID)
		e.id(r.Principal)
		e.id(r.Version)
		e.time(r.Time)
	}
}

func decodeState(d *wdec, g *graph) *State {
	s := &State{}
	s.CoopID = d.id()
	s.Name = d.str()
	s.Founded = d.time()
	d.json(&s.Bylaws)
	s.BylawsFrom = d.id()
	if k := d.count(32); k >= 0 {
		s.Members = make(map[MemberID]*Member, k)
		for range k {
			m := decodeMember(d)
			s.Members[m.ID] = m
		}
	}
	s.Applied = d.int()
	s.Pending = d.ids()
	s.NeedsNewer = d.ids()
	for _, id := range s.NeedsNewer {
		if s.newer == nil {
			s.newer = map[record.ID]bool{}
		}
		s.newer[id] = true
	}
	if k := d.count(66); k >= 0 {
		s.Rejected = make([]Rejection, k)
		for i := range s.Rejected {
			s.Rejected[i] = Rejection{ID: d.id(), Type: internType(d.str()), Reason: d.str(), Cut: d.id(), Void: d.bool(), LeftOut: d.id(), Outranked: d.bool()}
		}
	}
	if k := d.count(33); k >= 0 {
		s.memberByKey = make(map[record.PublicKey][]MemberID, k)
		for range k {
			key := record.PublicKey(d.id())
			s.memberByKey[key] = d.members()
		}
	}
	if k := d.count(33); k >= 0 {
		s.deviceOf = make(map[record.PublicKey][]deviceCert, k)
		for range k {
			key := record.PublicKey(d.id())
			s.deviceOf[key] = decodeCerts(d)
		}
	}
	if k := d.count(100); k >= 0 {
		s.requests = make(map[record.ID]joinRequest, k)
		for range k {
			id := record.ID(d.id())
			rq := joinRequest{member: d.id(), proven: d.bool()}
			rq.Name, rq.DeviceKey, rq.DeviceLabel, rq.Invite = d.str(), d.id(), d.str(), d.str()
			s.requests[id] = rq
		}
	}
	if k := d.count(33); k >= 0 {
		s.revoked = make(map[record.PublicKey][]revocation, k)
		for range k {
			key := record.PublicKey(d.id())
			var rv []revocation
			if j := d.count(32); j >= 0 {
				rv = make([]revocation, j)
				for i := range rv {
					rv[i].id = d.id()
				}
			}
			s.revoked[key] = rv
		}
	}
	if k := d.count(38); k >= 0 {
		s.cutters = make([]cutter, k)
		for i := range s.cutters {
			c := &s.cutters[i]
			c.id, c.pos, c.keys, c.consentKeys = d.id(), d.pos(g), d.keys(), d.keys()
			c.byMemberKey, c.resignation, c.removal, c.name = d.bool(), d.bool(), d.bool(), d.str()
		}
	}
	if k := d.count(64); k >= 0 {
		s.proposals = make(map[record.ID]*ProposalState, k)
		for range k {
			p := decodeProposal(d, g)
			s.proposals[p.ID] = p
		}
	}
	s.closes = decodeIDLists(d)
	s.cands = decodeCands(d, g)
	if k := d.count(33); k >= 0 {
		s.delegations = make(map[MemberID][]delegation, k)
		for range k {
			m := MemberID(d.id())
			var ds []delegation
			if j := d.count(130); j >= 0 {
				ds = make([]delegation, j)
				for i := range ds {
					dl := &ds[i]
					dl.id, dl.pos, dl.from = d.id(), d.pos(g), d.id()
					dl.Delegate, dl.Proposal, dl.Kind = d.id(), d.id(), d.str()
				}
			}
			s.delegations[m] = ds
		}
	}
	s.delegEnded = decodeIDLists(d)
	if k := d.count(33); k >= 0 {
		s.delegReplaced = make(map[record.ID]bool, k)
		for range k {
			id := record.ID(d.id())
			s.delegReplaced[id] = d.bool()
		}
	}
	s.firstDelegation = int32(d.int())
	if s.firstDelegation < -1 || int(s.firstDelegation) >= len(g.nodes) {
		d.fail("delegation position")
	}
	d.json(&s.genesisBylaws)
	if k := d.count(33); k >= 0 {
		s.amendments = make([]amendment, k)
		for i := range s.amendments {
			s.amendments[i].id = d.id()
			d.json(&s.amendments[i].bylaws)
		}
	}
	s.frontier = d.ids()
	if k := d.count(100); k >= 0 {
		s.versionOrder = make([]*AgreementVersion, k)
		for i := range s.versionOrder {
			v := &AgreementVersion{ID: d.id(), Agreement: d.id(), Number: d.int()}
			d.json(&v.Terms)
			v.TextDigest, v.Adopted, v.AdoptedAt = d.str(), d.id(), d.time()
			s.versionOrder[i] = v
		}
	}
	if !d.bool() {
		s.versions = make(map[record.ID]*AgreementVersion, len(s.versionOrder))
		for _, v := range s.versionOrder {
			s.versions[v.ID] = v
		}
	}
	if k := d.count(33); k >= 0 {
		s.consentKeys = make(map[record.PublicKey]consentKeyReg, k)
		for range k {
			key := record.PublicKey(d.id())
			s.consentKeys[key] = decodeKeyReg(d)
		}
	}
	nilReceipts := d.bool()
	if k := d.count(33); k >= 0 {
		s.receiptsBy = make(map[record.PublicKey][]*Receipt, k)
		if !nilReceipts {
			s.receipts = map[record.ID]*Receipt{}
		}
		for range k {
			key := record.PublicKey(d.id())
			var rs []*Receipt
			if j := d.count(60); j >= 0 {
				rs = make([]*Receipt, j)
				all := make([]Receipt, j) // one allocation per key
				for i := range rs {
					all[i] = Receipt{ID: d.id(), Principal: key, Time: d.time(), Event: internEvent(d.istr()), Version: d.id()}
					rs[i] = &all[i]
					if s.receipts == nil {
						d.fail("receipts without an index")
						break
					}
					s.receipts[rs[i].ID] = rs[i]
				}
			}
			s.receiptsBy[key] = rs
		}
	} else if !nilReceipts {
		s.receipts = map[record.ID]*Receipt{}
	}
	if k := d.count(100); k >= 0 {
		grants := make([]*consent.Grant, k)
		for i := range grants {
			gr := &consent.Grant{ID: d.id(), Principal: d.id(), Version: d.id()}
			gr.Purposes, gr.Items, gr.Categories, gr.Recipients = decodePurposes(d), decodeItems(d), d.istrs(), d.istrs()
			gr.From, gr.Until, gr.Time = d.time(), d.time(), d.time()
			gr.Withdrawals, gr.Removal = d.ids(), d.id()
			grants[i] = gr
		}
		for _, gr := range grants {
			if gr != nil {
				s.consents.Add(gr)
			}
		}
		if k == 0 {
			s.consents.Grants = []*consent.Grant{}
		}
	}
	if k := d.count(97); k >= 0 {
		s.consents.Refusals = make([]consent.Refusal, k)
		for i := range s.consents.Refusals {
			s.consents.Refusals[i] = consent.Refusal{ID: d.id(), Principal: d.id(), Version: d.id(), Time: d.time()}
		}
	}
	return s
}

// pos reads a position in g.
func (d *wdec) pos(g *graph) int32 {
	p := d.int()
	if p < 0 || p >= len(g.nodes) {
		d.fail("graph position")
		return 0
	}
	return int32(p)
}

func encodeCands(e *wenc, m map[record.ID][]closeCand) {
	e.count(len(m), m == nil)
	for _, pid := range sortedKeys(m) {
		e.id(pid)
		e.count(len(m[pid]), false)
		for _, c := range m[pid] {
			e.id(c.id)
			e.i(int64(c.pos))
			e.id(c.by)
			e.ids(c.counted)
			e.members(c.tellers)
			e.bool(c.tellered)
		}
	}
}

func decodeCands(d *wdec, g *graph) map[record.ID][]closeCand {
	k := d.count(33)
	if k < 0 {
		return nil
	}
	m := make(map[record.ID][]closeCand, k)
	for range k {
		pid := d.id()
		n := max(d.count(64), 0)
		cs := make([]closeCand, n)
		for i := range cs {
			cs[i] = closeCand{id: d.id(), pos: d.pos(g), by: d.id(), counted: d.ids(), tellers: d.members(), tellered: d.bool()}
		}
		m[pid] = cs
	}
	return m
}

func encodeIDLists(e *wenc, m map[record.ID][]record.ID) {
	e.count(len(m), m == nil)
	for _, id := range sortedKeys(m) {
		e.id(id)
		e.ids(m[id])
	}
}

func decodeIDLists(d *wdec) map[record.ID][]record.ID {
	k := d.count(33)
	if k < 0 {
		return nil
	}
	m := make(map[record.ID][]record.ID, k)
	for range k {
		id := record.ID(d.id())
		m[id] = d.ids()
	}
	return m
}

func encodeCerts(e *wenc, cs []deviceCert) {
	e.count(len(cs), cs == nil)
	for _, c := range cs {
		e.id(c.member)
		e.id(c.cert)
		e.id(c.key)
	}
}

func decodeCerts(d *wdec) []deviceCert {
	k := d.count(96)
	if k < 0 {
		return nil
	}
	cs := make([]deviceCert, k)
	for i := range cs {
		cs[i] = deviceCert{member: d.id(), cert: d.id(), key: d.id()}
	}
	return cs
}

func encodeKeyReg(e *wenc, k consentKeyReg) {
	e.id(k.id)
	e.id(k.member)
	e.id(k.key)
}

func decodeKeyReg(d *wdec) consentKeyReg {
	return consentKeyReg{id: d.id(), member: d.id(), key: d.id()}
}

func (m *Member) encode(e *wenc) {
	e.id(m.ID)
	e.str(m.Name)
	e.id(m.Key)
	e.str(m.Class)
	e.strs(m.Roles)
	e.time(m.Admitted)
	e.id(m.AdmittedBy)
	e.bool(m.Founder)
	e.keys(m.Devices)
	e.keys(m.Revoked)
	e.bool(m.Removed)
	e.id(m.Removal)
	e.time(m.RemovedAt)
	encodeCerts(e, m.certs)
	e.str(m.firstClass)
	e.strs(m.firstRoles)
	e.count(len(m.changes), m.changes == nil)
	for _, c := range m.changes {
		e.id(c.id)
		e.str(c.class)
		e.strs(c.roles)
	}
	e.ids(m.removals)
	e.count(len(m.consentKeys), m.consentKeys == nil)
	for _, k := range m.consentKeys {
		encodeKeyReg(e, k)
	}
}

func decodeMember(d *wdec) *Member {
	m := &Member{ID: d.id(), Name: d.str(), Key: d.id(), Class: d.str(), Roles: d.strs(), Admitted: d.time(),
		AdmittedBy: d.id(), Founder: d.bool(), Devices: d.keys(), Revoked: d.keys(), Removed: d.bool(),
		Removal: d.id(), RemovedAt: d.time()}
	m.certs = decodeCerts(d)
	m.firstClass, m.firstRoles = d.str(), d.strs()
	if k := d.count(34); k >= 0 {
		m.changes = make([]profileChange, k)
		for i := range m.changes {
			m.changes[i] = profileChange{id: d.id(), class: d.str(), roles: d.strs()}
		}
	}
	m.removals = d.ids()
	if k := d.count(96); k >= 0 {
		m.consentKeys = make([]consentKeyReg, k)
		for i := range m.consentKeys {
			m.consentKeys[i] = decodeKeyReg(d)
		}
	}
	return m
}

func (p *ProposalState) encode(e *wenc) {
	e.id(p.ID)
	e.id(p.Author)
	e.time(p.Opened)
	e.time(p.ClosesAt)
	e.json(p.Proposal)
	e.members(p.Eligible)
	e.json(p.Rules)
	e.i(int64(p.Grace))
	e.i(int64(p.Tellers))
	e.count(len(p.Ballots), p.Ballots == nil)
	for _, b := range p.Ballots {
		e.id(b.ID)
		e.id(b.Voter)
		e.time(b.Time)
		encodeVote(e, b.Vote)
		e.i(int64(b.pos))
	}
	e.bool(p.Close != nil)
	if c := p.Close; c != nil {
		e.id(c.ID)
		e.id(c.By)
		e.time(c.Time)
		e.json(c.Result)
		e.members(c.Tellers)
	}
	e.bool(p.Now != nil)
	if c := p.Now; c != nil {
		e.ids(c.Counted)
		e.count(len(c.Proxies), c.Proxies == nil)
		for _, px := range c.Proxies {
			e.id(px.Member)
			e.id(px.Ballot)
			e.ids(px.Via)
		}
		e.count(len(c.NotCounted), c.NotCounted == nil)
		for _, nc := range c.NotCounted {
			e.id(nc.Ballot)
			e.id(nc.Voter)
			e.str(nc.Reason)
		}
		e.json(c.Result)
		e.ids(c.uses)
	}
	e.str(p.Effect)
	e.i(int64(p.pos))
	// byID indexes Ballots: rebuilt.
	e.bool(p.byID == nil)
}

func decodeProposal(d *wdec, g *graph) *ProposalState {
	p := &ProposalState{ID: d.id(), Author: d.id(), Opened: d.time(), ClosesAt: d.time()}
	d.json(&p.Proposal)
	p.Eligible = d.members()
	// Proposals opened on the same roll share one list (read only): a
	// co-op of thousands with hundreds of proposals saves tens of MB.
	if same, ok := d.rolls[p.Roll.Hash]; ok && slices.Equal(same, p.Eligible) {
		p.Eligible = same
	} else if p.Eligible != nil {
		if d.rolls == nil {
			d.rolls = map[string][]MemberID{}
		}
		d.rolls[p.Roll.Hash] = p.Eligible
	}
	d.json(&p.Rules)
	p.Grace = time.Duration(d.i())
	p.Tellers = int(d.i())
	if k := d.count(100); k >= 0 {
		p.Ballots = make([]*BallotState, k)
		// One array for all of a proposal's ballots: fewer allocations.
		arr := make([]BallotState, k)
		for i := range p.Ballots {
			b := &arr[i]
			b.ID, b.Voter, b.Time = d.id(), d.id(), d.time()
			b.Vote = decodeVote(d)
			b.pos = d.pos(g)
			p.Ballots[i] = b
		}
	}
	if d.bool() {
		p.Close = &CloseState{ID: d.id(), By: d.id(), Time: d.time()}
		d.json(&p.Close.Result)
		p.Close.Tellers = d.members()
	}
	if d.bool() {
		c := &Count{Counted: d.ids()}
		if k := d.count(65); k >= 0 {
			c.Proxies = make([]Proxy, k)
			for i := range c.Proxies {
				c.Proxies[i] = Proxy{Member: d.id(), Ballot: d.id(), Via: d.ids()}
			}
		}
		if k := d.count(65); k >= 0 {
			c.NotCounted = make([]NotCounted, k)
			for i := range c.NotCounted {
				c.NotCounted[i] = NotCounted{Ballot: d.id(), Voter: d.id(), Reason: d.str()}
			}
		}
		d.json(&c.Result)
		c.uses = d.ids()
		p.Now = c
	}
	p.Effect = d.str()
	p.pos = d.pos(g)
	if !d.bool() {
		p.byID = make(map[record.ID]*BallotState, len(p.Ballots))
		for _, b := range p.Ballots {
			p.byID[b.ID] = b
		}
	}
	return p
}

func encodeVote(e *wenc, v tally.Ballot) {
	e.str(v.Position)
	e.str(v.Reason)
	e.ints(v.Choices)
	e.ints(v.Points)
}

func decodeVote(d *wdec) tally.Ballot {
	return tally.Ballot{Position: d.istr(), Reason: d.str(), Choices: d.ints(), Points: d.ints()}
}

func encodePurposes(e *wenc, ps []consent.Purpose) {
	e.count(len(ps), ps == nil)
	for _, p := range ps {
		e.str(string(p))
	}
}

func decodePurposes(d *wdec) []consent.Purpose {
	k := d.count(1)
	if k < 0 {
		return nil
	}
	ps := make([]consent.Purpose, k)
	for i := range ps {
		ps[i] = consent.Purpose(d.istr())
	}
	return ps
}

func encodeItems(e *wenc, its []consent.Item) {
	e.count(len(its), its == nil)
	for _, it := range its {
		e.id(it)
	}
}

func decodeItems(d *wdec) []consent.Item {
	k := d.count(32)
	if k < 0 {
		return nil
	}
	its := make([]consent.Item, k)
	for i := range its {
		its[i] = d.id()
	}
	return its
}
