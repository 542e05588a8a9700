package coop

import (
	"container/heap"
	"crypto/sha256"
	"fmt"
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
	// Cut is the revocation or removal whose cut excludes this record; zero
	// when the record was refused for another reason.
	Cut record.ID
}

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
	// NeedsNewer are validly signed records of types or versions this code does not know.
	NeedsNewer []record.ID
	// Rejected are records that break the co-op's rules, with reasons.
	Rejected []Rejection

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
	closes          map[record.ID][]record.ID // valid closes per proposal, fold order
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
	// Concurrent closes of one proposal: the lowest ID decides, the others
	// are void, and so is whatever relied on them.
	void := voidCloses(s)
	if len(void) > 0 {
		s = g.fold(coop, void)
	}
	if len(s.cutters) > 0 {
		if cuts := g.resolveCuts(s); len(cuts) > 0 {
			// A close that a cut rejects decides nothing, so it must not
			// void a concurrent close (a revoked device's close could
			// otherwise block a proposal for good): pick the winners again
			// among the closes valid once the cuts apply.
			s = g.fold(coop, cuts)
			if void := voidCloses(s); len(void) > 0 {
				for id, rj := range void {
					cuts[id] = rj
				}
				s = g.fold(coop, cuts)
			}
		}
	}
	s.finish()
	s.finishConsent()
	s.g = nil // the graph is only needed while folding; do not keep it alive
	return s, g
}

// voidCloses finds the closes that a concurrent close with a lower record ID overrides.
func voidCloses(s *State) map[record.ID]Rejection {
	out := map[record.ID]Rejection{}
	for pid, cs := range s.closes {
		if len(cs) < 2 {
			continue
		}
		win := slices.MinFunc(cs, record.CompareIDs)
		for _, c := range cs {
			if c != win {
				out[c] = Rejection{ID: c, Type: TypeClosed, Cut: win,
					Reason: fmt.Sprintf("a concurrent close of %q with a lower record ID (%s) decides it; this close is void", s.proposals[pid].Title, win.Short())}
			}
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
}

func newGraph(recs []*record.Record) *graph {
	byID := make(map[record.ID]*record.Record, len(recs))
	for _, r := range recs {
		byID[r.ID] = r
	}
	// Pending: missing predecessors, transitively.
	children := map[record.ID][]record.ID{}
	indeg := map[record.ID]int{}
	pending := map[record.ID]bool{}
	var stack []record.ID
	for id, r := range byID {
		for _, p := range r.Prev {
			if _, ok := byID[p]; ok {
				children[p] = append(children[p], id)
				indeg[id]++
			} else if !pending[id] {
				pending[id] = true
				stack = append(stack, id)
			}
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range children[id] {
			if !pending[c] {
				pending[c] = true
				stack = append(stack, c)
			}
		}
	}
	g := &graph{pos: make(map[record.ID]int32, len(byID)), byAuthor: map[record.PublicKey][]int32{}}
	ready := &idHeap{}
	for id := range byID {
		if !pending[id] && indeg[id] == 0 {
			heap.Push(ready, id)
		}
	}
	for ready.Len() > 0 {
		id := heap.Pop(ready).(record.ID)
		r := byID[id]
		i := int32(len(g.recs))
		g.pos[id] = i
		g.recs = append(g.recs, r)
		g.nodes = append(g.nodes, nodeOf(r))
		g.byAuthor[r.Author] = append(g.byAuthor[r.Author], i)
		for _, c := range children[id] {
			if indeg[c]--; indeg[c] == 0 && !pending[c] {
				heap.Push(ready, c)
			}
		}
	}
	g.prev = make([][]int32, len(g.recs))
	g.children = make([][]int32, len(g.recs))
	for i, r := range g.recs {
		for _, p := range r.Prev {
			j := g.pos[p] // present: r is not pending
			g.prev[i] = append(g.prev[i], j)
			g.children[j] = append(g.children[j], int32(i))
		}
	}
	g.seen = make([]uint32, len(g.recs))
	g.waiting = map[record.ID]bool{}
	for id := range pending {
		for _, p := range byID[id].Prev {
			if _, ok := byID[p]; !ok {
				g.waiting[p] = true
			}
		}
		g.pending = append(g.pending, id)
	}
	sortIDs(g.pending)
	return g
}

// fold applies g's records in order; cuts are records already known to be
// outside a standing revocation's or removal's cut, rejected as such.
func (g *graph) fold(coop record.ID, cuts map[record.ID]Rejection) *State {
	s := &State{
		CoopID:      coop,
		Members:     map[MemberID]*Member{},
		memberByKey: map[record.PublicKey][]MemberID{},
		deviceOf:    map[record.PublicKey][]deviceCert{},
		requests:    map[record.ID]joinRequest{},
		revoked:     map[record.PublicKey][]revocation{},
		g:           g,

		proposals:       map[record.ID]*ProposalState{},
		closes:          map[record.ID][]record.ID{},
		delegations:     map[MemberID][]delegation{},
		delegEnded:      map[record.ID][]record.ID{},
		firstDelegation: -1,

		versions:    map[record.ID]*AgreementVersion{},
		consentKeys: map[record.PublicKey]consentKeyReg{},
		receipts:    map[record.ID]*Receipt{},
		receiptsBy:  map[record.PublicKey][]*Receipt{},
	}
	rejected := map[record.ID]bool{}
	for _, r := range g.recs {
		if c, ok := cuts[r.ID]; ok {
			rejected[r.ID] = true
			s.Rejected = append(s.Rejected, c)
			continue
		}
		if reason := s.apply(r, rejected); reason != "" {
			rejected[r.ID] = true
			s.Rejected = append(s.Rejected, Rejection{ID: r.ID, Type: r.Type, Reason: reason})
		}
	}
	s.Pending = slices.Clone(g.pending)
	s.frontier = g.frontier(rejected, s.NeedsNewer)
	sortIDs(s.NeedsNewer)
	sort.Slice(s.Rejected, func(i, j int) bool { return s.Rejected[i].ID.Less(s.Rejected[j].ID) })
	return s
}

// apply folds one record into s, returning why it was rejected ("" if applied).
func (s *State) apply(r *record.Record, rejected map[record.ID]bool) string {
	for _, p := range r.Prev {
		if rejected[p] {
			return fmt.Sprintf("relies on rejected record %s", p.Short())
		}
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
	if !Known(r.Type, r.V) {
		s.NeedsNewer = append(s.NeedsNewer, r.ID)
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

func (s *State) applyGenesis(r *record.Record) string {
	if r.ID != s.CoopID {
		return "a second genesis: this record founds another co-op"
	}
	if r.V > schemas[TypeGenesis] {
		s.NeedsNewer = append(s.NeedsNewer, r.ID)
		return ""
	}
	var g Genesis
	if err := r.DecodeBody(&g); err != nil {
		return err.Error()
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
	s.requests[r.ID] = joinRequest{member: r.Author, JoinRequest: j}
	return ""
}

// reaches reports whether target is from or one of its ancestors. Every
// caller asks from the record being applied, whose past is all folded.
func (s *State) reaches(from, target record.ID) bool {
	f, ok := s.g.pos[from]
	t, ok2 := s.g.pos[target]
	return ok && ok2 && s.g.reaches(f, t)
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
	stack := []int32{from}
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

type idHeap []record.ID

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i].Less(h[j]) }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(record.ID)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
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
