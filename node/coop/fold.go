package coop

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/record"
)

// Member is one member as the fold sees them.
type Member struct {
	ID         MemberID
	Name       string
	Key        record.PublicKey
	Class      string
	Roles      []string
	Admitted   time.Time // the admission record's (claimed) time
	AdmittedBy MemberID  // zero for founders
	Founder    bool
	Devices    []record.PublicKey // certified and not revoked; sorted
	Revoked    []record.PublicKey // device keys revoked for this member; sorted
	// Removed is set once the member has left (resigned): they stay listed
	// for the record, but no longer count as a member.
	Removed   bool
	Removal   record.ID // the removal record; zero while a member
	RemovedAt time.Time // the removal record's (claimed) time

	certs []deviceCert // every certificate of a device for this member, in fold order
	// Class and roles at admission, then each change by decision in fold order.
	firstClass  string
	firstRoles  []string
	changes     []profileChange
	removals    []record.ID     // valid resignations and removals, in fold order
	consentKeys []consentKeyReg // registered consent keys, fold order
}

// HasRole reports whether m holds any of roles.
func (m *Member) HasRole(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(m.Roles, r) {
			return true
		}
	}
	return false
}

// Rejection is a record the fold refused, and why.
type Rejection struct {
	ID     record.ID
	Type   string
	Reason string
	// Cut is the revocation or removal whose cut excludes this record, or
	// for a void close the close that decides instead; zero when the
	// record was refused for another reason.
	Cut record.ID
	// Void marks a close that passed its own checks but does not decide
	// (closes.go): records that name it are judged as usual.
	Void bool
	// LeftOut, for a void close, is a ballot it leaves out that the deciding
	// close counts (closes.go, rule 2): a close that breaks the co-op's
	// rules. Zero for a close merely superseded by another as full.
	LeftOut record.ID
	// Outranked: a certificate without proof of possession of a key that
	// proved itself another member's (see possession.go). Unlike other
	// rejected records it does not make the records that name it invalid:
	// honest nodes may have named it, as a membership record, before the
	// proof arrived (the proof itself may name it); they are judged by
	// their own rules.
	Outranked bool
}

// taints reports whether the records that name rj's record as a
// predecessor are rejected with it: not for a void close nor an
// outranked certificate.
func (rj Rejection) taints() bool { return !rj.Void && !rj.Outranked }

// State is the co-op's state: a pure function of its valid records.
type State struct {
	CoopID     record.ID
	Name       string
	Founded    time.Time
	Bylaws     Bylaws
	BylawsFrom record.ID
	Members    map[MemberID]*Member

	// Applied counts valid records folded into state.
	Applied int
	// Pending are records waiting for predecessors not in the set.
	Pending []record.ID
	// NeedsNewer are validly signed records of types or versions this code
	// does not know, and the records that rely on one of them (name it in
	// their prev): what those mean may depend on what this code cannot read,
	// so they are neither applied nor counted as invalid.
	NeedsNewer []record.ID
	newer      map[record.ID]bool // NeedsNewer as a set; nil when empty
	// Rejected are records that break the co-op's rules, with reasons.
	Rejected []Rejection
	// outranked is set by apply when the record it rejects is outranked
	// (Rejection.Outranked); only for the moment after apply returns.
	outranked bool

	// Every valid admission and device certificate per key. Concurrent ones
	// can coexist; each record is judged by those in its own causal past.
	memberByKey map[record.PublicKey][]MemberID
	deviceOf    map[record.PublicKey][]deviceCert
	// Valid join requests, for the admissions that answer them.
	requests map[record.ID]joinRequest
	// Valid revocations per device key.
	revoked map[record.PublicKey][]revocation
	// Valid revocations and removals in fold order: the cuts they would pin.
	cutters []cutter
	g       *graph // only while folding
	// cow: the state is a copy that shares containers with a state others
	// may be reading (see Folder); apply then changes copies, never shared ones.
	cow bool

	// Governance (see decide.go).
	proposals       map[record.ID]*ProposalState
	closes          map[record.ID][]record.ID // deciding closes per proposal (with tellers, not void), fold order
	cands           map[record.ID][]closeCand // every close that passed its own checks, per proposal, fold order
	void            map[record.ID]bool        // closes that may not decide (settleCloses); only while folding
	delegations     map[MemberID][]delegation
	delegEnded      map[record.ID][]record.ID
	delegReplaced   map[record.ID]bool // by a later delegation of the same member and scope
	firstDelegation int32
	genesisBylaws   Bylaws
	amendments      []amendment // passed bylaws proposals' closes, fold order
	frontier        []record.ID

	// Consent (see consent.go).
	versions     map[record.ID]*AgreementVersion
	versionOrder []*AgreementVersion // adoption (fold) order
	consentKeys  map[record.PublicKey]consentKeyReg
	consents     consent.Book
	receipts     map[record.ID]*Receipt
	receiptsBy   map[record.PublicKey][]*Receipt
}

type revocation struct{ id record.ID }

type joinRequest struct {
	member record.PublicKey // the request's author
	proven bool             // co-signed by its device key (see possession.go)
	JoinRequest
}

