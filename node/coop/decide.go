package coop

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Governance in the fold.
//
// A proposal fixes, from its own causal past, the bylaws in force and the
// roll: the members admitted and not removed in that past, in an eligible
// class. The bylaws in force give its floor: their special rule for its
// kind (Bylaws.Special, a DecisionRule: quorum, threshold and allowed
// methods) if they have one, else their general quorum and threshold. A
// proposal may tighten the floor, never loosen it; one that sets no quorum
// or threshold takes the floor's, and its Rules (which every recount of its
// close uses) are what it was decided by. A bylaws amendment is so judged
// by the bylaws it would replace. Ballots are judged for shape and signer
// when applied; whether one counts is decided by the count:
//
//   - A member's ballots on a proposal: one in the past of another is
//     replaced by it; of those replaced by none (concurrent ones), the one
//     with the highest record ID stands. No clock is consulted.
//   - A standing ballot counts directly when its voter is on the roll and
//     was not removed in the ballot's past.
//   - A member on the roll with no ballot of their own is counted through
//     their delegation: the narrowest in scope (this proposal, then its
//     kind, then every proposal); of equal scope, the one replaced by none,
//     then the highest ID; a delegation counts unless its withdrawal is
//     known. The chain follows delegates who did not vote to their own
//     delegations until it meets a member with a standing ballot (whose
//     choice is then used, whether or not that member is on the roll), a
//     member with no delegation, or a member already in the chain (a cycle):
//     the last two cast no vote.
//
// A close record counts in its own causal past only: its list of counted
// ballots and proxies must equal that count, and its result must equal the
// tally of exactly those ballots. Otherwise it is invalid everywhere. A
// close decides only with its tellers' co-signatures, and of several closes
// of one proposal closes.go says which decides; the others are void. A
// ballot with a deciding close of its proposal in its past is refused, and
// one concurrent with the close is kept but not counted: a closed result
// never changes.

// ProposalState is one proposal as the fold sees it.
type ProposalState struct {
	ID       record.ID
	Author   MemberID
	Opened   time.Time
	ClosesAt time.Time
	Proposal
	// Eligible is the roll: the members who may vote, ascending. Rules are what the tally uses.
	Eligible []MemberID
	Rules    tally.Rules
	// Grace is how long after ClosesAt any member (not only the author) may close.
	Grace time.Duration
	// Tellers is how many members besides the author must co-sign a close
	// before it decides (Bylaws.Tellers in force when it opened, at most the
	// roll less the author).
	Tellers int
	Ballots []*BallotState // by their clock, then ID
	// Close is the close record that decides the proposal; nil while open.
	Close *CloseState
	// Now is the count over every ballot known; for a closed proposal the
	// close's own count, with the later ballots listed as not counted.
	Now *Count
	// Effect says what the close changed, or why a passed close changed nothing.
	Effect string

	pos  int32
	byID map[record.ID]*BallotState
}

// BallotState is one valid ballot.
type BallotState struct {
	ID    record.ID
	Voter MemberID
	Time  time.Time
	Vote  tally.Ballot
	pos   int32
}

// CloseState is the close record that decided a proposal.
type CloseState struct {
	ID     record.ID
	By     MemberID
	Time   time.Time
	Result tally.Result
	// Tellers are the members besides the author who co-signed it.
	Tellers []MemberID
}

// Count is a proposal's count: what counted and what did not, and why.
type Count struct {
	Counted    []record.ID // direct ballots, ascending
	Proxies    []Proxy     // by member
	NotCounted []NotCounted
	Result     tally.Result
	// uses are the delegation records (and their withdrawals) the count relied on.
	uses []record.ID
}

// NotCounted is a valid ballot that does not count, and why.
type NotCounted struct {
	Ballot record.ID
	Voter  MemberID
	Reason string
}

type delegation struct {
	id   record.ID
	pos  int32
	from MemberID
	Delegation
}

// Proposal returns the proposal with ID id.
func (s *State) ProposalByID(id record.ID) (*ProposalState, bool) {
	p, ok := s.proposals[id]
	return p, ok
}

// Proposals returns every valid proposal, newest opened first.
func (s *State) Proposals() []*ProposalState {
	out := make([]*ProposalState, 0, len(s.proposals))
	for _, p := range s.proposals {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *ProposalState) int {
		if c := b.Opened.Compare(a.Opened); c != 0 {
			return c
		}
		return record.CompareIDs(a.ID, b.ID)
	})
	return out
}

