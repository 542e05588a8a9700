package node

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Errors callers branch on.
var (
	// ErrNoProposal: no valid proposal has that ID.
	ErrNoProposal = errors.New("no such proposal")
	// ErrProposalClosed: the proposal is closed, or its voting time is over.
	ErrProposalClosed = errors.New("proposal closed")
	// ErrNotEligible: this member may not vote on the proposal.
	ErrNotEligible = errors.New("not eligible to vote")
	// ErrTooEarly: the proposal cannot be closed yet.
	ErrTooEarly = errors.New("too early to close")
)

// Propose opens proposal p, signed by this node's device. The roll (who may
// vote) is computed here, from the membership this node holds, and pinned in
// the proposal; its causal past names that membership.
func (n *Node) Propose(p coop.Proposal) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	s := n.State()
	if p.Kind == "" {
		p.Kind = coop.KindGeneral
	}
	p.Roll = coop.RollOf(s.RollNow(p.Classes))
	if p.Method == tally.Score && p.MaxScore == 0 {
		p.MaxScore = 5
	}
	prev := append(s.Frontier(), cert)
	if len(prev) > record.MaxPrev {
		return nil, refusedf("open a proposal: the co-op has %d concurrent membership records, more than one record can name (%d)", len(prev), record.MaxPrev)
	}
	r, err := coop.Open(n.Device(), n.coop, p, n.opts.now(), prev...)
	if err != nil {
		return nil, refused(fmt.Errorf("%s: %w", m.Name, err))
	}
	return r, n.putChecked(r)
}

// Vote casts (or replaces) this member's ballot on proposal id.
func (n *Node) Vote(id record.ID, vote tally.Ballot) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	s := n.State()
	p, ok := s.ProposalByID(id)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoProposal, id.Short())
	}
	if p.Close != nil {
		return nil, fmt.Errorf("%w: %q was closed by %s; the result stands", ErrProposalClosed, p.Title, p.Close.ID.Short())
	}
	if now := n.opts.now(); !now.Before(p.ClosesAt) {
		return nil, fmt.Errorf("%w: voting on %q ended at %s; it awaits its close", ErrProposalClosed, p.Title, p.ClosesAt.Local().Format(time.DateTime))
	}
	if !p.OnRoll(m.ID) {
		return nil, fmt.Errorf("%w: %s was not on the roll of %q when it opened (not a member yet, or in a class that does not vote on it)", ErrNotEligible, m.Name, p.Title)
	}
	if err := p.Rules.CheckBallot(vote); err != nil {
		return nil, refused(fmt.Errorf("ballot on %q: %w", p.Title, err))
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	prev := []record.ID{cert}
	for _, b := range p.Ballots {
		if b.Voter == m.ID {
			prev = append(prev, b.ID) // the new ballot replaces every earlier one
		}
	}
	r, err := coop.Cast(n.Device(), n.coop, coop.Ballot{Proposal: id, Roll: p.Roll.Hash, Vote: vote}, n.opts.now(), prev...)
	if err != nil {
		return nil, refused(err)
	}
	return r, n.putChecked(r)
}

// Delegate gives this member's vote to member to: on one proposal (d.Proposal),
// one kind of proposal (d.Kind), or every proposal. It replaces this member's
// earlier delegation of the same scope.
func (n *Node) Delegate(d coop.Delegation) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	s := n.State()
	to, ok := s.Members[d.Delegate]
	if !ok || to.Removed {
		return nil, refusedf("delegate: %s is not a current member", record.ID(d.Delegate).Short())
	}
	if to.ID == m.ID {
		return nil, refusedf("delegate: you cannot delegate to yourself")
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	prev := []record.ID{cert}
	if !d.Proposal.IsZero() {
		p, ok := s.ProposalByID(d.Proposal)
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrNoProposal, d.Proposal.Short())
		}
		if p.Close != nil {
			return nil, fmt.Errorf("%w: %q was closed", ErrProposalClosed, p.Title)
		}
		prev = append(prev, d.Proposal)
	}
	prev = append(prev, s.DelegationRecords(m.ID)...) // replaces: a newer delegation has the older in its past
	r, err := coop.Delegate(n.Device(), n.coop, d, n.opts.now(), prev...)
	if err != nil {
		return nil, refused(err)
	}
	return r, n.putChecked(r)
}