type deviceCert struct {
	member MemberID
	cert   record.ID
	key    record.PublicKey
}

// MemberByKey finds the member whose member key or certified device key is
// k. Should concurrent admissions or certificates name several members, the
// one with the lowest member ID answers (for display; authority never uses this).
// Members who left are found too: check Member.Removed.
func (s *State) MemberByKey(k record.PublicKey) (*Member, bool) {
	var ids []MemberID
	ids = append(ids, s.memberByKey[k]...)
	for _, d := range s.deviceOf[k] {
		ids = append(ids, d.member)
	}
	if len(ids) == 0 {
		return nil, false
	}
	best := ids[0]
	for _, id := range ids[1:] {
		if record.ID(id).Less(record.ID(best)) {
			best = id
		}
	}
	return s.Members[best], true
}

// DeviceAllowed reports whether k is a certified device key of a current
// member: what a node needs to let a peer open a sync stream.
func (s *State) DeviceAllowed(k record.PublicKey) bool {
	if len(s.revoked[k]) > 0 {
		return false // revoked for one member is compromised for all
	}
	for _, c := range s.deviceOf[k] {
		if m, ok := s.Members[c.member]; ok && !m.Removed {
			return true
		}
	}
	return false
}

// MayAdmit says whether the member whose device key (or member key) is k may
// admit new members under the bylaws in force: nil if so, otherwise an error
// saying why and what to do instead. It answers for the state as a whole;
// the fold still judges each admission from its own causal past.
func (s *State) MayAdmit(k record.PublicKey) error {
	var ids []MemberID
	ids = append(ids, s.memberByKey[k]...)
	for _, c := range s.deviceOf[k] {
		ids = append(ids, c.member)
	}
	slices.SortFunc(ids, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	ids = slices.Compact(ids)
	switch {
	case len(ids) == 0:
		return fmt.Errorf("key %s is neither a member key nor a certified device of %s: only members may admit, so join the co-op first", k.String()[:12], s.coopName())
	case len(ids) > 1:
		return fmt.Errorf("key %s is certified for several members, so admissions signed with it would be refused: certify a new device and admit from it", k.String()[:12])
	}
	m := s.Members[ids[0]]
	if m.Removed {
		return fmt.Errorf("%s left the co-op (%s), so their keys can no longer admit: ask a current member who may admit", m.Name, m.Removal.Short())
	}
	if rv := s.revoked[k]; len(rv) > 0 {
		return fmt.Errorf("device key %s was revoked (%s), so nothing it signs now is valid: use another of your devices", k.String()[:12], rv[0].id.Short())
	}
	if s.Bylaws.Admission.Rule != AdmitDirect {
		return fmt.Errorf("the bylaws admit new members %q, not directly: propose the admission to the members instead", s.Bylaws.Admission.Rule)
	}
	if !m.HasRole(s.Bylaws.Admission.Roles...) {
		return fmt.Errorf("%s holds none of the roles that may admit (%s): ask a member who holds one to admit, or amend the bylaws",
			m.Name, strings.Join(s.Bylaws.Admission.Roles, ", "))
	}
	return nil
}

func (s *State) coopName() string {
	if s.Name == "" {
		return "this co-op"
	}
	return s.Name
}

// SortedMembers returns the members ordered by admission time, then ID.
func (s *State) SortedMembers() []*Member {
	out := make([]*Member, 0, len(s.Members))
	for _, m := range s.Members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Admitted.Equal(out[j].Admitted) {
			return out[i].Admitted.Before(out[j].Admitted)
		}
		return record.ID(out[i].ID).Less(record.ID(out[j].ID))
	})
	return out
}

// Fold computes the state of co-op coop from recs (any order, duplicates allowed).
//
// Records are applied in a deterministic topological order (predecessors
// first, ties broken by record ID). A record whose predecessors are not all
// present is pending; one that relies on a rejected record is rejected too.
// Authority is judged from the record's causal past only: the certificate of
// the device that signed it must be among its ancestors.
//
// Revocations and removals are final (DESIGN, "Records"): each valid one
// pins a cut, its own causal past, and whatever the revoked key (the removed
// member's keys) signed outside that cut is rejected, whatever predecessors
// it claims. A cut can only be known once the whole set is folded, so Fold
// folds twice: once without cuts, to find the revocations and removals and
// what each would cut, and once with the cuts that stand (see resolveCuts
// for why two passes reach the fixpoint and how revocations that cut each
// other are settled).
func Fold(coop record.ID, recs []*record.Record) *State {
	s, _ := fold(coop, recs)
	if testFoldHook != nil {
		testFoldHook(coop, recs, s)
	}
	return s
}

// testFoldHook, when set (by this package's tests only), sees every Fold:
// the tests check there that a Folder reaches the same state record by record.
var testFoldHook func(coop record.ID, recs []*record.Record, s *State)