// Delegations returns member m's delegations that are neither withdrawn nor
// replaced by a later one of the same scope, oldest first.
func (s *State) Delegations(m MemberID) []Delegation {
	var out []Delegation
	for _, d := range s.delegations[m] {
		if len(s.delegEnded[d.id]) == 0 && !s.delegReplaced[d.id] {
			out = append(out, d.Delegation)
		}
	}
	return out
}

// DelegationRecords returns the IDs of the delegations Delegations returns.
func (s *State) DelegationRecords(m MemberID) []record.ID {
	var out []record.ID
	for _, d := range s.delegations[m] {
		if len(s.delegEnded[d.id]) == 0 && !s.delegReplaced[d.id] {
			out = append(out, d.id)
		}
	}
	return out
}

// Frontier returns the latest membership, bylaws and close records: valid
// records of those types in the past of no other. A proposal names them,
// so its causal past holds the roll and bylaws its author saw.
func (s *State) Frontier() []record.ID { return slices.Clone(s.frontier) }

// bylawsAt returns the bylaws in force in at's causal past.
func (s *State) bylawsAt(at record.ID) Bylaws {
	for i := len(s.amendments) - 1; i >= 0; i-- {
		if s.reaches(at, s.amendments[i].id) {
			return s.amendments[i].bylaws
		}
	}
	return s.genesisBylaws
}

// profileAt returns m's class and roles in at's causal past.
func (s *State) profileAt(m *Member, at record.ID) (string, []string) {
	for i := len(m.changes) - 1; i >= 0; i-- {
		if s.reaches(at, m.changes[i].id) {
			return m.changes[i].class, m.changes[i].roles
		}
	}
	return m.firstClass, m.firstRoles
}

// removedBefore reports whether one of m's removals is in at's causal past.
func (s *State) removedBefore(m *Member, at record.ID) bool {
	for _, id := range m.removals {
		if s.reaches(at, id) {
			return true
		}
	}
	return false
}

// markPast marks from and its ancestors at or after floor, replacing the
// previous marks. Marks live apart from the visited set of reaches, so a
// count can ask reaches questions while it reads the marks.
func (g *graph) markPast(from, floor int32) {
	if g.mark == nil {
		g.mark = make([]uint32, len(g.nodes))
	}
	g.markEpoch++
	if g.markEpoch == 0 {
		clear(g.mark)
		g.markEpoch = 1
	}
	g.mark[from] = g.markEpoch
	sp := walkStacks.Get().(*[]int32)
	defer walkStacks.Put(sp)
	stack := append((*sp)[:0], from)
	defer func() { *sp = stack[:0] }()
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range g.prev[i] {
			if p >= floor && g.mark[p] != g.markEpoch {
				g.mark[p] = g.markEpoch
				stack = append(stack, p)
			}
		}
	}
}

func (g *graph) marked(i int32) bool { return g.mark[i] == g.markEpoch }

func (s *State) voter(r *record.Record, what string) (*Member, string) {
	m, reason := s.signer(r)
	if reason != "" {
		return nil, reason
	}
	if s.removedBefore(m, r.ID) {
		return nil, fmt.Sprintf("%s left the co-op before signing this %s", m.Name, what)
	}
	return m, ""
}

