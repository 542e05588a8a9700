package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
)

// Records dated in the future are held (DESIGN, "Clocks are hints, and
// claimed times are bounded"). A signer picks its record's time; one dated
// ahead of the clocks of the co-op's nodes can claim a closing time that
// has not come. So a validly signed record dated more than the bylaws'
// skew (coop.Bylaws.Skew) ahead of this node's clock is stored, durably,
// since it is signed and will be due, but kept out of the state, as if it
// had not arrived yet: records relying on it wait as pending. It is not
// offered, sent or pushed to peers (IDs, Get, Has, Records, the OnStored
// hooks leave it out) and Held and Problems list it with its date. Once
// this node's clock is within the skew of its date it is applied, by
// ReleaseDue, which the node calls itself (see releaseHeld) and which
// tells the OnStored hooks, so peers get it then. Every node does the
// same with its own clock, so they converge.
//
// The records stay under r/<id> like every other; m/held/<id> marks each
// one held when it was stored, so that Open finds it again even if a
// snapshot written since does not list it (a snapshot covers only the
// records folded into its state).

var prefixHeld = []byte("m/held/") // m/held/<id> -> the record's time (record.TimeFormat)

func heldKey(id record.ID) []byte { return append(bytes.Clone(prefixHeld), id[:]...) }

// heldRecord is what the node keeps of a held record.
type heldRecord struct {
	typ string
	at  time.Time
}

// HeldRecord is a record held until its date (see Held).
type HeldRecord struct {
	ID   record.ID
	Type string
	Time time.Time // the time the record claims
	// Due is when this node applies it: Time less the bylaws' skew.
	Due time.Time
}

// heldRecheck bounds how long the node waits before it looks at its clock
// again for held records: the wall clock may be set (corrected) meanwhile.
const heldRecheck = time.Minute

// Held lists the records held until their date, earliest first.
func (n *Node) Held() []HeldRecord {
	n.mu.RLock()
	defer n.mu.RUnlock()
	skew := n.skewLocked()
	out := make([]HeldRecord, 0, len(n.early))
	for id, h := range n.early {
		out = append(out, HeldRecord{ID: id, Type: h.typ, Time: h.at, Due: h.at.Add(-skew)})
	}
	slices.SortFunc(out, func(a, b HeldRecord) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return record.CompareIDs(a.ID, b.ID)
	})
	return out
}

// heldProblems are Problems' sentences about held records: a few, then a count.
func heldProblems(held []HeldRecord) []string {
	var out []string
	for i, h := range held {
		if i == 5 {
			out = append(out, fmt.Sprintf("%d more records are held until their dates (`coopnode status --json` lists them)", len(held)-i))
			break
		}
		out = append(out, fmt.Sprintf("record %s (%s) is dated %s, ahead of this node's clock by more than the bylaws allow: it is held, not applied or sent to peers, until %s. If this node's clock is behind, correct it; otherwise nothing needs doing",
			h.ID.Short(), h.Type, h.Time.UTC().Format(record.TimeFormat), h.Due.UTC().Format(record.TimeFormat)))
	}
	return out
}

// skewLocked is the skew of the bylaws in force in the node's current
// state. Called with mu held.
func (n *Node) skewLocked() time.Duration {
	s, ok := n.folder.Current()
	if !ok || s == nil {
		s = n.last
	}
	if s == nil {
		return coop.DefaultMaxSkew
	}
	return s.Bylaws.Skew()
}

// isHeldLocked reports whether id is held until its date. Called with mu held.
func (n *Node) isHeldLocked(id record.ID) bool {
	_, ok := n.early[id]
	return ok
}

// heldSet is a copy of the held records' IDs.
func (n *Node) heldSet() map[record.ID]heldRecord {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return maps.Clone(n.early)
}

// wakeHeld tells releaseHeld that the earliest due time may have changed.
func (n *Node) wakeHeld() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// ReleaseDue applies the held records that are due by the node's clock
// (Options.Now), tells the OnStored hooks about them (so they reach peers),
// and returns how many it applied. A running node calls it itself when the
// earliest is due; call it after setting the clock. A record that cannot
// be read stays held, and the error says which.
func (n *Node) ReleaseDue() (int, error) {
	recs, err := n.releaseLocked()
	if len(recs) > 0 {
		n.tell(recs, "")
	}
	return len(recs), err
}

