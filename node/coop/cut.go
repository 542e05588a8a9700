package coop

import (
	"fmt"
	"slices"

	"github.com/coopnode/coopnode/node/record"
)

// Revocation and removal: the rules that make them final.
//
// A valid revocation (removal) pins a cut: its own causal past. Whatever the
// revoked key (any key of the removed member) signed outside that cut is
// rejected, and so is everything relying on it. This is the one rule that is
// not judged from a record's own causal past, so it is applied after a
// first fold has found every revocation and removal.

// cutter is a valid revocation or removal, as the first fold found it.
type cutter struct {
	id   record.ID
	pos  int32
	keys []record.PublicKey // the keys it cuts (their records other than consent receipts)
	// consentKeys are the member's registered consent keys, whose consent
	// receipts it cuts. Cuts go by role: a key certified as someone's device
	// cuts nothing of what it signs as another member's consent key.
	consentKeys []record.PublicKey
	byMemberKey bool // signed by the member key, not a device
	resignation bool
	removal     bool   // by a decision of the members
	name        string // the member's name, for reasons
}

func (c *cutter) kind() string {
	switch {
	case c.resignation:
		return "resignation"
	case c.removal:
		return "removal"
	}
	return "revocation"
}

func (c *cutter) reason(k record.PublicKey) string {
	if c.removal {
		return fmt.Sprintf("signed by %s's key %s after their removal by decision %s; outside the removal's cut", c.name, k.String()[:12], c.id.Short())
	}
	if c.resignation {
		return fmt.Sprintf("signed by %s's key %s after their resignation %s; outside the resignation's cut", c.name, k.String()[:12], c.id.Short())
	}
	return fmt.Sprintf("signed by device key %s after its revocation %s; outside the revocation's cut", k.String()[:12], c.id.Short())
}

// certifiedFor reports whether a certificate of key for member is in at's causal past.
func (s *State) certifiedFor(at record.ID, key record.PublicKey, member MemberID) bool {
	for _, c := range s.deviceOf[key] {
		if c.member == member && s.reaches(at, c.cert) {
			return true
		}
	}
	return false
}

func (s *State) applyRevoked(r *record.Record) string {
	var rv Revocation
	if err := r.DecodeBody(&rv); err != nil {
		return err.Error()
	}
	m, ok := s.Members[rv.Member]
	switch {
	case !ok:
		return fmt.Sprintf("revokes a device of unknown member %s", record.ID(rv.Member).Short())
	case !s.reaches(r.ID, record.ID(rv.Member)):
		return "the member's admission is not in this record's causal past"
	case rv.Key == m.Key:
		return "a member key cannot be revoked, only device keys"
	case !s.certifiedFor(r.ID, rv.Key, m.ID):
		return fmt.Sprintf("key %s is not a certified device of %s in this record's causal past", rv.Key.String()[:12], m.Name)
	case r.Author == rv.Key:
		return fmt.Sprintf("a device cannot revoke itself: sign the revocation with %s's member key or another of their devices", m.Name)
	case r.Author != m.Key && !s.certifiedFor(r.ID, r.Author, m.ID):
		return fmt.Sprintf("a device of %s may be revoked only with their member key or another of their devices", m.Name)
	}
	s.revoked[rv.Key] = append(s.revoked[rv.Key], revocation{id: r.ID})
	if !slices.Contains(m.Revoked, rv.Key) {
		m.Revoked = append(m.Revoked, rv.Key)
		slices.SortFunc(m.Revoked, compareKeys)
		m.Devices = slices.DeleteFunc(m.Devices, func(k record.PublicKey) bool { return k == rv.Key })
		if len(m.Devices) == 0 {
			m.Devices = nil // one form for "no devices", whatever the history
		}
	}
	s.cutters = append(s.cutters, cutter{id: r.ID, pos: s.g.position(r.ID), keys: []record.PublicKey{rv.Key},
		byMemberKey: r.Author == m.Key, name: m.Name})
	return ""
}

func (s *State) applyRemoved(r *record.Record) string {
	var rm Removal
	if err := r.DecodeBody(&rm); err != nil {
		return err.Error()
	}
	m, ok := s.Members[rm.Member]
	switch {
	case !ok:
		return fmt.Sprintf("removes unknown member %s", record.ID(rm.Member).Short())
	case !s.reaches(r.ID, record.ID(rm.Member)):
		return "the member's admission is not in this record's causal past"
	case r.Author != m.Key && !s.certifiedFor(r.ID, r.Author, m.ID):
		return fmt.Sprintf("a member.removed record is a resignation, signed with the member's own key or one of their devices: "+
			"to remove %s, propose their removal to the members", m.Name)
	}
	s.remove(r, m, true)
	return ""
}