// fold is Fold, also returning the graph it folded.
func fold(coop record.ID, recs []*record.Record) (*State, *graph) {
	g := newGraph(recs)
	s := g.fold(coop, nil)
	// Several closes of one proposal: settleCloses says which decides
	// (closes.go); the others are folded again as void.
	void := settleCloses(s)
	if len(void) > 0 {
		s = g.fold(coop, void)
	}
	if len(s.cutters) > 0 {
		if cuts := g.resolveCuts(s); len(cuts) > 0 {
			// A close that a cut rejects decides nothing, so it must not
			// void a concurrent close (a revoked device's close could
			// otherwise block a proposal for good): settle the closes
			// again among those valid once the cuts apply.
			s = g.fold(coop, cuts)
			if void := settleCloses(s); len(void) > 0 {
				for id, rj := range void {
					cuts[id] = rj
				}
				s = g.fold(coop, cuts)
			}
		}
	}
	// Settling is a fixpoint: voiding a close can change what a later
	// close of another proposal sees. A few rounds reach it in every case
	// seen; bounded so a crafted set cannot loop, and deterministic either way.
	for range 3 {
		again := settleCloses(s)
		if sameVoid(again, s.void) {
			break
		}
		s = g.fold(coop, withVoid(s.void, again, s.Rejected))
	}
	s.finish()
	s.finishConsent()
	s.g, s.void = nil, nil // only needed while folding; do not keep them alive
	return s, g
}

// sameVoid reports whether settle voids exactly the closes void holds.
func sameVoid(settle map[record.ID]Rejection, void map[record.ID]bool) bool {
	if len(settle) != len(void) {
		return false
	}
	for id := range settle {
		if !void[id] {
			return false
		}
	}
	return true
}

// withVoid is the cuts of a fold that rejected rejected (cuts among them)
// with void closes void, now voiding settle instead.
func withVoid(void map[record.ID]bool, settle map[record.ID]Rejection, rejected []Rejection) map[record.ID]Rejection {
	out := maps.Clone(settle)
	for _, rj := range rejected {
		if !rj.Cut.IsZero() && !rj.Void && !void[rj.ID] {
			out[rj.ID] = rj // a revocation's or removal's cut stands
		}
	}
	return out
}

// graph is the record set arranged once per Fold: the foldable (not
// pending) records in fold order, with predecessors and children as
// positions in that order.
type graph struct {
	// recs are the records in fold order, while folding; a Folder drops
	// them afterwards and keeps nodes, all that later questions need.
	recs     []*record.Record
	nodes    []gnode
	pos      map[record.ID]int32
	prev     [][]int32
	children [][]int32
	byAuthor map[record.PublicKey][]int32 // ascending
	pending  []record.ID
	// waiting are the missing predecessors of pending records.
	waiting map[record.ID]bool
	// seen and epoch make a visited set that needs no clearing between walks.
	seen  []uint32
	epoch uint32
	// mark and markEpoch: the causal past being counted in (markPast).
	mark      []uint32
	markEpoch uint32
	// at is the record graph.fold is applying, whose position most
	// questions start from: one map lookup fewer each. Zero otherwise.
	at foldAt
	// roster is the members by ID with their positions, for the rolls
	// graph.fold computes (nil outside it).
	roster []rosterEntry
	// proofs are the proofs of possession among recs (see possession); nil
	// until a full fold needs them. A Folder never applies directly a
	// record they judge (see State.possessionNeedsFold).
	proofs map[record.PublicKey][]proof
}

type rosterEntry struct {
	id  MemberID
	pos int32
}

// rosterOf returns s's members sorted by ID, with their positions. Within
// one graph.fold members are only ever added, so the list is sorted again
// only when there are more.
func (g *graph) rosterOf(s *State) []rosterEntry {
	if len(g.roster) != len(s.Members) {
		g.roster = g.roster[:0]
		for id := range s.Members {
			g.roster = append(g.roster, rosterEntry{id: id, pos: g.pos[record.ID(id)]})
		}
		slices.SortFunc(g.roster, func(a, b rosterEntry) int { return record.CompareIDs(record.ID(a.id), record.ID(b.id)) })
	}
	return g.roster
}

type foldAt struct {
	id  record.ID
	pos int32
	ok  bool
}

// position is posOf's position (zero if id is not in g).
func (g *graph) position(id record.ID) int32 {
	p, _ := g.posOf(id)
	return p
}

// posOf is g.pos[id], answered without the map for the record being applied.
func (g *graph) posOf(id record.ID) (int32, bool) {
	if g.at.ok && id == g.at.id {
		return g.at.pos, true
	}
	p, ok := g.pos[id]
	return p, ok
}