func (n *Node) releaseLocked() ([]*record.Record, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closedStore {
		return nil, ErrClosed
	}
	limit := n.opts.now().Add(n.skewLocked())
	var recs []*record.Record
	var first error
	for id, h := range n.early {
		if h.at.After(limit) {
			continue
		}
		r, err := n.getLocked(id)
		if err != nil {
			if first == nil {
				first = fmt.Errorf("apply a held record that is due: %w", err)
			}
			continue
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil, first
	}
	for _, r := range recs {
		delete(n.early, r.ID)
	}
	if s, ok := n.folder.Current(); ok {
		n.last = s
	}
	n.folder.Add(causalOrder(recs)...) // predecessors first, so they apply directly
	n.sinceSnapshot += len(recs)       // the next snapshot covers them
	return recs, first
}

// nextRelease is how long releaseHeld waits: until the earliest held
// record is due, at least a second (a record that could not be read is
// not retried in a busy loop) and at most heldRecheck.
func (n *Node) nextRelease() time.Duration {
	n.mu.RLock()
	defer n.mu.RUnlock()
	wait := heldRecheck
	if len(n.early) == 0 {
		return wait
	}
	limit := n.opts.now().Add(n.skewLocked())
	for _, h := range n.early {
		wait = min(wait, h.at.Sub(limit))
	}
	return max(wait, time.Second)
}

// releaseHeld applies held records as they come due, until ctx ends. It
// is the node's background work (Start).
func (n *Node) releaseHeld(ctx context.Context) error {
	t := time.NewTimer(n.nextRelease())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-n.wake:
		case <-t.C:
			if _, err := n.ReleaseDue(); err != nil && !errors.Is(err, ErrClosed) {
				n.noteProblem("held", err.Error()+"; it stays held and is tried again")
			}
		}
		t.Reset(n.nextRelease())
	}
}

// loadHeld splits the records being loaded (recs, not yet folded) into
// those to fold and those to hold, by the node's clock and the skew of
// the bylaws in state (nil: those the records being folded set, see
// coop.SplitAt), and marks the held ones in the store. It also reads the
// records marked held that stored (the set of stored IDs) lacks: a
// snapshot written while they were held does not list them.
func (n *Node) loadHeld(state *coop.State, stored map[record.ID]struct{}, recs []*record.Record) (fold []*record.Record, early map[record.ID]heldRecord, err error) {
	marked, err := n.heldMarks()
	if err != nil {
		return nil, nil, err
	}
	for _, id := range marked {
		if _, ok := stored[id]; ok {
			continue
		}
		r, err := n.getLocked(id)
		if errors.Is(err, store.ErrNotFound) {
			continue // gone with the store's damage: VerifyStored and peers deal with that
		}
		if err != nil {
			return nil, nil, err
		}
		stored[id] = struct{}{}
		recs = append(recs, r)
	}
	now := n.opts.now()
	var future []*record.Record
	if state == nil {
		fold, future = coop.SplitAt(n.coop, recs, now)
	} else {
		skew := state.Bylaws.Skew()
		for _, r := range recs {
			if coop.Future(r, now, skew) {
				future = append(future, r)
			} else {
				fold = append(fold, r)
			}
		}
	}
	early = make(map[record.ID]heldRecord, len(future))
	for _, r := range future {
		early[r.ID] = heldRecord{typ: r.Type, at: r.Time}
	}
	if len(future) > 0 {
		err = n.kv.Update(func(tx store.Tx) error {
			for _, r := range future {
				if err := tx.Set(heldKey(r.ID), []byte(r.Time.UTC().Format(record.TimeFormat))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("mark records held until their dates: %w", err)
		}
	}
	return fold, early, nil
}

// heldMarks lists the records marked held (prefixHeld).
func (n *Node) heldMarks() ([]record.ID, error) {
	var ids []record.ID
	err := n.kv.Keys(prefixHeld, func(k []byte) error {
		var id record.ID
		if len(k) == len(prefixHeld)+len(id) {
			copy(id[:], k[len(prefixHeld):])
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records held until their dates: %w", err)
	}
	return ids, nil
}