// remove ends m's membership by r (a resignation, or the close of a
// removal proposal) and pins r's cut over every key of m.
func (s *State) remove(r *record.Record, m *Member, resignation bool) {
	// The member's keys: their member key and every device certified for
	// them in this record's past. A device certified outside it was
	// certified with the member key after the removal, so is cut anyway.
	keys := []record.PublicKey{m.Key}
	for _, c := range m.certs {
		if s.reaches(r.ID, c.cert) {
			keys = append(keys, c.key)
		}
	}
	var consentKeys []record.PublicKey
	for _, k := range m.consentKeys {
		if s.reaches(r.ID, k.id) {
			consentKeys = append(consentKeys, k.key)
		}
	}
	slices.SortFunc(keys, compareKeys)
	slices.SortFunc(consentKeys, compareKeys)
	if !m.Removed {
		m.Removed, m.Removal, m.RemovedAt = true, r.ID, r.Time
	}
	m.removals = append(m.removals, r.ID)
	s.cutters = append(s.cutters, cutter{id: r.ID, pos: s.g.position(r.ID), keys: slices.Compact(keys), consentKeys: slices.Compact(consentKeys),
		byMemberKey: r.Author == m.Key, resignation: resignation, removal: !resignation, name: m.Name})
}

func compareKeys(a, b record.PublicKey) int { return slices.Compare(a[:], b[:]) }

// resolveCuts decides which of the revocations and removals found by the
// first fold (s) stand, and returns the records their cuts exclude.
//
// Why two folds suffice: every other rule judges a record from its own
// causal past, and a record relying on a rejected record is rejected. So a
// record is valid under a set of exclusions E exactly when it was valid
// without them and neither it nor anything in its past is in E. Which
// records a cut excludes, and what each revocation would make invalid (the
// cut records and all their descendants), can therefore be computed from
// the first fold alone, and the second fold, with the excluded records
// rejected up front, is the fixpoint: nothing it accepts is cut, and every
// revocation whose cut is applied is valid in it.
//
// Revocation A "attacks" B when B or a record in B's past is in A's cut.
// Attacks one way only are settled by the rule itself: A stands and B falls.
// Revocations can attack each other (a stolen device and its owner's other
// device revoking each other concurrently); no rule of causality settles
// that, so precedence does: a record signed by the member key before one
// signed by a device (the member key is what certifies devices), then the
// earlier in the fold order (topological, ties by ID), which is the same on
// every node and does not change as more records arrive. The labelling is
// the grounded one (stand if every attacker falls; fall if a standing one
// attacks), and when only cycles are left the highest-precedence undecided
// revocation stands and everything it attacks or that attacks it falls.
// Each round decides at least one, so it ends after at most len(s.cutters) rounds.
func (g *graph) resolveCuts(s *State) map[record.ID]Rejection {
	cs := s.cutters
	n := len(cs)
	cut := make([][]int32, n)
	attackers := make([][]int, n) // attackers[j]: those whose cut j relies on
	attacks := make([][]bool, n)
	for i := range cs {
		cut[i] = g.cutOf(&cs[i])
		attacks[i] = make([]bool, n)
		g.markDescendants(cut[i])
		for j := range cs {
			if j != i && g.seen[cs[j].pos] == g.epoch {
				attacks[i][j] = true
				attackers[j] = append(attackers[j], i)
			}
		}
	}
	prio := make([]int, n)
	for i := range prio {
		prio[i] = i // cs is in fold order
	}
	slices.SortStableFunc(prio, func(a, b int) int {
		switch {
		case cs[a].byMemberKey == cs[b].byMemberKey:
			return 0
		case cs[a].byMemberKey:
			return -1
		}
		return 1
	})
	const undecided, stands, falls = 0, 1, 2
	label := make([]int8, n)
	voidedBy := map[int]int{} // falls only because it attacks the standing one
	for {
		for changed := true; changed; {
			changed = false
			for _, j := range prio {
				if label[j] != undecided {
					continue
				}
				allFall, attackedByStanding := true, false
				for _, i := range attackers[j] {
					allFall = allFall && label[i] == falls
					attackedByStanding = attackedByStanding || label[i] == stands
				}
				switch {
				case attackedByStanding:
					label[j], changed = falls, true
				case allFall:
					label[j], changed = stands, true
				}
			}
		}
		f := slices.IndexFunc(prio, func(i int) bool { return label[i] == undecided })
		if f < 0 {
			break
		}
		f = prio[f]
		label[f] = stands
		for j := range cs {
			if label[j] != undecided {
				continue
			}
			if attacks[f][j] {
				label[j] = falls
			} else if attacks[j][f] {
				label[j] = falls
				voidedBy[j] = f
			}
		}
	}
	out := map[record.ID]Rejection{}
	for _, i := range prio {
		if label[i] != stands {
			continue
		}
		for _, x := range cut[i] {
			r := g.nodes[x]
			if _, ok := out[r.ID]; !ok {
				out[r.ID] = Rejection{ID: r.ID, Type: r.Type, Reason: cs[i].reason(r.Author), Cut: cs[i].id}
			}
		}
	}
	for _, j := range prio {
		f, ok := voidedBy[j]
		if !ok {
			continue
		}
		if _, ok := out[cs[j].id]; ok {
			continue
		}
		why := "it comes first in the co-op's record order"
		if cs[f].byMemberKey && !cs[j].byMemberKey {
			why = "it is signed with the member key"
		}
		out[cs[j].id] = Rejection{ID: cs[j].id, Type: g.nodes[cs[j].pos].Type, Cut: cs[f].id,
			Reason: fmt.Sprintf("would cut records that the concurrent %s %s relies on, and that %s takes precedence (%s); this %s is void",
				cs[f].kind(), cs[f].id.Short(), cs[f].kind(), why, cs[j].kind())}
	}
	return out
}

