package node

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// TestPartitionedClosesConverge: five real nodes (Badger homes) with one
// teller per close. The co-op splits in two; each half votes, closes the
// same proposal with its own ballots, and its close gets its teller. When
// the halves meet, neither close decides (each leaves out ballots the other
// counts); the nodes answer with a fuller close by themselves (Tell), co-sign
// it, and every node converges on it.
func TestPartitionedClosesConverge(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	nodes := testCoop(t, &now, "Ana", "Bo", "Cy", "Di", "Ed")
	ana := nodes[0]
	sync := func(group ...*Node) { t.Helper(); syncNodes(t, group...) }
	// tellEach has each node tell in turn, syncing the group in between,
	// as nodes that are online together would.
	tellEach := func(group ...*Node) {
		t.Helper()
		for _, n := range group {
			tell(t, n)
			sync(group...)
		}
	}
	open := func(title string) record.ID {
		t.Helper()
		p, err := ana.Propose(coop.Proposal{Title: title, Body: "As drafted.", Method: tally.Majority, Kind: coop.KindGeneral,
			Closes: now.Add(time.Hour).Format(record.TimeFormat)})
		if err != nil {
			t.Fatal(err)
		}
		sync(nodes...)
		return p.ID
	}
	sync(nodes...)

	// One teller per close: the bylaws are amended, by decision, with the default two.
	by := ana.State().Bylaws
	by.Tellers = 1
	amend, err := ana.Propose(coop.Proposal{Title: "One teller", Body: "Quicker closes.", Method: tally.Majority, Kind: coop.KindBylaws,
		Bylaws: &by, Closes: now.Add(time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	sync(nodes...)
	for _, n := range nodes {
		if _, err := n.Vote(amend.ID, tally.Ballot{Position: tally.Yes}); err != nil {
			t.Fatal(err)
		}
	}
	sync(nodes...)
	now = now.Add(2 * time.Hour)
	if _, err := ana.CloseProposal(amend.ID); err != nil {
		t.Fatal(err)
	}
	sync(nodes...)
	tellEach(nodes...)
	if got := ana.State().Bylaws.Tellers; got != 1 {
		t.Fatalf("tellers %d after the amendment", got)
	}

	pid := open("Share the van")
	left, right := nodes[:3], nodes[3:] // {Ana, Bo, Cy} | {Di, Ed}
	for _, n := range left {
		if _, err := n.Vote(pid, tally.Ballot{Position: tally.Yes}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range right {
		if _, err := n.Vote(pid, tally.Ballot{Position: tally.No}); err != nil {
			t.Fatal(err)
		}
	}
	sync(left...)
	sync(right...)
	now = now.Add(2 * time.Hour)
	cl, err := ana.CloseProposal(pid) // the author, at closing time
	if err != nil {
		t.Fatal(err)
	}
	sync(left...)
	tellEach(left...)
	now = now.Add(25 * time.Hour) // the grace period over: any member may close
	cr, err := right[0].CloseProposal(pid)
	if err != nil {
		t.Fatal(err)
	}
	sync(right...)
	tellEach(right...)
	for _, half := range [][]*Node{left, right} {
		p, _ := half[0].State().ProposalByID(pid)
		if p.Close == nil || p.Close.ID != cl.ID && p.Close.ID != cr.ID {
			t.Fatalf("a half did not decide with its own close: %+v", p.Close)
		}
	}

	// Heal.
	sync(nodes...)
	if p, _ := ana.State().ProposalByID(pid); p.Close != nil {
		t.Fatalf("healed, a close that leaves out the other half's ballots decides: %s", p.Close.ID.Short())
	}
	tellEach(nodes...)
	var digest [32]byte
	for i, n := range nodes {
		s := n.State()
		p, _ := s.ProposalByID(pid)
		if p.Close == nil || p.Close.ID == cl.ID || p.Close.ID == cr.ID || p.Close.Result.Cast != 5 {
			t.Fatalf("node %d: decided by %+v, want a fuller close counting all five", i, p.Close)
		}
		if p.Close.Result.Outcome != tally.OutcomePassed {
			t.Fatalf("node %d: %s", i, p.Close.Result.Why)
		}
		if d := s.Digest(); i > 0 && d != digest {
			t.Fatalf("node %d disagrees", i)
		} else {
			digest = d
		}
		for _, c := range []*record.Record{cl, cr} {
			if rj := rejectionOf(s, c.ID); !rj.Void || rj.LeftOut.IsZero() {
				t.Fatalf("node %d: a half's close %s: %+v", i, c.ID.Short(), rj)
			}
		}
	}
}

func rejectionOf(s *coop.State, id record.ID) coop.Rejection {
	for _, r := range s.Rejected {
		if r.ID == id {
			return r
		}
	}
	return coop.Rejection{}
}

// testCoop founds a co-op of real nodes (Badger homes) with clock *now, one
// per name, the first the founder, who admits the others; synced.
func testCoop(t *testing.T, now *time.Time, names ...string) []*Node {
	t.Helper()
	opts := testOpts
	opts.Now = func() time.Time { return *now }
	first, err := Init(filepath.Join(t.TempDir(), names[0]), names[0], "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	nodes := []*Node{first}
	for _, name := range names[1:] {
		n, err := Join(filepath.Join(t.TempDir(), name), first.CoopID(), pass, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		req, err := n.RequestJoin(name, "inv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := first.Admit(req, ""); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	syncNodes(t, nodes...)
	return nodes
}

// syncNodes gives every node of group every record the others hold.
func syncNodes(t *testing.T, group ...*Node) {
	t.Helper()
	for _, from := range group {
		for _, to := range group {
			if err := to.Put(recordsOf(t, from)...); err != nil {
				t.Fatal(err)
			}
		}
	}
}
