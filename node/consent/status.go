package consent

import (
	"maps"
	"slices"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// Grant is a valid grant as the fold accepted it, with what ended it.
type Grant struct {
	ID        record.ID
	Principal record.PublicKey // the pseudonymous consent key
	Version   record.ID
	Purposes  []Purpose
	Items     []Item
	// Categories: CategoryAll, or the member's own tags (which only the
	// member's node can match to items).
	Categories []string
	Recipients []string
	From       time.Time
	Until      time.Time // zero: no end
	Time       time.Time // the receipt's clock (a hint, for display)
	// Ends are the records that end this grant once in a point's causal
	// past: its withdrawals, and the member's removal.
	Withdrawals []record.ID
	Removal     record.ID
}

// Covers reports whether g names item (directly, or by CategoryAll or one of tags).
func (g *Grant) Covers(item Item, tags []string) bool {
	if slices.Contains(g.Items, item) {
		return true
	}
	for _, c := range g.Categories {
		if c == CategoryAll || slices.Contains(tags, c) {
			return true
		}
	}
	return false
}

// Allows reports whether g names purpose p and recipient class r.
func (g *Grant) Allows(p Purpose, r string) bool {
	return slices.Contains(g.Purposes, p) && (r == "" || slices.Contains(g.Recipients, r))
}

// Past tells whether a record is in the causal past of the point a
// question is asked at; nil means every record known (now).
type Past func(record.ID) bool

func (p Past) has(id record.ID) bool { return p == nil || p(id) }

// StatusAt is g's status at time at, counting only the records in past:
// Given while in force; Withdrawn once a withdrawal is in past; Invalidated
// once the member's removal is; Expired from Until on; Requested (not yet
// valid) before From; "" if g itself is not in past.
func (g *Grant) StatusAt(at time.Time, past Past) Status {
	if !past.has(g.ID) {
		return ""
	}
	for _, w := range g.Withdrawals {
		if past.has(w) {
			return Withdrawn
		}
	}
	if !g.Removal.IsZero() && past.has(g.Removal) {
		return Invalidated
	}
	if !g.Until.IsZero() && !at.Before(g.Until) {
		return Expired
	}
	if at.Before(g.From) {
		return Requested
	}
	return Given
}

// Refusal is a member's opting out of a version.
type Refusal struct {
	ID        record.ID
	Principal record.PublicKey
	Version   record.ID
	Time      time.Time
}

// Book holds every valid grant and refusal of a co-op and answers
// questions about them. It is built by the fold; its answers are pure
// functions of its content and the question. Once finished, grants and
// refusals are in receipt time order, then ID: an order that does not
// depend on how the fold came to see the records.
type Book struct {
	Grants   []*Grant
	Refusals []Refusal
	byID     map[record.ID]*Grant
	// byPurpose indexes Grants by purpose, so a co-op-wide question reads
	// only the grants that can answer it.
	byPurpose map[Purpose][]*Grant
}

// Add adds a valid grant while the book is being built (see Finish).
func (b *Book) Add(g *Grant) {
	if b.byID == nil {
		b.byID, b.byPurpose = map[record.ID]*Grant{}, map[Purpose][]*Grant{}
	}
	b.Grants = append(b.Grants, g)
	b.byID[g.ID] = g
	for _, p := range g.Purposes {
		b.byPurpose[p] = append(b.byPurpose[p], g)
	}
}

// Finish puts what Add and AddRefusal gathered in order.
func (b *Book) Finish() {
	slices.SortFunc(b.Grants, compareGrants)
	for _, gs := range b.byPurpose {
		slices.SortFunc(gs, compareGrants)
	}
	slices.SortFunc(b.Refusals, compareRefusals)
}

// AddRefusal adds a valid refusal while the book is being built.
func (b *Book) AddRefusal(r Refusal) { b.Refusals = append(b.Refusals, r) }

func compareGrants(a, b *Grant) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return record.CompareIDs(a.ID, b.ID)
}

func compareRefusals(a, b Refusal) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return record.CompareIDs(a.ID, b.ID)
}