// applyProposal checks a proposal against the bylaws in its causal past
// (methods, the floor of quorum and threshold: a special rule for its kind,
// else the general rule; see the governance comment above) and fixes its
// roll and Rules.
func (s *State) applyProposal(r *record.Record) string {
	var p Proposal
	if err := r.DecodeBody(&p); err != nil {
		return err.Error()
	}
	if reason := checkBylawsVersion(r.V, p.Bylaws, r.Body); reason != "" {
		return reason
	}
	author, reason := s.voter(r, "proposal")
	if reason != "" {
		return reason
	}
	by := s.bylawsAt(r.ID)
	closes, err := p.ClosesAt()
	if err != nil {
		return err.Error()
	}
	switch {
	case p.Title == "":
		return "a proposal needs a title"
	case !slices.Contains(Kinds, p.Kind):
		return fmt.Sprintf("proposal kind %q is not one of %s", p.Kind, strings.Join(Kinds, ", "))
	case !closes.After(r.Time):
		return "the closing time must be after the proposal is opened"
	case len(by.Methods) > 0 && !slices.Contains(by.Methods, p.Method):
		return fmt.Sprintf("the bylaws do not allow the %s method (allowed: %v)", p.Method, by.Methods)
	case p.Kind != KindGeneral && !binding(p.Method):
		return fmt.Sprintf("a %s proposal changes the co-op, so it needs a method that passes or fails (majority, consent or consensus), not %s", p.Kind, p.Method)
	}
	// The floor: the bylaws' special rule for the kind, else their general rule.
	rule, special := by.Rule(p.Kind)
	if special && len(rule.Methods) > 0 && !slices.Contains(rule.Methods, p.Method) {
		return fmt.Sprintf("the bylaws require %s to be decided by %s (this one: %s)", kindPhrase(p.Kind), methodsText(rule.Methods), p.Method)
	}
	if p.Draft != nil {
		if got := sha256Hex(p.Body); got != p.Draft.SHA256 {
			return fmt.Sprintf("the body does not match the pinned draft (SHA-256 %s, draft says %s)", got[:12], short(p.Draft.SHA256))
		}
	}
	quorum, threshold := rule.Quorum, rule.Threshold
	if p.Quorum != nil {
		switch {
		case p.Quorum.Cmp(rule.Quorum) >= 0:
			quorum = *p.Quorum
		case special:
			return fmt.Sprintf("the bylaws require %s to have quorum at least %s (this one: %s)", kindPhrase(p.Kind), rule.Quorum, p.Quorum)
		default:
			return fmt.Sprintf("a proposal may tighten the bylaws' quorum (%s), not loosen it to %s", by.Quorum, p.Quorum)
		}
	}
	if p.Threshold != nil {
		switch {
		case p.Threshold.Cmp(rule.Threshold) >= 0:
			threshold = *p.Threshold
		case special:
			return fmt.Sprintf("the bylaws require %s to have threshold at least %s (this one: %s)", kindPhrase(p.Kind), rule.Threshold, p.Threshold)
		default:
			return fmt.Sprintf("a proposal may tighten the bylaws' threshold (%s), not loosen it to %s", by.Threshold, p.Threshold)
		}
	}
	for _, c := range p.Classes {
		if !by.HasClass(c) {
			return fmt.Sprintf("class %q is not in the bylaws", c)
		}
	}
	if reason := s.checkKind(r, &p, by); reason != "" {
		return reason
	}
	// The roll, from the proposal's causal past.
	pos := s.g.position(r.ID)
	s.g.markPast(pos, 0)
	roll := make([]MemberID, 0, len(s.Members)) // at most every member: no regrowing per proposal
	onRoll := func(id MemberID, m *Member) {
		removed := false
		for _, rm := range m.removals {
			removed = removed || s.g.marked(s.g.pos[rm])
		}
		if removed {
			return
		}
		class := m.firstClass
		for i := len(m.changes) - 1; i >= 0; i-- {
			if s.g.marked(s.g.pos[m.changes[i].id]) {
				class = m.changes[i].class
				break
			}
		}
		if eligibleClass(by, p.Classes, class) {
			roll = append(roll, id)
		}
	}
	if s.g.at.ok && !s.cow {
		// In a full fold, from the members kept sorted: already in order.
		for _, e := range s.g.rosterOf(s) {
			if s.g.marked(e.pos) {
				onRoll(e.id, s.Members[e.id])
			}
		}
	} else {
		for id, m := range s.Members {
			if s.g.marked(s.g.pos[record.ID(id)]) {
				onRoll(id, m)
			}
		}
		slices.SortFunc(roll, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	}
	if len(roll) == 0 {
		roll = nil // as a snapshot reads an empty roll back
	}
	roll = slices.Clip(roll) // kept with the proposal: not the whole membership's room
	if got := RollOf(roll); got != p.Roll {
		return fmt.Sprintf("the proposal's roll (%d members, %s) is not the roll in its causal past (%d members, %s)",
			p.Roll.Count, short(p.Roll.Hash), got.Count, got.Hash[:12])
	}
	rules := tally.Rules{Method: p.Method, Options: p.Options, Eligible: len(roll), Quorum: quorum, Threshold: threshold,
		Seats: p.Seats, Dots: p.Dots, MaxScore: p.MaxScore}
	if err := rules.Validate(); err != nil {
		return err.Error()
	}
	ps := &ProposalState{ID: r.ID, Author: author.ID, Opened: r.Time, ClosesAt: closes, Proposal: p, Eligible: roll, Rules: rules,
		Grace: time.Duration(by.CloseGraceHours) * time.Hour, pos: pos, byID: map[record.ID]*BallotState{}}
	ps.Tellers = tellersNeeded(by, roll, author.ID)
	s.proposals[r.ID] = ps
	return ""
}

// kindPhrase is "a bylaws proposal", "an admission proposal", and so on.
func kindPhrase(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind + " proposal"
	}
	return "a " + kind + " proposal"
}

