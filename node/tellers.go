package node

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

// Tellers (see node/coop/closes.go): a close decides once members other
// than its author have co-signed it, and each member's node does that part
// by itself. Tell is the whole of it; the node runs it in the background
// whenever a close is stored, and once at Start for what arrived while it
// was off.

// Told is what one round of Tell did.
type Told struct {
	CoSigned []record.ID // closes this node co-signed
	Answered []record.ID // fuller closes this node signed, against closes that leave out ballots it holds
}

// Tell co-signs every close of the co-op, awaiting its tellers, that counts
// every ballot this node holds dated before the closing time (and only
// while no other close decides); against a close that leaves out such a
// ballot, it signs a fuller close of its own, once per proposal, where that
// would decide. The rules are coop.Folder.MayCoSign's; Tell only acts on them.
func (n *Node) Tell() (Told, error) {
	var told Told
	m, err := n.me()
	if err != nil {
		return told, nil // not a member (yet): nothing to tell
	}
	s := n.State()
	byProposal := s.ClosesToTell()
	for _, pid := range slices.SortedFunc(maps.Keys(byProposal), record.CompareIDs) {
		if err := n.tellProposal(s, m, pid, byProposal[pid], &told); err != nil {
			return told, err
		}
	}
	return told, nil
}

// tellProposal co-signs or answers the closes ids of proposal pid.
func (n *Node) tellProposal(s *coop.State, m *coop.Member, pid record.ID, ids []record.ID, told *Told) error {
	// Answer only when no close out counts everything this node holds:
	// otherwise co-signing that one is the answer.
	answer, covered := false, false
	for _, id := range ids {
		n.mu.Lock()
		why := n.folder.MayCoSign(pid, id, m.ID)
		n.mu.Unlock()
		switch {
		case why == nil:
			if err := n.coSign(id); err != nil {
				return err
			}
			told.CoSigned = append(told.CoSigned, id)
			covered = true
		case why.Code == coop.CoSignLeavesOut && why.Answer:
			answer = true
		case why.Code == coop.CoSignDone || why.Code == coop.CoSignOwn:
			covered = true // already told, or this node's own close
		}
	}
	if !answer || covered {
		return nil
	}
	p, ok := s.ProposalByID(pid)
	if !ok {
		return nil
	}
	r, err := n.closeWith(s, p)
	if err != nil {
		// Too early for this member (the close out is not in the past of
		// ours), or refused: the next round, or another member, answers.
		n.noteProblem("tell", fmt.Sprintf("could not answer a close of %q that leaves out ballots this node holds: %v", p.Title, err))
		return nil
	}
	told.Answered = append(told.Answered, r.ID)
	return nil
}

// coSign adds this node's device signature to the held close id and stores it.
func (n *Node) coSign(id record.ID) error {
	rs := n.Get([]record.ID{id})
	if len(rs) != 1 {
		return fmt.Errorf("co-sign close %s: not held", id.Short())
	}
	c, err := rs[0].CoSign(n.Device())
	if err != nil {
		return fmt.Errorf("co-sign close %s: %w", id.Short(), err)
	}
	return n.Put(c)
}

// tellInBackground runs Tell at start and whenever a close is stored, until ctx ends.
func (n *Node) tellInBackground(ctx context.Context) error {
	kick := make(chan struct{}, 1)
	cancel := n.OnStored(func(recs []*record.Record, _ string) {
		if slices.ContainsFunc(recs, func(r *record.Record) bool { return r.Type == coop.TypeClosed }) {
			select {
			case kick <- struct{}{}:
			default: // a round is due already
			}
		}
	})
	defer cancel()
	for {
		if _, err := n.Tell(); err != nil {
			n.noteProblem("tell", err.Error())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-kick:
		}
	}
}
