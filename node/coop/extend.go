package coop

import (
	"fmt"
	"maps"
	"slices"

	"github.com/coopnode/coopnode/node/record"
)

// A Folder keeps a co-op's state current as records arrive, without
// folding the whole set again for each new record where that can be
// avoided: a node holding the reference co-op (hundreds of thousands of
// records) would otherwise spend seconds on every ballot or receipt.
//
// Add applies a new record to the state directly when the result is
// certain to equal Fold of the whole set: the record's predecessors are all
// folded, no pending record waits for it, no revocation or removal cuts its
// key, and it is a ballot, a consent receipt, a proposal, or a close that
// has every membership and close record in its causal past and changes no
// membership (a general, agreement or bylaws proposal's close). Everything
// else (memberships, devices, revocations, removals, delegations, records
// that fill gaps, concurrent closes) makes the next State fold everything
// again, as before. The package's tests check the equality on every
// scenario they fold, record by record.
//
// States a Folder returns are never changed afterwards: Add builds a new
// state that shares what it does not change (copy on write), so readers
// need no lock. A Folder itself is not safe for concurrent use.
type Folder struct {
	coop record.ID
	// recs are every record given, for a full fold; with a source, the
	// Folder keeps none and reads them from it when it must fold.
	recs     []*record.Record
	src      Source
	s        *State
	g        *graph // s's graph, extended by Add; nil when a full fold is due
	rejected map[record.ID]bool
	// Incremental and Full count how States were reached, for benchmarks and status.
	Incremental, Full int
}

// A Source gives every record a Folder was given (in any order), when a
// full fold is due: a node reads them from its store rather than keep
// hundreds of thousands of records in memory.
type Source func() ([]*record.Record, error)

// NewFolder folds recs (any order, duplicates allowed) for co-op coop. The
// Folder keeps them, for the full folds Add may make due (see UseSource).
func NewFolder(coop record.ID, recs []*record.Record) *Folder {
	f := &Folder{coop: coop, recs: slices.Clone(recs)}
	f.refold(f.recs)
	return f
}

// UseSource makes f drop the records it keeps: a full fold reads src.
func (f *Folder) UseSource(src Source) {
	f.src, f.recs = src, nil
}

func (f *Folder) refold(recs []*record.Record) {
	f.s, f.g = fold(f.coop, recs)
	f.g.recs, f.g.proofs = nil, nil // what comes later reads g.nodes; proofs only serve a full fold
	f.rejected = rejectedSet(f.s.Rejected)
	f.Full++
}

// State is the state of every record given so far. It folds everything
// again if an earlier Add could not apply its records directly; only
// reading the records from the Source can fail.
func (f *Folder) State() (*State, error) {
	if f.g == nil {
		recs := f.recs
		if f.src != nil {
			var err error
			if recs, err = f.src(); err != nil {
				return nil, fmt.Errorf("fold the co-op's records: %w", err)
			}
		}
		f.refold(recs)
	}
	return f.s, nil
}

// Current returns the state if no full fold is due (State would not fold).
func (f *Folder) Current() (*State, bool) { return f.s, f.g != nil }

// Add adds records not given before (or copies of given ones carrying more
// co-signatures) and reports whether they were applied directly; if not,
// the next State folds everything.
func (f *Folder) Add(recs ...*record.Record) bool {
	if f.src == nil {
		f.recs = append(f.recs, recs...)
	}
	if f.g == nil {
		return false
	}
	ns, _, ok := f.apply(recs)
	if !ok {
		f.s, f.g, f.rejected = nil, nil, nil // the graph may hold part of recs: fold afresh
		return false
	}
	f.s = ns
	f.Incremental++
	return true
}

// With returns the state as it would be with recs added, without adding
// them, if they can be applied directly (see Folder); otherwise nil and
// false, and the caller must fold. A node judges its own new records so
// before storing them.
func (f *Folder) With(recs ...*record.Record) (*State, bool) {
	if _, err := f.State(); err != nil {
		return nil, false
	}
	n := len(f.g.nodes)
	ns, added, ok := f.apply(recs)
	f.g.truncate(n)
	for _, id := range added {
		delete(f.rejected, id)
	}
	return ns, ok
}

// apply applies recs to a copy of f.s, extending f.g. It returns the new
// state, the records it added to f.rejected, and whether every record could
// be applied directly.
func (f *Folder) apply(recs []*record.Record) (*State, []record.ID, bool) {
	ns := f.s.shallow()
	own := owned{}
	var rejected []record.ID
	for _, r := range recs {
		ok, rj := f.extend(ns, &own, r)
		if rj {
			rejected = append(rejected, r.ID)
		}
		if !ok {
			return nil, rejected, false
		}
	}
	ns.g, ns.cow = nil, false
	return ns, rejected, true
}