// methodsText is "majority", "majority or consent", "majority, consent or consensus".
func methodsText(ms []tally.Method) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func eligibleClass(by Bylaws, classes []string, class string) bool {
	if len(classes) > 0 {
		return slices.Contains(classes, class)
	}
	for _, c := range by.Classes {
		if c.Name == class {
			return c.Votes
		}
	}
	return false
}

// checkKind checks what a proposal of p's kind would change is possible.
func (s *State) checkKind(r *record.Record, p *Proposal, by Bylaws) string {
	switch p.Kind {
	case KindAdmission:
		req, ok := s.requests[p.Request]
		switch {
		case p.Request.IsZero() || !ok || !s.reaches(r.ID, p.Request):
			return "an admission proposal must name a valid join request in its causal past"
		case !by.HasClass(p.Class):
			return fmt.Sprintf("class %q is not in the bylaws", p.Class)
		}
		for _, id := range s.memberByKey[req.member] {
			if s.reaches(r.ID, record.ID(id)) {
				return fmt.Sprintf("%s is already a member", req.Name)
			}
		}
	case KindRemoval, KindMemberChange:
		m, ok := s.Members[p.Member]
		switch {
		case !ok || !s.reaches(r.ID, record.ID(p.Member)):
			return fmt.Sprintf("the member %s is not in the proposal's causal past", record.ID(p.Member).Short())
		case s.removedBefore(m, r.ID):
			return fmt.Sprintf("%s has already left the co-op", m.Name)
		case p.Kind == KindMemberChange && !by.HasClass(p.Class):
			return fmt.Sprintf("class %q is not in the bylaws", p.Class)
		}
	case KindAgreement:
		return s.checkAgreement(r, p)
	case KindBylaws:
		if p.Bylaws == nil {
			return "a bylaws proposal must carry the new bylaws, whole"
		}
		if err := p.Bylaws.Validate(); err != nil {
			return err.Error()
		}
	}
	return ""
}

func (s *State) applyBallot(r *record.Record) string {
	var b Ballot
	if err := r.DecodeBody(&b); err != nil {
		return err.Error()
	}
	p, ok := s.proposals[b.Proposal]
	if !ok || !s.reaches(r.ID, b.Proposal) {
		return fmt.Sprintf("votes on %s, which is not a valid proposal in this ballot's causal past", b.Proposal.Short())
	}
	m, reason := s.voter(r, "ballot")
	if reason != "" {
		return reason
	}
	if b.Roll != p.Roll.Hash {
		return fmt.Sprintf("names roll %s, but the proposal's roll is %s", short(b.Roll), short(p.Roll.Hash))
	}
	if c := s.closedBefore(p, r.ID); !c.IsZero() {
		return fmt.Sprintf("cast after %q was closed (%s)", p.Title, c.Short())
	}
	if err := p.Rules.CheckBallot(b.Vote); err != nil {
		return err.Error()
	}
	bs := &BallotState{ID: r.ID, Voter: m.ID, Time: r.Time, Vote: b.Vote, pos: s.g.position(r.ID)}
	p.Ballots = append(p.Ballots, bs)
	p.byID[r.ID] = bs
	return ""
}

// closedBefore returns a valid close of p in at's causal past, or zero.
func (s *State) closedBefore(p *ProposalState, at record.ID) record.ID {
	for _, c := range s.closes[p.ID] {
		if s.reaches(at, c) {
			return c
		}
	}
	return record.ID{}
}

func (s *State) applyDelegation(r *record.Record) string {
	var d Delegation
	if err := r.DecodeBody(&d); err != nil {
		return err.Error()
	}
	m, reason := s.voter(r, "delegation")
	if reason != "" {
		return reason
	}
	to, ok := s.Members[d.Delegate]
	switch {
	case !ok || !s.reaches(r.ID, record.ID(d.Delegate)):
		return fmt.Sprintf("delegates to %s, who is not a member in this record's causal past", record.ID(d.Delegate).Short())
	case to.ID == m.ID:
		return "a member cannot delegate to themselves"
	case !d.Proposal.IsZero() && d.Kind != "":
		return "a delegation covers one proposal or one kind of proposal, not both"
	case d.Kind != "" && !slices.Contains(Kinds, d.Kind):
		return fmt.Sprintf("proposal kind %q is not one of %s", d.Kind, strings.Join(Kinds, ", "))
	}
	if !d.Proposal.IsZero() {
		if _, ok := s.proposals[d.Proposal]; !ok || !s.reaches(r.ID, d.Proposal) {
			return fmt.Sprintf("delegates on %s, which is not a valid proposal in this record's causal past", d.Proposal.Short())
		}
	}
	s.delegations[m.ID] = append(s.delegations[m.ID], delegation{id: r.ID, pos: s.g.position(r.ID), from: m.ID, Delegation: d})
	if s.firstDelegation < 0 {
		s.firstDelegation = s.g.position(r.ID)
	}
	return ""
}

