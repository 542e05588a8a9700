package replicate

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// offsetClock is a node's clock: the real one plus an offset the test sets.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *offsetClock) set(d time.Duration) {
	c.mu.Lock()
	c.off = d
	c.mu.Unlock()
}

// reopenWith reopens m's node with clock c.
func (m *member) reopenWith(t *testing.T, c *offsetClock) {
	t.Helper()
	m.stop(t)
	o := opts()
	o.Now = c.now
	n, err := node.Open(m.home, []byte("pass"), o)
	if err != nil {
		t.Fatal(err)
	}
	m.n = n
	t.Cleanup(func() { n.Close() })
	m.start(t, fast)
}

// TestFutureRecordHeldOverTheNetwork: Bo's node, its clock an hour ahead,
// opens a proposal; it reaches Ada's node over libp2p, which holds it:
// not applied, not offered to Cy (connected to Ada only). Once Ada's clock
// reaches it, Ada applies it and it reaches Cy, whose node holds it too
// until its own clock does; then all three agree.
func TestFutureRecordHeldOverTheNetwork(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast, coop.RoleFounder)
	c := join(t, a, "Cy", fast)
	converged(t, a, b, c)
	ca, cb, cc := &offsetClock{}, &offsetClock{off: time.Hour}, &offsetClock{}
	a.reopenWith(t, ca)
	b.reopenWith(t, cb)
	c.reopenWith(t, cc)
	b.connect(t, a)
	c.connect(t, a)
	prop, err := b.n.Propose(coop.Proposal{Title: "Buy a scanner", Body: "Dated an hour ahead.", Method: tally.Majority,
		Closes: time.Now().Add(3 * time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Ada's node to hold Bo's proposal", func() bool {
		h := a.n.Held()
		return len(h) == 1 && h[0].ID == prop.ID && h[0].Time.Equal(prop.Time)
	})
	if _, ok := a.n.State().ProposalByID(prop.ID); ok {
		t.Fatal("Ada's node applied a proposal dated an hour ahead")
	}
	if slices.Contains(a.n.IDs(), prop.ID) || len(a.n.Get([]record.ID{prop.ID})) != 0 {
		t.Fatal("Ada's node offers the held proposal")
	}
	// Ada and Cy reconcile; Cy never gets the held proposal from Ada.
	converged(t, a, c)
	if c.n.Has(prop.ID) || len(c.n.Held()) != 0 {
		t.Fatal("Ada's node relayed the held proposal to Cy")
	}

	ca.set(time.Hour)
	if n, err := a.n.ReleaseDue(); n != 1 || err != nil {
		t.Fatalf("Ada's node released %d (%v)", n, err)
	}
	if _, ok := a.n.State().ProposalByID(prop.ID); !ok {
		t.Fatal("Ada's node did not apply the proposal once due")
	}
	waitFor(t, "Cy's node to hold it, from Ada", func() bool { return len(c.n.Held()) == 1 })
	cc.set(time.Hour)
	if n, err := c.n.ReleaseDue(); n != 1 || err != nil {
		t.Fatalf("Cy's node released %d (%v)", n, err)
	}
	converged(t, a, b, c)
	if _, ok := c.n.State().ProposalByID(prop.ID); !ok {
		t.Fatal("Cy's node lacks the proposal")
	}
}