// shallow copies s's fields; the containers stay shared until owned.
func (s *State) shallow() *State {
	c := *s
	return &c
}

// owned records which of a state's shared containers Add has copied, so a
// batch copies each at most once.
type owned struct {
	proposals, closes, consent, members bool
	proposal, member                    map[record.ID]bool
}

// ownMembers copies the membership indexes, and clips their lists so an
// append never writes into an array a reader's state still holds.
func (o *owned) ownMembers(s *State) {
	if o.members {
		return
	}
	s.Members = maps.Clone(s.Members)
	s.memberByKey = maps.Clone(s.memberByKey)
	for k, v := range s.memberByKey {
		s.memberByKey[k] = slices.Clip(v)
	}
	s.deviceOf = maps.Clone(s.deviceOf)
	for k, v := range s.deviceOf {
		s.deviceOf[k] = slices.Clip(v)
	}
	s.requests = maps.Clone(s.requests)
	s.consentKeys = maps.Clone(s.consentKeys)
	o.members = true
}

// ownMember makes member id a copy s may change (its lists clipped likewise).
func (o *owned) ownMember(s *State, id MemberID) {
	o.ownMembers(s)
	m, ok := s.Members[id]
	if !ok || o.member[record.ID(id)] {
		return
	}
	c := *m
	c.certs, c.Devices, c.consentKeys = slices.Clip(m.certs), slices.Clip(m.Devices), slices.Clip(m.consentKeys)
	s.Members[id] = &c
	if o.member == nil {
		o.member = map[record.ID]bool{}
	}
	o.member[record.ID(id)] = true
}

func (o *owned) ownProposals(s *State) {
	if !o.proposals {
		s.proposals, o.proposals = maps.Clone(s.proposals), true
	}
}

// ownProposal makes s's proposal id a copy s may change.
func (o *owned) ownProposal(s *State, id record.ID) {
	p, ok := s.proposals[id]
	if !ok || o.proposal[id] {
		return
	}
	o.ownProposals(s)
	c := *p
	c.Ballots = slices.Clone(p.Ballots)
	c.byID = maps.Clone(p.byID)
	s.proposals[id] = &c
	if o.proposal == nil {
		o.proposal = map[record.ID]bool{}
	}
	o.proposal[id] = true
}

func (o *owned) ownConsent(s *State) {
	if o.consent {
		return
	}
	s.receipts = maps.Clone(s.receipts)
	s.receiptsBy = maps.Clone(s.receiptsBy)
	s.consents = s.consents.Clone()
	o.consent = true
}