func (s *State) applyDelegationEnded(r *record.Record) string {
	var e DelegationEnded
	if err := r.DecodeBody(&e); err != nil {
		return err.Error()
	}
	m, reason := s.voter(r, "withdrawal")
	if reason != "" {
		return reason
	}
	if !s.reaches(r.ID, e.Delegation) || !slices.ContainsFunc(s.delegations[m.ID], func(d delegation) bool { return d.id == e.Delegation }) {
		return fmt.Sprintf("withdraws %s, which is not a valid delegation of %s in this record's causal past", e.Delegation.Short(), m.Name)
	}
	s.delegEnded[e.Delegation] = append(s.delegEnded[e.Delegation], r.ID)
	return ""
}

// count counts p over the records visible marks (nil: every record).
func (s *State) count(p *ProposalState, visible func(int32) bool) *Count {
	see := func(i int32) bool { return visible == nil || visible(i) }
	byVoter := make(map[MemberID][]*BallotState, len(p.Ballots))
	for _, b := range p.Ballots {
		if see(b.pos) {
			byVoter[b.Voter] = append(byVoter[b.Voter], b)
		}
	}
	c := &Count{}
	standing := make(map[MemberID]*BallotState, len(byVoter))
	for v, bs := range byVoter {
		st := s.standing(bs)
		standing[v] = st
		for _, b := range bs {
			if b != st {
				c.NotCounted = append(c.NotCounted, NotCounted{Ballot: b.ID, Voter: v, Reason: "replaced by the voter's ballot " + st.ID.Short()})
			}
		}
		m := s.Members[v]
		switch {
		case !p.OnRoll(v):
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: st.ID, Voter: v,
				Reason: fmt.Sprintf("%s was not on the roll when the proposal opened (not a member then, or not in a class that votes on it)", m.Name)})
		case s.removedBefore(m, st.ID):
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: st.ID, Voter: v, Reason: m.Name + " had left the co-op"})
		default:
			c.Counted = append(c.Counted, st.ID)
		}
	}
	counted := map[MemberID]bool{}
	for _, id := range c.Counted {
		counted[p.byID[id].Voter] = true
	}
	used := map[record.ID]bool{}
	for _, m := range p.Eligible {
		if counted[m] {
			continue
		}
		// via and seen are made once a delegation is found: most members
		// have none, and a count runs over every member on the roll.
		var via []record.ID
		var seen map[MemberID]bool
		cur := m
		for {
			d, looked := s.delegationFor(cur, p, see)

			// Everything the chain looked at is named by the close, even
			// where it leads nowhere: the recount in the close's past must
			// make the same choices.
			for _, id := range looked {
				used[id] = true
			}
			if d == nil {
				break
			}
			via = append(via, d.id)
			if b, ok := standing[d.Delegate]; ok {
				// A member who had left by the time of that ballot casts no vote.
				if !s.removedBefore(s.Members[m], b.ID) {
					c.Proxies = append(c.Proxies, Proxy{Member: m, Ballot: b.ID, Via: via})
				}
				break
			}
			if seen == nil {
				seen = map[MemberID]bool{m: true}
			}
			if seen[d.Delegate] {
				break // a cycle: no vote
			}
			seen[d.Delegate] = true
			cur = d.Delegate
		}
	}
	for id := range used {
		c.uses = append(c.uses, id)
	}
	sortIDs(c.uses)
	sortIDs(c.Counted)
	slices.SortFunc(c.Proxies, func(a, b Proxy) int { return record.CompareIDs(record.ID(a.Member), record.ID(b.Member)) })
	slices.SortFunc(c.NotCounted, func(a, b NotCounted) int { return record.CompareIDs(a.Ballot, b.Ballot) })
	votes := make([]tally.Ballot, 0, len(c.Counted)+len(c.Proxies))
	for _, id := range c.Counted {
		votes = append(votes, p.byID[id].Vote)
	}
	for _, px := range c.Proxies {
		votes = append(votes, p.byID[px.Ballot].Vote)
	}
	res, err := tally.Count(p.Rules, votes)
	if err != nil {
		// Rules and ballots were checked when applied, so this is a bug.
		panic(fmt.Sprintf("coop: tally of checked ballots: %v", err))
	}
	c.Result = res
	return c
}