// EndDelegation withdraws one of this member's delegations.
func (n *Node) EndDelegation(id record.ID) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(n.State().DelegationRecords(m.ID), id) {
		return nil, refusedf("%s is not one of %s's standing delegations", id.Short(), m.Name)
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	r, err := coop.EndDelegation(n.Device(), n.coop, id, n.opts.now(), cert)
	if err != nil {
		return nil, refused(err)
	}
	return r, n.putChecked(r)
}

// CloseProposal closes proposal id with the count of every ballot this node
// holds. The author may close from the closing time on; any member after
// the bylaws' grace period, or at once to answer a close already out. The
// close decides once its tellers have co-signed it (see Tell).
func (n *Node) CloseProposal(id record.ID) (*record.Record, error) {
	s := n.State()
	p, ok := s.ProposalByID(id)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoProposal, id.Short())
	}
	if p.Close != nil {
		return nil, fmt.Errorf("%w: %q was already closed by %s", ErrProposalClosed, p.Title, p.Close.ID.Short())
	}
	return n.closeWith(s, p)
}

// closeWith signs and stores a close of p counting every ballot this node
// holds, naming the frontier (and so any close of p already out, which it
// contests).
func (n *Node) closeWith(s *coop.State, p *coop.ProposalState) (*record.Record, error) {
	m, err := n.me()
	if err != nil {
		return nil, err
	}
	now := n.opts.now()
	switch why := s.MayClose(p, m.ID, now, s.Contest(p.ID)); {
	case why == nil:
	case why.Code == coop.CloseTooEarly:
		return nil, fmt.Errorf("%w: %q closes at %s", ErrTooEarly, p.Title, why.Until.Local().Format(time.DateTime))
	default:
		return nil, fmt.Errorf("%w: until %s only the proposal's author may close %q (the bylaws' grace period)",
			ErrTooEarly, why.Until.Local().Format(time.DateTime), p.Title)
	}
	cert, err := n.deviceCert()
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	c, ok := n.folder.CountAll(p.ID)
	n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoProposal, p.ID.Short())
	}
	uses := c.Uses()
	if m, ok := s.Members[p.Member]; ok && p.Kind == coop.KindRemoval {
		// A removal is final from its close: name the member's latest
		// records, so everything they signed so far stays inside its cut
		// (their ballots on other proposals, closes that counted them).
		all, err := n.Records()
		if err != nil {
			return nil, err
		}
		uses = append(uses, coop.KeyHeads(all, coop.KeysOf(m)...)...)
	}
	r, err := coop.Close(n.Device(), n.coop, coop.Closing{Proposal: p.ID, Counted: c.Counted, Proxies: c.Proxies, Result: c.Result},
		uses, now, append(s.Frontier(), cert)...) // after every close and membership change this node knows
	if err != nil {
		return nil, refused(err)
	}
	return r, n.putChecked(r)
}

// BylawsAt returns the bylaws in force in the causal past of record id (for
// a proposal: those it is judged by, which a bylaws proposal would replace)
// and the record that adopted them: the genesis or the close of a passed
// bylaws proposal.
func (n *Node) BylawsAt(id record.ID) (coop.Bylaws, record.ID, error) {
	// The walk shares the Folder's graph with the records being applied.
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.folder.BylawsAt(id)
}

var errNoCert = refusedf("this device's certificate is not among the records: sync with another member first")

// putChecked judges r against the state before storing it, so a record the
// co-op's rules refuse is never stored (records are never deleted).
func (n *Node) putChecked(rs ...*record.Record) error {
	n.mu.Lock()
	s, direct := n.folder.With(rs...)
	n.mu.Unlock()
	if !direct {
		all, err := n.Records()
		if err != nil {
			return err
		}
		s = coop.Fold(n.coop, append(all, rs...))
	}
	mine := map[record.ID]*record.Record{}
	for _, r := range rs {
		mine[r.ID] = r
	}
	for _, rj := range s.Rejected {
		if r, ok := mine[rj.ID]; ok {
			return refusedf("the co-op's rules refuse this %s: %s", r.Type, rj.Reason)
		}
	}
	return n.Put(rs...)
}