// extend applies r to ns if it can be applied directly (see Folder), and
// reports whether it was, and whether r was rejected.
func (f *Folder) extend(ns *State, own *owned, r *record.Record) (ok, rejected bool) {
	g := f.g
	if r.Coop != f.coop || r.Type == TypeGenesis || !Known(r.Type, r.V) || g.waiting[r.ID] {
		return false, false
	}
	if _, dup := g.pos[r.ID]; dup {
		if r.Type == TypeClosed {
			return f.addTellers(ns, own, r), false // a close with more co-signatures
		}
		return false, false // given twice
	}
	for _, p := range r.Prev {
		if _, ok := g.pos[p]; !ok {
			return false, false // pending
		}
		if ns.newer[p] {
			return false, false // relies on a record this code cannot read
		}
	}
	for _, c := range ns.cutters {
		if slices.Contains(c.keys, r.Author) || slices.Contains(c.consentKeys, r.Author) {
			return false, false
		}
	}
	if ns.possessionNeedsFold(r) {
		return false, false // judged by proofs of possession anywhere in the set
	}
	var proposal record.ID // the proposal whose count r changes
	switch r.Type {
	case TypeProposal:
		own.ownProposals(ns)
		proposal = r.ID // new in ns if valid: its count starts here
	case TypeBallot:
		var b Ballot
		if r.DecodeBody(&b) == nil {
			proposal = b.Proposal
			own.ownProposal(ns, proposal)
		}
	case TypeReceipt:
		own.ownConsent(ns)
	case TypeClosed:
		var c Closing
		if r.DecodeBody(&c) != nil {
			break // rejected below, changing nothing
		}
		p, ok := ns.proposals[c.Proposal]
		if !ok {
			break
		}
		if len(ns.cands[p.ID]) > 0 {
			return false, false // a close that came first, or a concurrent one to settle
		}
		switch p.Kind {
		case KindGeneral, KindAgreement, KindBylaws:
		default:
			return false, false // changes the membership
		}
		proposal = p.ID
		own.ownProposal(ns, proposal)
		if !own.closes {
			ns.closes, ns.versions, own.closes = maps.Clone(ns.closes), maps.Clone(ns.versions), true
			ns.cands = maps.Clone(ns.cands)
			ns.versionOrder, ns.amendments = slices.Clip(ns.versionOrder), slices.Clip(ns.amendments)
		}
	case TypeJoinRequest, TypeAdmitted:
		own.ownMembers(ns) // the admitted member is new: nothing of theirs is shared
	case TypeDevice:
		var d Device
		if r.DecodeBody(&d) == nil {
			own.ownMember(ns, d.Member)
		}
	case TypeConsentKey:
		var k ConsentKey
		if r.DecodeBody(&k) == nil {
			if _, taken := ns.consentKeys[k.Key]; taken {
				return false, false // the fold's order settles who holds a key registered twice
			}
			own.ownMember(ns, k.Member)
		}
	default:
		return false, false
	}
	g.add(r)
	if frontierType(r.Type) {
		// Closes and memberships are ordered among themselves by the fold;
		// one that has them all in its past comes after them all.
		i := g.pos[r.ID]
		for _, h := range ns.frontier {
			if !g.reaches(i, g.pos[h]) {
				return false, false
			}
		}
	}
	ns.g, ns.cow = g, true
	if reason := ns.apply(r, f.rejected); reason != "" {
		rj := Rejection{ID: r.ID, Type: r.Type, Reason: reason, Outranked: ns.outranked}
		if ns.outranked = false; rj.taints() {
			f.rejected[r.ID] = true
		}
		i, _ := slices.BinarySearchFunc(ns.Rejected, rj, func(a, b Rejection) int { return record.CompareIDs(a.ID, b.ID) })
		ns.Rejected = slices.Insert(slices.Clip(ns.Rejected), i, rj)
		return true, true
	}
	switch {
	case frontierType(r.Type):
		ns.frontier = []record.ID{r.ID}
	case r.Type == TypeReceipt:
		// As finishConsent does: a grant of a member who left ends with them.
		if gr, ok := ns.consents.Grant(r.ID); ok {
			if m := ns.Members[ns.consentKeys[r.Author].member]; m != nil && m.Removed {
				gr.Removal = m.Removal // gr is new in ns: nobody reads it yet
			}
		}
	}
	if p, ok := ns.proposals[proposal]; ok && !proposal.IsZero() && (r.Type != TypeClosed || p.Close != nil) {
		ns.finishProposal(p) // a close that awaits its tellers changes no count
	}
	return true, false
}

// add appends r, whose predecessors are all in g, at the end of g's order
// (still a topological order).
func (g *graph) add(r *record.Record) {
	i := int32(len(g.nodes))
	g.pos[r.ID] = i
	g.nodes = append(g.nodes, nodeOf(r))
	g.byAuthor[r.Author] = append(g.byAuthor[r.Author], i)
	var prev []int32
	for _, p := range r.Prev {
		j := g.pos[p]
		prev = append(prev, j)
		g.children[j] = append(g.children[j], i)
	}
	g.prev = append(g.prev, prev)
	g.children = append(g.children, nil)
	g.seen = append(g.seen, 0)
	if g.mark != nil {
		g.mark = append(g.mark, 0)
	}
}

// truncate removes the records added after the first n, newest first.
func (g *graph) truncate(n int) {
	for i := len(g.nodes) - 1; i >= n; i-- {
		r := g.nodes[i]
		delete(g.pos, r.ID)
		if a := g.byAuthor[r.Author]; len(a) == 1 {
			delete(g.byAuthor, r.Author)
		} else {
			g.byAuthor[r.Author] = a[:len(a)-1]
		}
		for _, p := range g.prev[i] {
			g.children[p] = g.children[p][:len(g.children[p])-1]
		}
	}
	g.nodes, g.prev, g.children, g.seen = g.nodes[:n], g.prev[:n], g.children[:n], g.seen[:n]
	if g.mark != nil {
		g.mark = g.mark[:n]
	}
}

// frontierType: the records State.Frontier is made of (see graph.frontier).
func frontierType(t string) bool {
	switch t {
	case TypeGenesis, TypeDevice, TypeAdmitted, TypeRevoked, TypeRemoved, TypeClosed:
		return true
	}
	return false
}

// rejectedSet is the records whose dependents the fold rejects: every
// rejected record but void closes, which are judged valid and decide nothing.
func rejectedSet(rs []Rejection) map[record.ID]bool {
	out := make(map[record.ID]bool, len(rs))
	for _, r := range rs {
		if r.taints() {
			out[r.ID] = true
		}
	}
	return out
}
