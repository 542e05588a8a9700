package coop

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Which close decides a proposal.
//
// A member holds valid keys and may sign anything, so the ID of a record
// they sign and the time it claims are theirs to choose (vary what is
// signed until the ID sorts low; write any time). No rule here breaks a tie
// on either where a better ground exists (DESIGN, "No tie-break a signer
// can choose"). The grounds, in order:
//
//  1. Tellers. A close decides only once members other than its author,
//     as many as the bylaws' Tellers (at most the roll less the author),
//     have co-signed it with certified device keys (co-signatures do not
//     change its ID). A member's node co-signs only a close that counts
//     every standing ballot it holds dated before the closing time, and
//     only while the proposal has no other deciding close (MayCoSign).
//     Until then the close awaits its tellers and decides nothing.
//  2. Omission. A close leaves out ballot b when another close with its
//     tellers counts b, b is dated before the closing time, and the close
//     counts neither b nor a later ballot of b's voter that has b in its
//     past. A close that leaves out a ballot never decides, with or
//     without tellers; it is listed as rejected, naming the ballot.
//  3. Of the closes with tellers that leave out nothing, the one counting
//     the most ballots decides: a strict superset always wins.
//  4. Of those counting as many, one in the causal past of another wins
//     (a close with its tellers is final against a later close that adds
//     nothing); only then the lowest record ID. That last tie needs two
//     concurrent closes, each with its tellers, counting different ballots
//     that are all dated after the closing time: a partition of honest
//     members, or colluding tellers (README, "Threat model").
//
// The closes that do not decide are void, not invalid: records that name
// one in their past are judged as usual (what they relied on, such as a
// member it admitted, is simply not there), so a contest never takes down
// the unrelated records made meanwhile.

// MaxTellers bounds Bylaws.Tellers: a record carries at most
// record.MaxSignatures signatures, the author's among them.
const MaxTellers = record.MaxSignatures - 1

// closeCand is a close of a proposal that passed every check of its own
// (timing, signer, recount): a candidate to decide it.
type closeCand struct {
	id       record.ID
	pos      int32
	by       MemberID
	counted  []record.ID // direct ballots and the proxies' ballots, ascending, distinct
	tellers  []MemberID  // members other than the author who co-signed, ascending
	tellered bool        // as many tellers as the proposal needs
}

// tellersNeeded is how many co-signers a close of a proposal opened under
// by, with roll eligible, needs besides its author.
func tellersNeeded(by Bylaws, roll []MemberID, author MemberID) int {
	others := len(roll)
	if slices.Contains(roll, author) {
		others--
	}
	return min(by.Tellers, others)
}

