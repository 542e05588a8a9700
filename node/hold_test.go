package node

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// testClock is a node's clock that a test sets.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// earlyClose is the attack of issue 16 (2): a co-op of Ana, Bo and Cy; Ana
// opens a proposal that closes in two years and votes yes; Bo votes no and,
// holding only his own ballot, closes it claiming a time past the closing
// time and the grace period. Ana's and Cy's nodes hold the same records
// (both ballots); Bo's holds only his.
type earlyClose struct {
	a, b, c        *Node
	ca, cb, cc     *testClock
	prop, cl, next *record.Record // the proposal, Bo's close, and Bo's next proposal (after the close)
	// late is a ballot of Bo's on the proposal dated now that names the
	// close: it relies on it, so waits as pending while the close is held.
	late *record.Record
}

var holdStart = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func newEarlyClose(t *testing.T) *earlyClose {
	t.Helper()
	e := &earlyClose{ca: &testClock{t: holdStart}, cb: &testClock{t: holdStart}, cc: &testClock{t: holdStart}}
	open := func(name string, c *testClock, mk func(home string, opts Options) (*Node, error)) *Node {
		opts := testOpts
		opts.Now = c.now
		home := filepath.Join(t.TempDir(), name)
		n, err := mk(home, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		return n
	}
	e.a = open("a", e.ca, func(home string, opts Options) (*Node, error) { return Init(home, "Ana", "Riverside", pass, opts) })
	join := func(name string, c *testClock) *Node {
		n := open(name, c, func(home string, opts Options) (*Node, error) { return Join(home, e.a.CoopID(), pass, opts) })
		req, err := n.RequestJoin(name, "inv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Admit(req, ""); err != nil {
			t.Fatal(err)
		}
		return n
	}
	e.b, e.c = join("Bo", e.cb), join("Cy", e.cc)
	exchange(t, e.a, e.b, e.c)
	var err error
	closes := holdStart.Add(2 * 365 * 24 * time.Hour)
	e.prop, err = e.a.Propose(coop.Proposal{Title: "Sell the archive", Body: "In two years.", Method: tally.Majority, Closes: closes.Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, e.a, e.b, e.c)
	if _, err := e.a.Vote(e.prop.ID, tally.Ballot{Position: tally.Yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.Vote(e.prop.ID, tally.Ballot{Position: tally.No}); err != nil {
		t.Fatal(err)
	}
	exchange(t, e.a, e.c)
	put(t, e.a, recordsOf(t, e.b)...)
	put(t, e.c, recordsOf(t, e.b)...)
	// Bo's clock claims the closing time and the grace period have passed.
	e.cb.set(closes.Add(25 * time.Hour))
	if e.cl, err = e.b.CloseProposal(e.prop.ID); err != nil {
		t.Fatal(err)
	}
	if e.next, err = e.b.Propose(coop.Proposal{Title: "Next", Body: "After the close.", Method: tally.Majority,
		Closes: closes.Add(30 * 24 * time.Hour).Format(record.TimeFormat)}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.next.Prev, e.cl.ID) {
		t.Fatalf("Bo's next proposal does not rely on his close: %v", e.next.Prev)
	}
	p, _ := e.b.State().ProposalByID(e.prop.ID)
	cert, err := e.b.deviceCert()
	if err != nil {
		t.Fatal(err)
	}
	e.late, err = coop.Cast(e.b.Device(), e.b.CoopID(), coop.Ballot{Proposal: e.prop.ID, Roll: p.Roll.Hash, Vote: tally.Ballot{Position: tally.No}},
		holdStart.Add(time.Minute), cert, e.cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func exchange(t *testing.T, nodes ...*Node) {
	t.Helper()
	for _, from := range nodes {
		for _, to := range nodes {
			put(t, to, recordsOf(t, from)...)
		}
	}
}

func put(t *testing.T, n *Node, recs ...*record.Record) {
	t.Helper()
	if err := n.Put(recs...); err != nil {
		t.Fatal(err)
	}
}

// checkHeld: n holds rec and also (a later record) until their dates, as
// if they had not arrived, and says so; pending (records dated now that
// rely on rec) wait as pending.
func checkHeld(t *testing.T, n *Node, prop, rec, also *record.Record, pending ...*record.Record) {
	t.Helper()
	held := n.Held()
	if len(held) != 2 || !slices.ContainsFunc(held, func(h HeldRecord) bool { return h.ID == also.ID }) ||
		!slices.ContainsFunc(held, func(h HeldRecord) bool { return h.ID == rec.ID }) {
		t.Fatalf("held %+v, want %s then %s", held, rec.ID.Short(), also.ID.Short())
	}
	h := held[slices.IndexFunc(held, func(h HeldRecord) bool { return h.ID == rec.ID })]
	if !h.Time.Equal(rec.Time) || !h.Due.Equal(rec.Time.Add(-coop.DefaultMaxSkew)) || h.Type != rec.Type {
		t.Fatalf("held %+v, record dated %s", h, rec.Time)
	}
	s := n.State()
	if p, _ := s.ProposalByID(prop.ID); p.Close != nil {
		t.Fatalf("the early close was applied: %+v", p.Close)
	}
	for _, r := range pending {
		if !slices.Contains(s.Pending, r.ID) {
			t.Fatalf("record %s relying on a held one is not pending: %v", r.ID.Short(), s.Pending)
		}
	}
	if slices.Contains(n.IDs(), rec.ID) || len(n.Get([]record.ID{rec.ID})) != 0 || n.Has(rec.ID) {
		t.Fatal("a held record is offered to peers")
	}
	if slices.ContainsFunc(recordsOf(t, n), func(r *record.Record) bool { return r.ID == rec.ID }) {
		t.Fatal("a held record is among Records")
	}
	var buf bytes.Buffer
	if _, err := n.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), rec.ID[:]) {
		t.Fatal("a held record was exported")
	}
	date := rec.Time.UTC().Format(record.TimeFormat)
	if !slices.ContainsFunc(n.Problems(), func(p string) bool { return strings.Contains(p, rec.ID.Short()) && strings.Contains(p, date) }) {
		t.Fatalf("problems do not show the held record with its date: %v", n.Problems())
	}
}

// TestFutureCloseHeld: the early close reaches Ana's node from a peer
// (Accept) and Cy's in a bundle (Import); each holds it, with its date,
// and neither applies nor relays it, across restarts (with and without
// the snapshot), until its clock comes within the skew of the close's
// date; then both apply it and agree.
func TestFutureCloseHeld(t *testing.T) {
	e := newEarlyClose(t)
	var pushed []record.ID
	var mu sync.Mutex
	cancel := e.a.OnStored(func(recs []*record.Record, from string) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range recs {
			pushed = append(pushed, r.ID)
		}
	})
	defer cancel()
	added, refused, err := e.a.Accept([][]byte{e.cl.Bytes(), e.next.Bytes(), e.late.Bytes()}, "peer-bo")
	if err != nil || len(refused) > 0 || added != 3 {
		t.Fatalf("accept: %d added, refused %v, %v", added, refused, err)
	}
	checkHeld(t, e.a, e.prop, e.cl, e.next, e.late)
	mu.Lock()
	if !slices.Equal(pushed, []record.ID{e.late.ID}) {
		t.Fatalf("held records were handed to the replication hooks: %v", pushed)
	}
	pushed = nil
	mu.Unlock()

	var bundle bytes.Buffer
	if _, err := e.b.Export(&bundle, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Import(bytes.NewReader(bundle.Bytes())); err != nil {
		t.Fatal(err)
	}
	put(t, e.c, e.late)
	checkHeld(t, e.c, e.prop, e.cl, e.next, e.late)
	_, da := e.a.StateDigest()
	_, dc := e.c.StateDigest()
	if da != dc {
		t.Fatal("Ana's and Cy's nodes hold the same records but disagree")
	}

	// Reopened, Ana's node holds it still: from the snapshot, then without one.
	e.a = reopen(t, e.a, e.ca)
	checkHeld(t, e.a, e.prop, e.cl, e.next, e.late)
	e.a = reopen(t, e.a, e.ca)
	os.Remove(filepath.Join(e.a.Home(), SnapshotFile))
	e.a = reopen(t, e.a, e.ca)
	checkHeld(t, e.a, e.prop, e.cl, e.next, e.late)

	// A minute before it is due, nothing changes.
	due := e.cl.Time.Add(-coop.DefaultMaxSkew)
	e.ca.set(due.Add(-time.Minute))
	if n, err := e.a.ReleaseDue(); n != 0 || err != nil {
		t.Fatalf("released %d early (%v)", n, err)
	}
	cancel = e.a.OnStored(func(recs []*record.Record, from string) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range recs {
			pushed = append(pushed, r.ID)
		}
	})
	defer cancel()
	e.ca.set(due)
	if n, err := e.a.ReleaseDue(); n != 2 || err != nil { // the close, and Bo's next proposal of the same date
		t.Fatalf("released %d when due (%v)", n, err)
	}
	e.cc.set(due.Add(time.Hour))
	if n, err := e.c.ReleaseDue(); n != 2 || err != nil {
		t.Fatalf("Cy's node released %d (%v)", n, err)
	}
	mu.Lock()
	if !slices.Contains(pushed, e.cl.ID) {
		t.Fatalf("the released close was not handed to replication: %v", pushed)
	}
	mu.Unlock()
	for _, n := range []*Node{e.a, e.c} {
		s := n.State()
		// Applied once due: a close that now awaits its tellers (who will
		// not co-sign it: it leaves out Ana's ballot, closes.go).
		if aw := s.Awaiting(e.prop.ID); len(aw) != 1 || aw[0].ID != e.cl.ID {
			t.Fatalf("%s: the close is not applied once due: %+v", n.Home(), aw)
		}
		if len(s.Pending) != 0 || !slices.Contains(n.IDs(), e.cl.ID) {
			t.Fatalf("%s: pending %v", n.Home(), s.Pending)
		}
	}
	_, da = e.a.StateDigest()
	_, dc = e.c.StateDigest()
	if da != dc {
		t.Fatal("Ana's and Cy's nodes disagree once the close is due at both")
	}
	// Applied, it stays applied after a restart.
	e.a = reopen(t, e.a, e.ca)
	if _, d := e.a.StateDigest(); d != dc || len(e.a.Held()) != 0 {
		t.Fatal("after a restart Ana's node disagrees")
	}
}

func reopen(t *testing.T, n *Node, c *testClock) *Node {
	home := n.Home()
	t.Helper()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	opts := testOpts
	opts.Now = c.now
	m, err := Open(home, pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestHeldReleasedByRunningNode: a started node applies a held record by
// itself once its (real) clock reaches it, and hands it to replication.
func TestHeldReleasedByRunningNode(t *testing.T) {
	var ahead time.Duration // Bo's clock: right while he joins, then ahead
	var mu sync.Mutex
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, Options{KDF: testOpts.KDF, DeviceLabel: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Join(filepath.Join(t.TempDir(), "b"), a.CoopID(), pass,
		Options{KDF: testOpts.KDF, DeviceLabel: "test", Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(ahead) }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	req, err := b.RequestJoin("Bo", "inv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Admit(req, ""); err != nil {
		t.Fatal(err)
	}
	put(t, b, recordsOf(t, a)...)
	prop, err := a.Propose(coop.Proposal{Title: "Buy a scanner", Body: "For the archive.", Method: tally.Majority,
		Closes: time.Now().Add(time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	put(t, b, prop)
	mu.Lock()
	ahead = coop.DefaultMaxSkew + 2*time.Second
	mu.Unlock()
	ballot, err := b.Vote(prop.ID, tally.Ballot{Position: tally.Yes})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan record.ID, 4)
	defer a.OnStored(func(recs []*record.Record, _ string) {
		for _, r := range recs {
			got <- r.ID
		}
	})()
	if _, _, err := a.Accept([][]byte{ballot.Bytes()}, "peer-bo"); err != nil {
		t.Fatal(err)
	}
	if len(a.Held()) != 1 {
		t.Fatal("a ballot dated beyond the skew is not held")
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != ballot.ID {
			t.Fatalf("replication was handed %s", id.Short())
		}
	case <-time.After(time.Minute):
		t.Fatal("the running node never applied the held ballot")
	}
	if p, _ := a.State().ProposalByID(prop.ID); len(p.Ballots) != 1 || len(a.Held()) != 0 {
		t.Fatalf("ballots %d, held %v", len(p.Ballots), a.Held())
	}
}

// TestBeforeFoundingRefusedByNode: a member whose clock is before the
// genesis cannot vote (the node judges its own record by the fold), and
// such a record from a peer is stored but breaks the co-op's rules.
func TestBeforeFoundingRefusedByNode(t *testing.T) {
	e := newEarlyClose(t)
	e.cc.set(holdStart.Add(-time.Hour))
	if _, err := e.c.Vote(e.prop.ID, tally.Ballot{Position: tally.Yes}); err == nil || !strings.Contains(err.Error(), coop.ReasonBeforeFounding) {
		t.Fatalf("a vote dated before the founding: %v", err)
	}
	p, _ := e.c.State().ProposalByID(e.prop.ID)
	cert, err := e.c.deviceCert()
	if err != nil {
		t.Fatal(err)
	}
	r, err := coop.Cast(e.c.Device(), e.c.CoopID(), coop.Ballot{Proposal: e.prop.ID, Roll: p.Roll.Hash, Vote: tally.Ballot{Position: tally.Yes}}, holdStart.Add(-time.Hour), cert)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.a.Accept([][]byte{r.Bytes()}, "peer-cy"); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(e.a.Problems(), func(p string) bool {
		return strings.Contains(p, r.ID.Short()) && strings.Contains(p, coop.ReasonBeforeFounding)
	}) {
		t.Fatalf("problems: %v", e.a.Problems())
	}
}