func newGraph(recs []*record.Record) *graph {
	// Number the distinct records and work with those numbers, in arrays:
	// maps and a heap of IDs were most of the cost of arranging a large
	// co-op's records. Copies of one record may carry different
	// co-signatures (a close's tellers): the fold sees all of them, as a
	// node's store keeps them, whatever order the copies come in.
	slot := make(map[record.ID]int32, len(recs))
	uniq := make([]*record.Record, 0, len(recs))
	for _, r := range recs {
		if j, ok := slot[r.ID]; ok {
			uniq[j] = withSignatures(uniq[j], r)
			continue
		}
		slot[r.ID] = int32(len(uniq))
		uniq = append(uniq, r)
	}
	n := len(uniq)
	ids := make([]record.ID, n)
	// pred[predAt[i]:predAt[i+1]] are uniq[i]'s predecessors, -1 where missing.
	predAt := make([]int32, n+1)
	for i, r := range uniq {
		ids[i] = r.ID
		predAt[i+1] = predAt[i] + int32(len(r.Prev))
	}
	pred := make([]int32, predAt[n])
	indeg := make([]int32, n)
	childAt := make([]int32, n+1) // children counted, then placed
	pending := make([]bool, n)
	var stack []int32
	for i, r := range uniq {
		for k, p := range r.Prev {
			j, ok := slot[p]
			if !ok {
				j = -1
				if !pending[i] {
					pending[i] = true
					stack = append(stack, int32(i))
				}
			} else {
				childAt[j+1]++
				indeg[i]++
			}
			pred[predAt[i]+int32(k)] = j
		}
	}
	for i := range n {
		childAt[i+1] += childAt[i]
	}
	child := make([]int32, childAt[n])
	fill := slices.Clone(childAt[:n])
	for i := range n {
		for _, j := range pred[predAt[i]:predAt[i+1]] {
			if j >= 0 {
				child[fill[j]] = int32(i)
				fill[j]++
			}
		}
	}
	// Pending: missing predecessors, transitively.
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range child[childAt[i]:childAt[i+1]] {
			if !pending[c] {
				pending[c] = true
				stack = append(stack, c)
			}
		}
	}
	// Fold order: topological, ties broken by the lower ID.
	ready := slotHeap{ids: ids}
	for i := range n {
		if !pending[i] && indeg[i] == 0 {
			ready.push(int32(i))
		}
	}
	order := make([]int32, 0, n)
	posOf := make([]int32, n)
	for len(ready.h) > 0 {
		i := ready.pop()
		posOf[i] = int32(len(order))
		order = append(order, i)
		for _, c := range child[childAt[i]:childAt[i+1]] {
			if indeg[c]--; indeg[c] == 0 && !pending[c] {
				ready.push(c)
			}
		}
	}
	g := &graph{pos: slot, byAuthor: map[record.PublicKey][]int32{},
		recs: make([]*record.Record, len(order)), nodes: make([]gnode, len(order)),
		prev: make([][]int32, len(order)), children: make([][]int32, len(order))}
	// slot becomes pos: the same keys, now mapped to fold positions.
	for i := range n {
		if pending[i] {
			delete(g.pos, ids[i])
		}
	}
	nkids := make([]int32, len(order)+1)
	prevAll := make([]int32, 0, len(pred))
	for x, i := range order {
		r := uniq[i]
		g.pos[r.ID] = int32(x)
		g.recs[x] = r
		g.nodes[x] = nodeOf(r)
		g.byAuthor[r.Author] = append(g.byAuthor[r.Author], int32(x))
		start := len(prevAll)
		for _, j := range pred[predAt[i]:predAt[i+1]] {
			prevAll = append(prevAll, posOf[j]) // present: r is not pending
			nkids[posOf[j]+1]++
		}
		if len(prevAll) > start {
			g.prev[x] = prevAll[start:len(prevAll):len(prevAll)]
		}
	}
	for x := range order {
		nkids[x+1] += nkids[x]
	}
	kids := make([]int32, nkids[len(order)])
	for x := range order { // ascending: each list in fold order, as extending the graph keeps it
		for _, j := range g.prev[x] {
			kids[nkids[j]] = int32(x)
			nkids[j]++
		}
	}
	end := int32(0)
	for x := range order {
		// Full slices: adding a record appends to its predecessors' lists.
		start := end
		end = nkids[x]
		if end > start {
			g.children[x] = kids[start:end:end]
		}
	}
	g.seen = make([]uint32, len(order))
	g.waiting = map[record.ID]bool{}
	for i := range n {
		if !pending[i] {
			continue
		}
		for k, p := range uniq[i].Prev {
			if pred[predAt[i]+int32(k)] < 0 {
				g.waiting[p] = true
			}
		}
		g.pending = append(g.pending, ids[i])
	}
	sortIDs(g.pending)
	return g
}

// withSignatures is a, with the signatures of b (a copy of a) it lacks.
func withSignatures(a, b *record.Record) *record.Record {
	sigs := record.MergeSignatures(a.Sigs, b.Sigs)
	if len(sigs) == len(a.Sigs) {
		return a
	}
	c := *a
	c.Sigs = sigs
	return &c
}