// standing picks a voter's standing ballot among bs: those in the past of
// no other, then the highest record ID.
func (s *State) standing(bs []*BallotState) *BallotState {
	if len(bs) == 1 {
		return bs[0]
	}
	var best *BallotState
	for _, b := range bs {
		if !s.replacedIn(b, bs) && (best == nil || best.ID.Less(b.ID)) {
			best = b
		}
	}
	return best
}

// replacedIn reports whether another of bs has b in its past.
func (s *State) replacedIn(b *BallotState, bs []*BallotState) bool {
	for _, o := range bs {
		if o != b && o.pos > b.pos && s.g.reaches(o.pos, b.pos) {
			return true
		}
	}
	return false
}

// delegationFor returns m's delegation that applies to p among the visible
// ones: of those not withdrawn, the narrowest in scope; of equal scope, those
// not in the past of another, then the highest ID. It also returns every
// record it looked at (matching delegations and their withdrawals): a close
// names them all, so its recount sees exactly the same choice.
func (s *State) delegationFor(m MemberID, p *ProposalState, see func(int32) bool) (*delegation, []record.ID) {
	var cands [3][]*delegation
	var looked []record.ID
	for i := range s.delegations[m] {
		d := &s.delegations[m][i]
		if !see(d.pos) {
			continue
		}
		scope := 2
		switch {
		case d.Proposal == p.ID:
			scope = 0
		case !d.Proposal.IsZero():
			continue
		case d.Kind == p.Kind:
			scope = 1
		case d.Kind != "":
			continue
		}
		cands[scope] = append(cands[scope], d)
	}
	var best *delegation
	for _, cs := range cands {
		for _, d := range cs {
			// A delegation replaced by a later one of the same scope stays
			// replaced, even once that later one is withdrawn. Replaced ones
			// need no naming: their replacement, named, has them in its past.
			if replacedBy(s, d, cs) {
				continue
			}
			looked = append(looked, d.id)
			withdrawn := false
			for _, e := range s.delegEnded[d.id] {
				if see(s.g.pos[e]) {
					withdrawn = true
					looked = append(looked, e)
				}
			}
			if !withdrawn && (best == nil || best.id.Less(d.id)) {
				best = d
			}
		}
		if best != nil {
			return best, looked
		}
	}
	return nil, looked
}

// replacedBy reports whether another delegation of cs has d in its past.
func replacedBy(s *State, d *delegation, cs []*delegation) bool {
	for _, o := range cs {
		if o != d && o.pos > d.pos && s.g.reaches(o.pos, d.pos) {
			return true
		}
	}
	return false
}

// Ballot returns the valid ballot on p with ID id.
func (p *ProposalState) Ballot(id record.ID) (*BallotState, bool) {
	b, ok := p.byID[id]
	return b, ok
}