// cutOf lists, in fold order, the records signed by c's keys outside c's
// causal past (other than c itself).
func (g *graph) cutOf(c *cutter) []int32 {
	var mine []int32
	for _, k := range c.keys {
		for _, i := range g.byAuthor[k] {
			if g.nodes[i].Type != TypeReceipt {
				mine = append(mine, i)
			}
		}
	}
	for _, k := range c.consentKeys {
		for _, i := range g.byAuthor[k] {
			if g.nodes[i].Type == TypeReceipt {
				mine = append(mine, i)
			}
		}
	}
	slices.Sort(mine)
	mine = slices.Compact(mine)
	if len(mine) == 0 {
		return nil
	}
	// Mark c's past down to the oldest record of its keys: nothing older matters.
	floor := mine[0]
	g.newWalk()
	g.seen[c.pos] = g.epoch
	stack := []int32{c.pos}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range g.prev[i] {
			if p >= floor && g.seen[p] != g.epoch {
				g.seen[p] = g.epoch
				stack = append(stack, p)
			}
		}
	}
	var out []int32
	for _, x := range mine {
		if x != c.pos && g.seen[x] != g.epoch {
			out = append(out, x)
		}
	}
	return out
}

// markDescendants marks recs and everything relying on them in g.seen under a new epoch.
func (g *graph) markDescendants(recs []int32) {
	g.newWalk()
	stack := slices.Clone(recs)
	for _, x := range recs {
		g.seen[x] = g.epoch
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range g.children[i] {
			if g.seen[c] != g.epoch {
				g.seen[c] = g.epoch
				stack = append(stack, c)
			}
		}
	}
}

// KeyHeads returns the latest records signed by any of keys among recs:
// those in the causal past of no other record of those keys, sorted by ID.
// Naming them as predecessors of a revocation or resignation keeps every
// record of those keys in recs inside its cut. Records waiting for missing
// predecessors are left out: a revocation naming them would wait too.
func KeyHeads(recs []*record.Record, keys ...record.PublicKey) []record.ID {
	g := newGraph(recs)
	var mine []int32
	for _, k := range keys {
		mine = append(mine, g.byAuthor[k]...)
	}
	return g.heads(mine)
}

// heads returns, sorted, the records of set that are in the causal past of
// no other record of set.
func (g *graph) heads(set []int32) []record.ID {
	// Mark the strict ancestors of the set's records; the rest are heads.
	g.newWalk()
	var stack []int32
	for _, x := range set {
		stack = append(stack, g.prev[x]...)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g.seen[i] == g.epoch {
			continue
		}
		g.seen[i] = g.epoch
		stack = append(stack, g.prev[i]...)
	}
	var out []record.ID
	for _, x := range set {
		if g.seen[x] != g.epoch {
			out = append(out, g.nodes[x].ID)
		}
	}
	return record.SortIDs(out)
}