// fold applies g's records in order; cuts are records already known to be
// outside a standing revocation's or removal's cut, rejected as such.
func (g *graph) fold(coop record.ID, cuts map[record.ID]Rejection) *State {
	// The largest maps are sized for the records that may fill them, so
	// they are not grown (and rehashed) step by step.
	var members, devices, requests, proposals, receipts int
	for i := range g.nodes {
		switch g.nodes[i].Type {
		case TypeAdmitted, TypeGenesis:
			members++
		case TypeDevice:
			devices++
		case TypeJoinRequest:
			requests++
		case TypeProposal:
			proposals++
		case TypeReceipt:
			receipts++
		}
	}
	s := &State{
		CoopID:      coop,
		Members:     make(map[MemberID]*Member, members),
		memberByKey: make(map[record.PublicKey][]MemberID, members),
		deviceOf:    make(map[record.PublicKey][]deviceCert, members+devices),
		requests:    make(map[record.ID]joinRequest, requests),
		revoked:     map[record.PublicKey][]revocation{},
		g:           g,

		proposals:       make(map[record.ID]*ProposalState, proposals),
		closes:          map[record.ID][]record.ID{},
		cands:           map[record.ID][]closeCand{},
		void:            map[record.ID]bool{},
		delegations:     map[MemberID][]delegation{},
		delegEnded:      map[record.ID][]record.ID{},
		firstDelegation: -1,

		versions:    map[record.ID]*AgreementVersion{},
		consentKeys: map[record.PublicKey]consentKeyReg{},
		receipts:    make(map[record.ID]*Receipt, receipts),
		receiptsBy:  map[record.PublicKey][]*Receipt{},
	}
	rejected := map[record.ID]bool{}
	for id, c := range cuts {
		if c.Void {
			s.void[id] = true
		}
	}
	g.roster = nil     // another state's
	g.possession(coop) // every proof of possession, before any certificate is judged
	for x, r := range g.recs {
		c, cut := cuts[r.ID]
		if cut && !c.Void {
			rejected[r.ID] = true
			s.Rejected = append(s.Rejected, c)
			continue
		}
		g.at = foldAt{id: r.ID, pos: int32(x), ok: true}
		switch reason := s.apply(r, rejected); {
		case reason != "":
			rj := Rejection{ID: r.ID, Type: r.Type, Reason: reason, Outranked: s.outranked}
			if rj.taints() {
				rejected[r.ID] = true
			}
			s.Rejected = append(s.Rejected, rj)
		case cut: // a void close: judged, and listed, but it decides nothing
			s.Applied--
			s.Rejected = append(s.Rejected, c)
		}
		s.outranked = false
	}
	g.at, g.roster = foldAt{}, nil
	s.Pending = slices.Clone(g.pending)
	s.frontier = g.frontier(rejected, s.NeedsNewer)
	sortIDs(s.NeedsNewer)
	sort.Slice(s.Rejected, func(i, j int) bool { return s.Rejected[i].ID.Less(s.Rejected[j].ID) })
	return s
}

// needsNewer keeps id as a record this code cannot judge. Only a full fold
// calls it: a Folder never applies such records directly (see extend), so
// the set is never shared with an earlier state.
func (s *State) needsNewer(id record.ID) {
	s.NeedsNewer = append(s.NeedsNewer, id)
	if s.newer == nil {
		s.newer = map[record.ID]bool{}
	}
	s.newer[id] = true
}

// apply folds one record into s, returning why it was rejected ("" if applied).
func (s *State) apply(r *record.Record, rejected map[record.ID]bool) string {
	for _, p := range r.Prev {
		if rejected[p] {
			return fmt.Sprintf("relies on rejected record %s", p.Short())
		}
	}
	if len(s.newer) > 0 && slices.ContainsFunc(r.Prev, func(p record.ID) bool { return s.newer[p] }) {
		s.needsNewer(r.ID)
		return ""
	}
	if r.Type == TypeGenesis {
		return s.applyGenesis(r)
	}
	if r.Coop != s.CoopID {
		return fmt.Sprintf("belongs to another co-op (%s)", r.Coop.Short())
	}
	if s.Name == "" {
		return "the co-op's genesis record is missing or invalid"
	}
	if r.Time.Before(s.Founded) {
		return BeforeFounding(r.Time, s.Founded)
	}
	if !Known(r.Type, r.V) {
		s.needsNewer(r.ID)
		return ""
	}
	var reason string
	switch r.Type {
	case TypeDevice:
		reason = s.applyDevice(r)
	case TypeAdmitted:
		reason = s.applyAdmitted(r)
	case TypeJoinRequest:
		reason = s.applyJoinRequest(r)
	case TypeRevoked:
		reason = s.applyRevoked(r)
	case TypeRemoved:
		reason = s.applyRemoved(r)
	case TypeProposal:
		reason = s.applyProposal(r)
	case TypeBallot:
		reason = s.applyBallot(r)
	case TypeDelegation:
		reason = s.applyDelegation(r)
	case TypeDelegationEnded:
		reason = s.applyDelegationEnded(r)
	case TypeClosed:
		reason = s.applyClosed(r)
	case TypeConsentKey:
		reason = s.applyConsentKey(r)
	case TypeReceipt:
		reason = s.applyReceipt(r)
	}
	if reason == "" {
		s.Applied++
	}
	return reason
}

// ReasonBeforeFounding starts the reason a record dated before the
// genesis is refused for. Its signer chose that time freely, and nothing
// of the co-op existed then: every node refuses it alike, whatever its
// own clock says.
const ReasonBeforeFounding = "dated before the co-op was founded"