// OnRoll reports whether member m may vote on p.
func (p *ProposalState) OnRoll(m MemberID) bool {
	_, ok := slices.BinarySearchFunc(p.Eligible, m, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	return ok // Eligible is sorted
}

func (s *State) applyClosed(r *record.Record) string {
	var c Closing
	if err := r.DecodeBody(&c); err != nil {
		return err.Error()
	}
	p, ok := s.proposals[c.Proposal]
	if !ok || !s.reaches(r.ID, c.Proposal) {
		return fmt.Sprintf("closes %s, which is not a valid proposal in this record's causal past", c.Proposal.Short())
	}
	m, reason := s.voter(r, "close")
	if reason != "" {
		return reason
	}
	if reason := s.MayClose(p, m.ID, r.Time, s.closeInPast(p, r.ID)); reason != nil {
		return reason.Error()
	}
	// Count in the close's causal past. Everything the count reads comes
	// after the proposal, except delegations, which may be older.
	floor := p.pos
	if s.firstDelegation >= 0 && s.firstDelegation < floor {
		floor = s.firstDelegation
	}
	s.g.markPast(s.g.position(r.ID), floor)
	cnt := s.count(p, s.g.marked)
	if reason := compareCount(p, &c, cnt); reason != "" {
		return reason
	}
	cand := s.candidate(r, p, m.ID, cnt)
	s.cands[p.ID] = append(s.cands[p.ID], cand)
	if !cand.tellered || s.void[r.ID] {
		return "" // valid, but it decides nothing (closes.go)
	}
	s.closes[p.ID] = append(s.closes[p.ID], r.ID)
	if p.Close == nil {
		p.Close = &CloseState{ID: r.ID, By: m.ID, Time: r.Time, Result: cnt.Result, Tellers: cand.tellers}
		p.Now = cnt
		if cnt.Result.Outcome == tally.OutcomePassed {
			p.Effect = s.effect(r, p)
		}
	}
	return ""
}

// compareCount says how a close's claimed count differs from the recount ("" if it does not).
func compareCount(p *ProposalState, c *Closing, cnt *Count) string {
	name := fmt.Sprintf("%q (%s)", p.Title, p.ID.Short())
	want := make(map[record.ID]bool, len(cnt.Counted))
	for _, id := range cnt.Counted {
		want[id] = true
	}
	got := make(map[record.ID]bool, len(c.Counted))
	for _, id := range c.Counted {
		got[id] = true
		if !want[id] {
			return fmt.Sprintf("the close of %s counts ballot %s, which is not a standing, eligible ballot in the close's causal past", name, id.Short())
		}
	}
	for _, id := range cnt.Counted {
		if !got[id] {
			return fmt.Sprintf("the close of %s leaves out ballot %s, a standing, eligible ballot in the close's causal past", name, id.Short())
		}
	}
	if len(c.Counted) != len(cnt.Counted) || !slices.IsSortedFunc(c.Counted, record.CompareIDs) {
		return fmt.Sprintf("the close of %s must list each counted ballot once, in ascending order", name)
	}
	if a, b := mustJSON(c.Proxies), mustJSON(cnt.Proxies); !bytes.Equal(a, b) {
		return fmt.Sprintf("the close of %s lists proxy votes %s, but the delegations in its causal past give %s", name, a, b)
	}
	if a, b := mustJSON(c.Result), mustJSON(cnt.Result); !bytes.Equal(a, b) {
		return fmt.Sprintf("the close of %s reports %s, but the counted ballots tally to %s (%s)", name, c.Result.Outcome, cnt.Result.Outcome, cnt.Result.Why)
	}
	return ""
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("coop: marshal plain data: %v", err))
	}
	if string(b) == "null" {
		return []byte("[]")
	}
	return b
}

// effect applies what a passed proposal changes; it returns what happened.
func (s *State) effect(r *record.Record, p *ProposalState) string {
	switch p.Kind {
	case KindAdmission:
		req := s.requests[p.Request]
		for _, id := range s.memberByKey[req.member] {
			if s.reaches(r.ID, record.ID(id)) {
				return fmt.Sprintf("nothing: %s was already admitted", req.Name)
			}
		}
		if reason := s.deviceConflict(r.ID, req.DeviceKey, MemberID(r.ID)); reason != "" {
			return "nothing: the join request's " + reason
		}
		s.addMember(MemberID(r.ID), Profile{Name: req.Name, MemberKey: req.member, Class: p.Class, Roles: p.Roles, Request: p.Request},
			r.Time, p.Author, false)
		s.addDevice(s.Members[MemberID(r.ID)], req.DeviceKey, r.ID)
		return fmt.Sprintf("admitted %s as %s", req.Name, p.Class)
	case KindRemoval:
		m := s.Members[p.Member]
		if s.removedBefore(m, r.ID) {
			return fmt.Sprintf("nothing: %s had already left", m.Name)
		}
		s.remove(r, m, false)
		return fmt.Sprintf("removed %s", m.Name)
	case KindMemberChange:
		m := s.Members[p.Member]
		roles := slices.Clone(p.Roles)
		slices.Sort(roles)
		roles = slices.Compact(roles)
		m.Class, m.Roles = p.Class, roles
		m.changes = append(m.changes, profileChange{id: r.ID, class: p.Class, roles: roles})
		return fmt.Sprintf("%s is now %s%s", m.Name, p.Class, rolesText(roles))
	case KindBylaws:
		s.Bylaws, s.BylawsFrom = *p.Bylaws, r.ID
		s.amendments = append(s.amendments, amendment{id: r.ID, bylaws: *p.Bylaws})
		return "the bylaws were amended"
	case KindAgreement:
		return s.adopt(r, p)
	}
	return ""
}

func rolesText(roles []string) string {
	if len(roles) == 0 {
		return " with no roles"
	}
	return " with roles " + strings.Join(roles, ", ")
}

type profileChange struct {
	id    record.ID
	class string
	roles []string
}