// Clone returns a book that shares b's grants but none of its lists or
// indexes, so the Insert, InsertRefusal and Replace of one leave the other
// as it was: a finished state stays readable while a newer one is built.
// It copies the lists once, so a batch of changes to the clone is cheap.
func (b *Book) Clone() Book {
	c := Book{Grants: slices.Clone(b.Grants), Refusals: slices.Clone(b.Refusals), byID: maps.Clone(b.byID),
		byPurpose: make(map[Purpose][]*Grant, len(b.byPurpose))}
	if c.byID == nil {
		c.byID = map[record.ID]*Grant{}
	}
	for p, gs := range b.byPurpose {
		c.byPurpose[p] = slices.Clone(gs)
	}
	return c
}

// Insert adds a valid grant to a finished book, in order. The book must be
// a Clone: its lists are changed in place.
func (b *Book) Insert(g *Grant) {
	b.Grants = insertGrant(b.Grants, g)
	b.byID[g.ID] = g
	for _, p := range g.Purposes {
		b.byPurpose[p] = insertGrant(b.byPurpose[p], g)
	}
}

// InsertRefusal adds a valid refusal to a finished book (a Clone), in order.
func (b *Book) InsertRefusal(r Refusal) {
	i, _ := slices.BinarySearchFunc(b.Refusals, r, compareRefusals)
	b.Refusals = slices.Insert(b.Refusals, i, r)
}

// Replace puts g in place of the grant with its ID (a copy that gained a
// withdrawal), in a finished book (a Clone).
func (b *Book) Replace(g *Grant) {
	b.byID[g.ID] = g
	replaceGrant(b.Grants, g)
	for _, p := range g.Purposes {
		replaceGrant(b.byPurpose[p], g)
	}
}

func insertGrant(gs []*Grant, g *Grant) []*Grant {
	i, _ := slices.BinarySearchFunc(gs, g, compareGrants)
	return slices.Insert(gs, i, g)
}

func replaceGrant(gs []*Grant, g *Grant) {
	if i, ok := slices.BinarySearchFunc(gs, g, compareGrants); ok {
		gs[i] = g
	}
}

// Grant finds a grant by its receipt ID.
func (b *Book) Grant(id record.ID) (*Grant, bool) { g, ok := b.byID[id]; return g, ok }

// Query asks which grants allow Purpose for Recipient at At, counting only
// records in Past (nil: all). Version, if set, limits the answer to grants
// under that agreement version: consent to one version is not consent to
// another.
type Query struct {
	Purpose   Purpose
	Recipient string
	At        time.Time
	Past      Past
	Version   record.ID
}

// Usable returns the grants in force that answer q, in the book's order.
func (b *Book) Usable(q Query) []*Grant {
	var out []*Grant
	for _, g := range b.byPurpose[q.Purpose] {
		if !q.Version.IsZero() && g.Version != q.Version {
			continue
		}
		if q.Recipient != "" && !slices.Contains(g.Recipients, q.Recipient) {
			continue
		}
		if g.StatusAt(q.At, q.Past) == Given {
			out = append(out, g)
		}
	}
	return out
}

// ItemStatus says whether principal's item (with the member's tags) may be
// used for purpose under version at time at, and which receipt decides:
// a grant in force allows it (the latest such); otherwise the status of the
// latest grant that covered it (withdrawn, expired, ...) or an opt-out of
// the version, whichever is later; "" if the member never answered.
func (b *Book) ItemStatus(principal record.PublicKey, item Item, tags []string, purpose Purpose, version record.ID, at time.Time, past Past) (Status, *Grant) {
	var best *Grant
	var bestStatus Status
	var latest *Grant
	var latestStatus Status
	for _, g := range b.byPurpose[purpose] {
		if g.Principal != principal || g.Version != version || !g.Covers(item, tags) {
			continue
		}
		st := g.StatusAt(at, past)
		if st == "" {
			continue
		}
		if st == Given && (best == nil || g.Time.After(best.Time)) {
			best, bestStatus = g, st
		}
		if latest == nil || g.Time.After(latest.Time) {
			latest, latestStatus = g, st
		}
	}
	if best != nil {
		return bestStatus, best
	}
	for _, r := range b.Refusals {
		if r.Principal == principal && r.Version == version && past.has(r.ID) && (latest == nil || r.Time.After(latest.Time)) {
			return Refused, nil
		}
	}
	return latestStatus, latest
}