// BeforeFounding is the full reason for a record dated at, in a co-op
// founded at founded.
func BeforeFounding(at, founded time.Time) string {
	return fmt.Sprintf("%s (dated %s, founded %s): a record's time must not precede the genesis",
		ReasonBeforeFounding, at.UTC().Format(record.TimeFormat), founded.UTC().Format(record.TimeFormat))
}

func (s *State) applyGenesis(r *record.Record) string {
	if r.ID != s.CoopID {
		return "a second genesis: this record founds another co-op"
	}
	if r.V > schemas[TypeGenesis] {
		s.needsNewer(r.ID)
		return ""
	}
	var g Genesis
	if err := r.DecodeBody(&g); err != nil {
		return err.Error()
	}
	if reason := checkBylawsVersion(r.V, &g.Bylaws, r.Body); reason != "" {
		return reason
	}
	switch {
	case !r.Coop.IsZero() || len(r.Prev) != 0:
		return "a genesis names no co-op and no predecessors"
	case g.Name == "" || g.Founder.Name == "":
		return "a genesis needs the co-op's and the founder's names"
	case r.Author != g.Founder.MemberKey:
		return "the genesis is not signed by the founder's member key"
	}
	if err := g.Founder.MemberKey.Check(); err != nil {
		return "founder's member key: " + err.Error()
	}
	if err := g.Bylaws.Validate(); err != nil {
		return err.Error()
	}
	if !g.Bylaws.HasClass(g.Founder.Class) {
		return fmt.Sprintf("the founder's class %q is not in the bylaws", g.Founder.Class)
	}
	s.Name, s.Founded, s.Bylaws, s.BylawsFrom, s.genesisBylaws = g.Name, r.Time, g.Bylaws, r.ID, g.Bylaws
	s.addMember(MemberID(r.ID), g.Founder, r.Time, MemberID{}, true)
	s.Applied++
	return ""
}

func (s *State) addMember(id MemberID, p Profile, at time.Time, by MemberID, founder bool) {
	roles := slices.Clone(p.Roles)
	slices.Sort(roles)
	roles = slices.Compact(roles)
	s.Members[id] = &Member{ID: id, Name: p.Name, Key: p.MemberKey, Class: p.Class, Roles: roles,
		Admitted: at, AdmittedBy: by, Founder: founder, firstClass: p.Class, firstRoles: roles}
	s.memberByKey[p.MemberKey] = append(s.memberByKey[p.MemberKey], id)
}

func (s *State) applyDevice(r *record.Record) string {
	var d Device
	if err := r.DecodeBody(&d); err != nil {
		return err.Error()
	}
	if err := d.Key.Check(); err != nil {
		return "device key: " + err.Error()
	}
	if r.V >= 2 && !coSigned(r, d.Key) {
		return fmt.Sprintf("a version %d device certificate needs the device key's own signature over it (proof of possession): have the device co-sign it", r.V)
	}
	m, ok := s.Members[d.Member]
	switch {
	case !ok:
		return fmt.Sprintf("certifies a device for unknown member %s", record.ID(d.Member).Short())
	case r.Author != m.Key:
		return "a device must be certified by its member's own member key"
	case !s.reaches(r.ID, record.ID(d.Member)):
		return "the member's admission is not in this record's causal past"
	}
	if reason := s.deviceConflict(r.ID, d.Key, d.Member); reason != "" {
		return reason
	}
	if r.V < 2 {
		if reason := s.unprovenClaim(d.Key, m.Key); reason != "" {
			return reason
		}
	}
	s.addDevice(m, d.Key, r.ID)
	return ""
}

// deviceConflict says why key cannot become a device of member by record at,
// judged by the certificates and admissions in at's causal past ("" if it can).
func (s *State) deviceConflict(at record.ID, key record.PublicKey, member MemberID) string {
	for _, c := range s.deviceOf[key] {
		if c.member != member && s.reaches(at, c.cert) {
			return "the device key is already certified for another member"
		}
	}
	for _, id := range s.memberByKey[key] {
		if s.reaches(at, record.ID(id)) {
			return "a member key cannot also be a device key"
		}
	}
	for _, rv := range s.revoked[key] {
		if s.reaches(at, rv.id) {
			return fmt.Sprintf("the device key was revoked (%s) and a revoked key stays revoked: certify a new key", rv.id.Short())
		}
	}
	return ""
}

// addDevice records cert as a certificate of key for m.
func (s *State) addDevice(m *Member, key record.PublicKey, cert record.ID) {
	first := !slices.Contains(m.Revoked, key) // a concurrent certificate does not undo a revocation
	for _, c := range s.deviceOf[key] {
		first = first && c.member != m.ID
	}
	dc := deviceCert{member: m.ID, cert: cert, key: key}
	s.deviceOf[key] = append(s.deviceOf[key], dc)
	m.certs = append(m.certs, dc)
	if first {
		m.Devices = append(m.Devices, key)
		slices.SortFunc(m.Devices, func(a, b record.PublicKey) int { return slices.Compare(a[:], b[:]) })
	}
}