type amendment struct {
	id     record.ID
	bylaws Bylaws
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func sha256Hex(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// finish computes, while the graph is still at hand, each proposal's count:
// the running count of an open one, and for a closed one the close's count
// with the ballots it could not see listed as not counted.
func (s *State) finish() {
	s.delegReplaced = map[record.ID]bool{}
	for _, ds := range s.delegations {
		for i := range ds {
			for j := range ds {
				if i != j && ds[i].Proposal == ds[j].Proposal && ds[i].Kind == ds[j].Kind && ds[j].pos > ds[i].pos && s.g.reaches(ds[j].pos, ds[i].pos) {
					s.delegReplaced[ds[i].id] = true
				}
			}
		}
	}
	for _, p := range s.proposals {
		s.finishProposal(p)
	}
}

// finishProposal puts p's ballots in order and sets p.Now: the running
// count of an open proposal; for a closed one, the close's count with the
// ballots it could not see listed as not counted. It never changes the
// Count it finds (a state others read may share it).
func (s *State) finishProposal(p *ProposalState) {
	slices.SortFunc(p.Ballots, compareBallots)
	if p.Close == nil {
		p.Now = s.count(p, nil)
		return
	}
	in := map[record.ID]bool{}
	for _, id := range p.Now.Counted {
		in[id] = true
	}
	for _, n := range p.Now.NotCounted {
		in[n.Ballot] = true
	}
	for _, px := range p.Now.Proxies {
		in[px.Ballot] = true
	}
	now := *p.Now
	now.NotCounted = slices.Clip(now.NotCounted)
	for _, b := range p.Ballots {
		if !in[b.ID] {
			now.NotCounted = append(now.NotCounted, NotCounted{Ballot: b.ID, Voter: b.Voter,
				Reason: "not in the close's causal past: cast concurrently with the close, so the closed result stands without it"})
		}
	}
	slices.SortFunc(now.NotCounted, func(a, b NotCounted) int { return record.CompareIDs(a.Ballot, b.Ballot) })
	p.Now = &now
}

// compareBallots orders ballots by their clock, then ID.
func compareBallots(a, b *BallotState) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return record.CompareIDs(a.ID, b.ID)
}

// frontier returns the valid membership, bylaws and close records in the
// causal past of no other such record.
func (g *graph) frontier(rejected map[record.ID]bool, newer []record.ID) []record.ID {
	isNewer := map[record.ID]bool{}
	for _, id := range newer {
		isNewer[id] = true
	}
	var base []int32
	for i, r := range g.nodes {
		switch r.Type {
		case TypeGenesis, TypeDevice, TypeAdmitted, TypeRevoked, TypeRemoved, TypeClosed:
			if !rejected[r.ID] && !isNewer[r.ID] {
				base = append(base, int32(i))
			}
		}
	}
	return g.heads(base)
}

// Uses returns the records besides ballots the count relied on: the
// delegations it followed and the withdrawals it honoured. A close names them.
func (c *Count) Uses() []record.ID { return slices.Clone(c.uses) }

// RollNow lists, ascending, the current members who may vote on a proposal
// restricted to classes (empty: every class the bylaws give a vote).
func (s *State) RollNow(classes []string) []MemberID {
	var out []MemberID
	for id, m := range s.Members {
		if !m.Removed && eligibleClass(s.Bylaws, classes, m.Class) {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	return out
}

// governanceDigest is the part of the state digest that governance adds:
// every proposal with its standing ballots and close, and every standing
// delegation.
func (s *State) governanceDigest() (proposals, delegations any) {
	type prop struct {
		ID      record.ID    `json:"id"`
		Ballots []record.ID  `json:"ballots"`
		Close   record.ID    `json:"close,omitzero"`
		Result  tally.Result `json:"result"`
	}
	ps := []prop{}
	for _, p := range s.Proposals() {
		x := prop{ID: p.ID, Ballots: []record.ID{}, Result: p.Now.Result}
		for _, b := range p.Ballots {
			x.Ballots = append(x.Ballots, b.ID)
		}
		sortIDs(x.Ballots)
		if p.Close != nil {
			x.Close = p.Close.ID
		}
		ps = append(ps, x)
	}
	slices.SortFunc(ps, func(a, b prop) int { return record.CompareIDs(a.ID, b.ID) })
	ds := []record.ID{}
	for m := range s.delegations {
		ds = append(ds, s.DelegationRecords(m)...)
	}
	sortIDs(ds)
	return ps, ds
}
