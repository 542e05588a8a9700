package node

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// TestGovernanceAcrossNodes: three real nodes (Badger homes) open, vote,
// delegate and close a proposal, exchanging records, and agree on the result.
func TestGovernanceAcrossNodes(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { return now }
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	join := func(name string) *Node {
		n, err := Join(filepath.Join(t.TempDir(), name), a.CoopID(), pass, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		req, err := n.RequestJoin(name, "inv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Admit(req, ""); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b, c := join("Bo"), join("Cy")
	nodes := []*Node{a, b, c}
	sync := func() {
		t.Helper()
		for _, from := range nodes {
			for _, to := range nodes {
				if err := to.Put(recordsOf(t, from)...); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	sync()
	prop, err := a.Propose(coop.Proposal{Title: "Buy a scanner", Body: "For the archive.", Method: tally.Majority,
		Closes: now.Add(time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	sync()
	b.State()
	full, direct := b.FoldCounts()
	if _, err := b.Vote(prop.ID, tally.Ballot{Position: tally.Yes}); err != nil {
		t.Fatal(err)
	}
	// A ballot is applied to the state as it is stored, not by folding every record again.
	if p, ok := b.State().ProposalByID(prop.ID); !ok || len(p.Ballots) != 1 {
		t.Fatalf("Bo's node does not show Bo's ballot: %+v", p)
	}
	if f, d := b.FoldCounts(); f != full || d <= direct {
		t.Fatalf("a ballot cost a full fold: folds %d -> %d, direct %d -> %d", full, f, direct, d)
	}
	if _, err := b.Vote(prop.ID, tally.Ballot{Position: "maybe"}); !errors.Is(err, tally.ErrInvalid) {
		t.Fatalf("a malformed ballot: %v", err)
	}
	cy := c.State().Members
	var boID coop.MemberID
	for id, m := range cy {
		if m.Name == "Bo" {
			boID = id
		}
	}
	if _, err := c.Delegate(coop.Delegation{Delegate: boID, Kind: coop.KindGeneral}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(prop.ID, tally.Ballot{Position: tally.No}); err != nil {
		t.Fatal(err)
	}
	sync()
	if _, err := a.CloseProposal(prop.ID); !errors.Is(err, ErrTooEarly) {
		t.Fatalf("close before closing time: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := b.Vote(prop.ID, tally.Ballot{Position: tally.No}); !errors.Is(err, ErrProposalClosed) {
		t.Fatalf("vote after closing time: %v", err)
	}
	if _, err := b.CloseProposal(prop.ID); !errors.Is(err, ErrTooEarly) {
		t.Fatalf("another member closing within the grace period: %v", err)
	}
	before := len(recordsOf(t, a))
	cl, err := a.CloseProposal(prop.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(recordsOf(t, a)) != before+1 {
		t.Fatalf("records %d -> %d", before, len(recordsOf(t, a)))
	}
	sync()
	if p, _ := a.State().ProposalByID(prop.ID); p.Close != nil {
		t.Fatal("the close decided before its tellers co-signed it")
	}
	tell(t, b, c)
	sync()
	for _, n := range nodes {
		p, ok := n.State().ProposalByID(prop.ID)
		if !ok || p.Close == nil || p.Close.ID != cl.ID {
			t.Fatalf("node %s: proposal %+v", n.Home(), p)
		}
		r := p.Close.Result
		// Bo yes, Cy yes by proxy through Bo, Ana no: 2 of 3, passes.
		if r.Outcome != tally.OutcomePassed || r.Cast != 3 || len(p.Now.Proxies) != 1 {
			t.Fatalf("result %+v proxies %+v", r, p.Now.Proxies)
		}
	}
	if a.State().Digest() != c.State().Digest() {
		t.Fatal("nodes disagree after sync")
	}
	if _, err := b.CloseProposal(prop.ID); !errors.Is(err, ErrProposalClosed) {
		t.Fatalf("second close: %v", err)
	}
}

// TestAdmissionByDecision: the members amend the bylaws to admit by
// decision; then a direct admission is refused, and a passed admission
// proposal admits the joiner, whose node can vote at once.
func TestAdmissionByDecision(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { return now }
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	decide := func(p coop.Proposal) *record.Record {
		t.Helper()
		p.Method = tally.Majority
		p.Closes = now.Add(time.Hour).Format(record.TimeFormat)
		prop, err := a.Propose(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Vote(prop.ID, tally.Ballot{Position: tally.Yes}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Hour)
		cl, err := a.CloseProposal(prop.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	nb := a.State().Bylaws
	nb.Admission = coop.Admission{Rule: coop.AdmitByDecision}
	decide(coop.Proposal{Title: "Admit by decision", Kind: coop.KindBylaws, Bylaws: &nb})
	if got := a.State().Bylaws.Admission.Rule; got != coop.AdmitByDecision {
		t.Fatalf("admission rule %q", got)
	}
	b, err := Join(filepath.Join(t.TempDir(), "b"), a.CoopID(), pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	req, err := b.RequestJoin("Bo", "inv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Admit(req, ""); err == nil || !strings.Contains(err.Error(), "propose the admission") {
		t.Fatalf("direct admission under by-decision bylaws: %v", err)
	}
	before, err := a.Propose(coop.Proposal{Title: "Opened before Bo joined", Method: tally.Advice, Closes: now.Add(10 * time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	cl := decide(coop.Proposal{Title: "Admit Bo", Kind: coop.KindAdmission, Request: req.ID, Class: "member"})
	if err := b.Put(recordsOf(t, a)...); err != nil {
		t.Fatal(err)
	}
	if !b.Admitted() {
		t.Fatalf("Bo not admitted by %s: %v", cl.ID.Short(), b.Problems())
	}
	for _, r := range a.JoinRequests() {
		if r.Record.ID == req.ID && !r.Admitted {
			t.Fatal("the request is not shown as answered")
		}
	}
	if _, err := b.Vote(before.ID, tally.Ballot{Position: tally.Agree}); !errors.Is(err, ErrNotEligible) {
		t.Fatalf("voting on a proposal opened before admission: %v", err)
	}
	prop, err := b.Propose(coop.Proposal{Title: "Bo's first", Method: tally.Advice, Closes: now.Add(time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatalf("the member admitted by decision cannot propose: %v", err)
	}
	if _, err := b.Vote(prop.ID, tally.Ballot{Position: tally.Agree}); err != nil {
		t.Fatal(err)
	}
}

// TestBylawsAt: the bylaws in force at a proposal are those of its causal
// past, not the current ones: a proposal opened before an amendment keeps
// the founding bylaws, one opened after has the amended bylaws and names
// the amendment's close as adopting them; and so after a reopen, which
// reads the graph from the snapshot.
func TestBylawsAt(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { return now }
	home := filepath.Join(t.TempDir(), "a")
	a, err := Init(home, "Ana", "Riverside", pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close() }()
	founding := a.State().Bylaws
	closes := func(d time.Duration) string { return now.Add(d).Format(record.TimeFormat) }
	before, err := a.Propose(coop.Proposal{Title: "Opened before", Method: tally.Advice, Closes: closes(10 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	amended := founding
	amended.Quorum = exact.R(2, 3)
	amend, err := a.Propose(coop.Proposal{Title: "Quorum 2/3", Kind: coop.KindBylaws, Method: tally.Majority, Bylaws: &amended, Closes: closes(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(amend.ID, tally.Ballot{Position: tally.Yes}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	cl, err := a.CloseProposal(amend.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.State().BylawsFrom != cl.ID {
		t.Fatalf("the amendment did not pass: bylaws from %s", a.State().BylawsFrom.Short())
	}
	after, err := a.Propose(coop.Proposal{Title: "Opened after", Method: tally.Advice, Closes: closes(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	check := func(n *Node) {
		t.Helper()
		for _, c := range []struct {
			name string
			at   record.ID
			want coop.Bylaws
			from record.ID
		}{
			{"a proposal opened before the amendment", before.ID, founding, a.CoopID()},
			{"the amendment itself", amend.ID, founding, a.CoopID()},
			{"the amendment's close", cl.ID, amended, cl.ID},
			{"a proposal opened after the amendment", after.ID, amended, cl.ID},
		} {
			b, from, err := n.BylawsAt(c.at)
			if err != nil || from != c.from || b.Quorum != c.want.Quorum {
				t.Errorf("%s: bylaws with quorum %s from %s, %v; want quorum %s from %s", c.name, b.Quorum, from.Short(), err, c.want.Quorum, c.from.Short())
			}
		}
		if _, _, err := n.BylawsAt(record.ID{1}); !errors.Is(err, coop.ErrNotFolded) {
			t.Errorf("a record not held: %v", err)
		}
	}
	check(a)
	// The walk shares the graph that storing a record extends: under -race,
	// asking while ballots are stored must not race.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, from, err := a.BylawsAt(after.ID); err != nil || from != cl.ID {
					t.Errorf("concurrent BylawsAt: from %s, %v", from.Short(), err)
					return
				}
			}
		}()
	}
	for range 10 {
		if _, err := a.Vote(after.ID, tally.Ballot{Position: tally.Agree}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if a, err = Open(home, pass, opts); err != nil {
		t.Fatal(err)
	}
	if full, _ := a.FoldCounts(); full != 0 {
		t.Fatalf("the reopened node folded everything (%d) instead of reading its snapshot", full)
	}
	check(a)
}