// signer finds the member for whom r's author is a certified device, judged
// only by certificates in r's causal past.
func (s *State) signer(r *record.Record) (*Member, string) {
	var found *Member
	for _, c := range s.deviceOf[r.Author] {
		if !s.reaches(r.ID, c.cert) {
			continue
		}
		if found != nil && found.ID != c.member {
			return nil, "signed by a device key certified for several members"
		}
		found = s.Members[c.member]
	}
	if found == nil {
		return nil, "signed by a key that is not a certified device of a member in this record's causal past"
	}
	return found, ""
}

func (s *State) applyAdmitted(r *record.Record) string {
	var p Profile
	if err := r.DecodeBody(&p); err != nil {
		return err.Error()
	}
	admitter, reason := s.signer(r)
	if reason != "" {
		return reason
	}
	by := s.bylawsAt(r.ID)
	_, roles := s.profileAt(admitter, r.ID)
	switch {
	case by.Admission.Rule != AdmitDirect:
		return fmt.Sprintf("the bylaws admit members %q, not directly", by.Admission.Rule)
	case !slices.ContainsFunc(roles, func(x string) bool { return slices.Contains(by.Admission.Roles, x) }):
		return fmt.Sprintf("%s holds none of the roles that may admit (%v)", admitter.Name, by.Admission.Roles)
	case p.Name == "":
		return "an admission needs the member's name"
	case !by.HasClass(p.Class):
		return fmt.Sprintf("class %q is not in the bylaws", p.Class)
	}
	if err := p.MemberKey.Check(); err != nil {
		return "member key: " + err.Error()
	}
	for _, id := range s.memberByKey[p.MemberKey] {
		if s.reaches(r.ID, record.ID(id)) {
			if m := s.Members[id]; m.Removed && s.reaches(r.ID, m.Removal) {
				return fmt.Sprintf("this member key belonged to %s, who left (%s): a returning member needs a new member key", m.Name, m.Removal.Short())
			}
			return "this member key is already a member"
		}
	}
	for _, c := range s.deviceOf[p.MemberKey] {
		if s.reaches(r.ID, c.cert) {
			return "this member key is already a device key"
		}
	}
	var device record.PublicKey
	if !p.Request.IsZero() {
		req, ok := s.requests[p.Request]
		switch {
		case !s.reaches(r.ID, p.Request):
			return fmt.Sprintf("the join request %s is not in this admission's causal past", p.Request.Short())
		case !ok:
			return fmt.Sprintf("record %s is not a valid join request of this co-op", p.Request.Short())
		case req.member != p.MemberKey:
			return "the admission's member key is not the key that signed the join request"
		}
		if reason := s.deviceConflict(r.ID, req.DeviceKey, MemberID(r.ID)); reason != "" {
			return "the join request's " + reason
		}
		if !req.proven {
			if reason := s.unprovenClaim(req.DeviceKey, p.MemberKey); reason != "" {
				return "the join request's " + reason
			}
		}
		device = req.DeviceKey
	}
	s.addMember(MemberID(r.ID), p, r.Time, admitter.ID, false)
	if !p.Request.IsZero() {
		// The admission certifies the requested device, as a member.device would.
		s.addDevice(s.Members[MemberID(r.ID)], device, r.ID)
	}
	return ""
}

// applyJoinRequest checks a join request is well-formed. Anyone may ask, so
// it needs no authority and changes nothing until an admission answers it.
func (s *State) applyJoinRequest(r *record.Record) string {
	var j JoinRequest
	if err := r.DecodeBody(&j); err != nil {
		return err.Error()
	}
	if !s.reaches(r.ID, s.CoopID) {
		return "a join request must name the co-op's genesis as a predecessor"
	}
	if err := checkJoinRequest(r.Author, j); err != nil {
		return err.Error()
	}
	s.requests[r.ID] = joinRequest{member: r.Author, proven: coSigned(r, j.DeviceKey), JoinRequest: j}
	return ""
}

// reaches reports whether target is from or one of its ancestors. Every
// caller asks from the record being applied, whose past is all folded.
func (s *State) reaches(from, target record.ID) bool {
	g := s.g
	if g.at.ok && from == g.at.id {
		// Most questions are about a direct predecessor of the record
		// being applied (its certificate, its proposal): present, since
		// that record is, and found without the map.
		if prev := g.recs[g.at.pos].Prev; len(prev) <= 8 && slices.Contains(prev, target) {
			return true
		}
	}
	f, ok := g.posOf(from)
	t, ok2 := g.pos[target]
	return ok && ok2 && g.reaches(f, t)
}

// newWalk starts a new visited set in g.seen.
func (g *graph) newWalk() {
	g.epoch++
	if g.epoch == 0 { // wrapped: clear the stamps once every 2^32 walks
		clear(g.seen)
		g.epoch = 1
	}
}