// tellersOf returns the members other than author whose certified,
// unrevoked device keys co-signed r, judged in r's causal past.
func (s *State) tellersOf(r *record.Record, author MemberID) []MemberID {
	var out []MemberID
	for _, sg := range r.Sigs[1:] {
		m, ok := s.deviceMemberAt(sg.Key, r.ID)
		if !ok || m.ID == author || s.removedBefore(m, r.ID) {
			continue
		}
		out = append(out, m.ID)
	}
	slices.SortFunc(out, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	return slices.Compact(out)
}

// deviceMemberAt finds the one member for whom k is a certified device key
// not revoked in at's causal past.
func (s *State) deviceMemberAt(k record.PublicKey, at record.ID) (*Member, bool) {
	for _, rv := range s.revoked[k] {
		if s.reaches(at, rv.id) {
			return nil, false
		}
	}
	var found *Member
	for _, c := range s.deviceOf[k] {
		if !s.reaches(at, c.cert) {
			continue
		}
		if found != nil && found.ID != c.member {
			return nil, false
		}
		found = s.Members[c.member]
	}
	return found, found != nil
}

// candidate builds the close candidate for r, counted cnt.
func (s *State) candidate(r *record.Record, p *ProposalState, by MemberID, cnt *Count) closeCand {
	counted := slices.Clone(cnt.Counted)
	for _, px := range cnt.Proxies {
		counted = append(counted, px.Ballot)
	}
	sortIDs(counted)
	counted = slices.Compact(counted)
	tellers := s.tellersOf(r, by)
	return closeCand{id: r.ID, pos: s.g.position(r.ID), by: by, counted: counted,
		tellers: tellers, tellered: len(tellers) >= p.Tellers}
}

// closeInPast returns a candidate close of p in at's causal past, or zero.
func (s *State) closeInPast(p *ProposalState, at record.ID) record.ID {
	for _, c := range s.cands[p.ID] {
		if s.reaches(at, c.id) {
			return c.id
		}
	}
	return record.ID{}
}

// covers reports whether c counts ballot b or a later ballot of b's voter
// that has b in its past.
func (s *State) covers(p *ProposalState, c *closeCand, b *BallotState) bool {
	if _, ok := slices.BinarySearchFunc(c.counted, b.ID, record.CompareIDs); ok {
		return true
	}
	for _, id := range c.counted {
		if o := p.byID[id]; o != nil && o.Voter == b.Voter && o.pos > b.pos && s.g.reaches(o.pos, b.pos) {
			return true
		}
	}
	return false
}

// leavesOut returns a ballot dated before p's closing time that t counts
// and c does not cover, or nil.
func (s *State) leavesOut(p *ProposalState, c, t *closeCand) *BallotState {
	for _, id := range t.counted {
		b := p.byID[id]
		if b != nil && b.Time.Before(p.ClosesAt) && !s.covers(p, c, b) {
			return b
		}
	}
	return nil
}

// settleCloses returns, for every proposal with several candidate closes,
// those that do not decide it (see the rules above), each with the reason.
// Void marks them: the fold judges them as usual but lets none decide.
func settleCloses(s *State) map[record.ID]Rejection {
	out := map[record.ID]Rejection{}
	for pid, cs := range s.cands {
		if len(cs) < 2 {
			continue
		}
		p := s.proposals[pid]
		name := fmt.Sprintf("%q (%s)", p.Title, p.ID.Short())
		var clean []*closeCand
		for i := range cs {
			c := &cs[i]
			if b, t := s.omission(p, c, cs); b != nil {
				out[c.id] = Rejection{ID: c.id, Type: TypeClosed, Cut: t.id, Void: true, LeftOut: b.ID,
					Reason: fmt.Sprintf("the close of %s leaves out ballot %s, dated before the closing time, which close %s counts: a close that leaves out a standing ballot never decides",
						name, b.ID.Short(), t.id.Short())}
				continue
			}
			if c.tellered {
				clean = append(clean, c)
			}
		}
		win := s.decider(clean)
		for _, c := range clean {
			if c != win {
				out[c.id] = Rejection{ID: c.id, Type: TypeClosed, Cut: win.id, Void: true,
					Reason: fmt.Sprintf("a concurrent close of %s, %s, counts at least as many ballots and decides it; this close is superseded", name, win.id.Short())}
			}
		}
	}
	return out
}

// omission returns a ballot c leaves out that another tellered close of
// cs counts, and that close; nil if none.
func (s *State) omission(p *ProposalState, c *closeCand, cs []closeCand) (*BallotState, *closeCand) {
	for j := range cs {
		t := &cs[j]
		if t.id == c.id || !t.tellered {
			continue
		}
		if b := s.leavesOut(p, c, t); b != nil {
			return b, t
		}
	}
	return nil, nil
}

// decider picks, of closes that leave nothing out, the one counting the
// most ballots; of those counting as many, one that has none of the others
// in its past (the earlier is final), then the lowest ID. Nil if cs is empty.
func (s *State) decider(cs []*closeCand) *closeCand {
	most := 0
	for _, c := range cs {
		most = max(most, len(c.counted))
	}
	var top []*closeCand
	for _, c := range cs {
		if len(c.counted) == most {
			top = append(top, c)
		}
	}
	var win *closeCand
	for _, c := range top {
		later := slices.ContainsFunc(top, func(o *closeCand) bool { return o != c && c.pos > o.pos && s.g.reaches(c.pos, o.pos) })
		if !later && (win == nil || c.id.Less(win.id)) {
			win = c
		}
	}
	return win
}

// CloseCode says why a member may not close a proposal.
type CloseCode int

const (
	// CloseTooEarly: the proposal's closing time has not come.
	CloseTooEarly CloseCode = iota + 1
	// CloseAuthorOnly: within the bylaws' grace period after the closing
	// time only the author may close, unless a close is already out to contest.
	CloseAuthorOnly
)

// CloseRefusal is why a close is refused: a code to branch on and words to show.
type CloseRefusal struct {
	Code  CloseCode
	Until time.Time // when the refusal ends
	text  string
}

func (e *CloseRefusal) Error() string { return e.text }

// MayClose says whether member by may close p with a close dated at: nil if
// so. contested is a close of p that the new close would have in its
// causal past (zero if none): a member who finds a close that leaves out
// ballots they hold may answer it with a fuller close at once, without
// waiting out the author's grace period. The fold judges every close by
// it, and a node asks it before signing one.
func (s *State) MayClose(p *ProposalState, by MemberID, at time.Time, contested record.ID) *CloseRefusal {
	switch {
	case at.Before(p.ClosesAt):
		return &CloseRefusal{Code: CloseTooEarly, Until: p.ClosesAt,
			text: fmt.Sprintf("closes %q before its closing time %s", p.Title, p.ClosesAt.UTC().Format(time.RFC3339))}
	case by != p.Author && contested.IsZero() && at.Before(p.ClosesAt.Add(p.Grace)):
		return &CloseRefusal{Code: CloseAuthorOnly, Until: p.ClosesAt.Add(p.Grace),
			text: fmt.Sprintf("only the author may close %q until %s (the bylaws' grace period of %s after closing time)",
				p.Title, p.ClosesAt.Add(p.Grace).UTC().Format(time.RFC3339), p.Grace)}
	}
	return nil
}

// Contest returns a close of proposal pid that passed its own checks (one
// awaiting its tellers, one that decides, or a void one), or zero: a new
// close that names the frontier has it in its past.
func (s *State) Contest(pid record.ID) record.ID {
	if cs := s.cands[pid]; len(cs) > 0 {
		return cs[0].id
	}
	return record.ID{}
}

// CoSignCode says why a member's node does not co-sign a close.
type CoSignCode int

const (
	// CoSignUnknown: the close is not among the valid closes of the proposal (yet).
	CoSignUnknown CoSignCode = iota + 1
	// CoSignOwn: the member wrote the close; a teller checks someone else's.
	CoSignOwn
	// CoSignDone: the member already co-signed it.
	CoSignDone
	// CoSignOtherDecides: another close already decides the proposal; a
	// teller never helps a later close undo it.
	CoSignOtherDecides
	// CoSignLeavesOut: the close leaves out a ballot the member's node
	// holds, dated before the closing time: the node closes again instead.
	CoSignLeavesOut
)

// CoSignRefusal is why a node does not co-sign a close.
type CoSignRefusal struct {
	Code   CoSignCode
	Ballot record.ID // for CoSignLeavesOut, a ballot it leaves out
	// Answer, for CoSignLeavesOut: a fuller close from this node would
	// decide once it has its tellers, so the node signs one (the close
	// leaving the ballot out does not decide yet, or the bylaws need no
	// tellers). Against a close that decides with its tellers, a fuller
	// one would find none: the node leaves it (finality).
	Answer bool
	text   string
}

func (e *CoSignRefusal) Error() string { return e.text }

// MayCoSign says whether member m's node, holding what f has folded, is a
// teller who co-signs close id of proposal pid: nil if it co-signs. It
// co-signs only a close that counts every standing ballot it holds dated
// before the closing time (or a later ballot of the same voter), and only
// while no other close decides the proposal. Like BylawsAt it walks f's
// graph, so it is not safe for concurrent use.
func (f *Folder) MayCoSign(pid, id record.ID, m MemberID) *CoSignRefusal {
	s, err := f.State()
	if err != nil {
		return &CoSignRefusal{Code: CoSignUnknown, text: err.Error()}
	}
	at := s.shallow()
	at.g = f.g
	return at.mayCoSign(pid, id, m)
}

func (s *State) mayCoSign(pid, id record.ID, m MemberID) *CoSignRefusal {
	p, ok := s.proposals[pid]
	i := slices.IndexFunc(s.cands[pid], func(c closeCand) bool { return c.id == id })
	if !ok || i < 0 {
		return &CoSignRefusal{Code: CoSignUnknown, text: fmt.Sprintf("close %s is not a valid close of proposal %s here", id.Short(), pid.Short())}
	}
	c := &s.cands[pid][i]
	// First what the close leaves out: it decides whether this node answers,
	// even where its own close or one it co-signed is the one found short.
	all := s.count(p, nil)
	held := slices.Clone(all.Counted)
	for _, px := range all.Proxies {
		held = append(held, px.Ballot)
	}
	for _, bid := range held {
		if b := p.byID[bid]; b.Time.Before(p.ClosesAt) && !s.covers(p, c, b) {
			return &CoSignRefusal{Code: CoSignLeavesOut, Ballot: bid, Answer: p.Close == nil || p.Tellers == 0,
				text: fmt.Sprintf("close %s of %q leaves out ballot %s, which this node holds", id.Short(), p.Title, bid.Short())}
		}
	}
	switch {
	case c.by == m:
		return &CoSignRefusal{Code: CoSignOwn, text: "a member does not tell their own close"}
	case slices.Contains(c.tellers, m):
		return &CoSignRefusal{Code: CoSignDone, text: "already co-signed"}
	case p.Close != nil && p.Close.ID != id:
		return &CoSignRefusal{Code: CoSignOtherDecides, text: fmt.Sprintf("close %s already decides %q", p.Close.ID.Short(), p.Title)}
	}
	if c.tellered {
		return &CoSignRefusal{Code: CoSignDone, text: "it has its tellers"}
	}
	return nil
}

// ClosesToTell lists, per proposal, the closes a member's node checks
// against the ballots it holds, to co-sign one or to answer with a fuller
// close: every valid close of an undecided proposal (awaiting its tellers,
// or void because it leaves ballots out), and the deciding close of a
// decided one (which, under bylaws that need no tellers, a fuller close
// still overrides).
func (s *State) ClosesToTell() map[record.ID][]record.ID {
	out := map[record.ID][]record.ID{}
	for pid, cs := range s.cands {
		if p := s.proposals[pid]; p.Close != nil {
			out[pid] = []record.ID{p.Close.ID}
			continue
		}
		for _, c := range cs {
			out[pid] = append(out[pid], c.id)
		}
	}
	return out
}

// CountAll is proposal pid's count over every ballot f has folded, whether
// or not a close decides it: what a fuller close counts and names. Like
// BylawsAt it walks f's graph, so it is not safe for concurrent use.
func (f *Folder) CountAll(pid record.ID) (*Count, bool) {
	s, err := f.State()
	if err != nil {
		return nil, false
	}
	p, ok := s.proposals[pid]
	if !ok {
		return nil, false
	}
	at := s.shallow()
	at.g = f.g
	return at.count(p, nil), true
}

// AwaitingClose is a close of a proposal that passed its checks and awaits
// its tellers.
type AwaitingClose struct {
	ID      record.ID
	By      MemberID
	Tellers []MemberID // who co-signed so far
	Need    int        // how many must
}

// Awaiting returns the closes of proposal pid that await their tellers
// (none once a close decides it), in fold order.
func (s *State) Awaiting(pid record.ID) []AwaitingClose {
	p, ok := s.proposals[pid]
	if !ok || p.Close != nil {
		return nil
	}
	var out []AwaitingClose
	for _, c := range s.cands[pid] {
		if !c.tellered {
			out = append(out, AwaitingClose{ID: c.id, By: c.by, Tellers: slices.Clone(c.tellers), Need: p.Tellers})
		}
	}
	return out
}

// addTellers applies the co-signatures close r carries to ns directly, and
// reports whether it could. It can when the fold would reach the same
// state: r is its proposal's only close, nothing in the graph has r in its
// past (so nothing was judged with r not deciding that would be judged
// otherwise once it does), no revocation or removal is in play, and the
// proposal's effect does not change the membership. Otherwise the node
// folds everything, as for any record it cannot apply directly.
func (f *Folder) addTellers(ns *State, own *owned, r *record.Record) bool {
	var body Closing
	if r.DecodeBody(&body) != nil || len(ns.cutters) > 0 {
		return false
	}
	p, ok := ns.proposals[body.Proposal]
	pos, at := f.g.pos[r.ID]
	cs := ns.cands[body.Proposal]
	if !ok || !at || len(cs) != 1 || cs[0].id != r.ID || len(f.g.children[pos]) > 0 {
		return false
	}
	switch p.Kind {
	case KindGeneral, KindAgreement, KindBylaws:
	default:
		return false // changes the membership
	}
	own.ownProposal(ns, p.ID)
	if !own.closes {
		ns.closes, ns.versions, own.closes = maps.Clone(ns.closes), maps.Clone(ns.versions), true
		ns.cands = maps.Clone(ns.cands)
		ns.versionOrder, ns.amendments = slices.Clip(ns.versionOrder), slices.Clip(ns.amendments)
	}
	p = ns.proposals[p.ID]
	ns.g, ns.cow = f.g, true
	c := cs[0]
	// The tellers already counted stay: a copy may carry other co-signatures.
	c.tellers = append(slices.Clone(c.tellers), ns.tellersOf(r, c.by)...)
	slices.SortFunc(c.tellers, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
	c.tellers = slices.Compact(c.tellers)
	was := c.tellered
	c.tellered = len(c.tellers) >= p.Tellers
	ns.cands[p.ID] = []closeCand{c}
	switch {
	case was:
		if p.Close != nil && p.Close.ID == r.ID {
			cl := *p.Close
			cl.Tellers = c.tellers
			p.Close = &cl
		}
	case c.tellered:
		s := ns
		floor := p.pos
		if s.firstDelegation >= 0 && s.firstDelegation < floor {
			floor = s.firstDelegation
		}
		s.g.markPast(pos, floor)
		cnt := s.count(p, s.g.marked)
		s.closes[p.ID] = append(slices.Clip(s.closes[p.ID]), r.ID)
		p.Close = &CloseState{ID: r.ID, By: c.by, Time: r.Time, Result: cnt.Result, Tellers: c.tellers}
		p.Now = cnt
		if cnt.Result.Outcome == tally.OutcomePassed {
			p.Effect = s.effect(r, p)
		}
		s.finishProposal(p)
	}
	return true
}