// reaches reports whether target is from or one of its ancestors. Positions
// are a topological order, so every ancestor of a record comes before it:
// nothing before target can lead to it, and the walk never goes below it.
// The common question, about a direct predecessor (the signer's
// certificate, the member's admission), is answered without a walk.
func (g *graph) reaches(from, target int32) bool {
	if from == target {
		return true
	}
	if target > from {
		return false
	}
	if slices.Contains(g.prev[from], target) {
		return true
	}
	g.newWalk()
	g.seen[from] = g.epoch
	sp := walkStacks.Get().(*[]int32)
	defer walkStacks.Put(sp)
	stack := append((*sp)[:0], from)
	defer func() { *sp = stack[:0] }()
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range g.prev[i] {
			if p == target {
				return true
			}
			if p > target && g.seen[p] != g.epoch {
				g.seen[p] = g.epoch
				stack = append(stack, p)
			}
		}
	}
	return false
}

// walkStacks hold the stacks of walks through the graph between walks: a
// fold walks long pasts hundreds of times.
var walkStacks = sync.Pool{New: func() any { return new([]int32) }}

// Digest is SHA-256 over the canonical JSON of the state's content (not of
// its bookkeeping), so two nodes holding the same valid records agree on it.
func (s *State) Digest() [32]byte {
	h := sha256.New()
	if err := canonHash(h, s.digestDoc()); err != nil {
		panic(fmt.Sprintf("coop: digest of state: %v", err)) // only plain data: cannot fail
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// digestDoc is what Digest covers.
func (s *State) digestDoc() map[string]any {
	type member struct {
		ID         MemberID           `json:"id"`
		Name       string             `json:"name"`
		Key        record.PublicKey   `json:"key"`
		Class      string             `json:"class"`
		Roles      []string           `json:"roles"`
		Admitted   string             `json:"admitted"`
		AdmittedBy string             `json:"admittedBy"`
		Founder    bool               `json:"founder"`
		Devices    []record.PublicKey `json:"devices"`
		// Omitted when empty, so states without revocations or removals
		// keep the digest they had before these existed.
		Revoked   []record.PublicKey `json:"revoked,omitempty"`
		Removal   string             `json:"removal,omitempty"`
		RemovedAt string             `json:"removedAt,omitempty"`
	}
	ms := []member{}
	for _, m := range s.Members {
		by := ""
		if m.AdmittedBy != (MemberID{}) {
			by = m.AdmittedBy.String()
		}
		mm := member{ID: m.ID, Name: m.Name, Key: m.Key, Class: m.Class, Roles: m.Roles, Admitted: m.Admitted.UTC().Format(record.TimeFormat),
			AdmittedBy: by, Founder: m.Founder, Devices: m.Devices, Revoked: m.Revoked}
		if m.Removed {
			mm.Removal, mm.RemovedAt = m.Removal.String(), m.RemovedAt.UTC().Format(record.TimeFormat)
		}
		ms = append(ms, mm)
	}
	sort.Slice(ms, func(i, j int) bool { return record.ID(ms[i].ID).Less(record.ID(ms[j].ID)) })
	doc := map[string]any{
		"coop": s.CoopID, "name": s.Name, "founded": s.Founded.UTC().Format(record.TimeFormat),
		"bylaws": s.Bylaws, "bylawsFrom": s.BylawsFrom, "members": ms,
	}
	// Governance enters the digest only once there is some, so states
	// without proposals keep the digest they had before proposals existed.
	if len(s.proposals) > 0 || len(s.delegations) > 0 {
		doc["proposals"], doc["delegations"] = s.governanceDigest()
	}
	// Consent likewise, once there is some.
	if len(s.versionOrder) > 0 || len(s.consentKeys) > 0 {
		doc["consent"] = s.consentDigest()
	}
	return doc
}

func sortIDs(ids []record.ID) { slices.SortFunc(ids, record.CompareIDs) }

// slotHeap is a min-heap of record numbers, ordered by their IDs.
type slotHeap struct {
	h   []int32
	ids []record.ID
}

func (q *slotHeap) less(a, b int32) bool { return q.ids[a].Less(q.ids[b]) }

func (q *slotHeap) push(x int32) {
	q.h = append(q.h, x)
	for i := len(q.h) - 1; i > 0; {
		up := (i - 1) / 2
		if !q.less(q.h[i], q.h[up]) {
			break
		}
		q.h[i], q.h[up] = q.h[up], q.h[i]
		i = up
	}
}

func (q *slotHeap) pop() int32 {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h = q.h[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < last && q.less(q.h[l], q.h[m]) {
			m = l
		}
		if l+1 < last && q.less(q.h[l+1], q.h[m]) {
			m = l + 1
		}
		if m == i {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}

// gnode is what the graph keeps of a record once folded.
type gnode struct {
	ID     record.ID
	Type   string
	Author record.PublicKey
}

func nodeOf(r *record.Record) gnode {
	return gnode{ID: r.ID, Type: internType(r.Type), Author: r.Author}
}

// internType returns the package's copy of a known type name, so a node
// does not keep a decoded record's string alive.
func internType(t string) string {
	internOnce.Do(func() {
		typeNames = make(map[string]string, len(schemas))
		for k := range schemas {
			typeNames[k] = k
		}
	})
	if k, ok := typeNames[t]; ok {
		return k
	}
	return t
}

var (
	internOnce sync.Once
	typeNames  map[string]string
)
