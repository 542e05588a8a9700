package coop

import (
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

var benchBallots = flag.Int("bench-ballots", 20_000, "BenchmarkFoldBallots: ballots in the co-op (the reference co-op has 200,000)")

var benchCloseMembers = flag.Int("bench-close-members", 2000, "BenchmarkCloseTellers: members, each voting on one proposal (the reference co-op: 2,000)")

// ballotWorld builds the governance of a reference-shaped co-op: members
// voting on proposals, proposals opened and closed one after another, so
// each close names the ballots it counted, as nodes would. 2,000 members
// and 500 proposals at 200,000 ballots; scaled down with the flag.
func ballotWorld(b *testing.B, ballots int) (*world, int) {
	members := 2000 * ballots / 200_000
	proposals := 500 * ballots / 200_000
	proposals = max(proposals, 5)
	members = max(members, ballots/proposals+1) // one ballot per member per proposal
	w := newWorld(b)
	var ids []MemberID
	for i := range members {
		ids = append(ids, w.admitQuick(w.founder(), fmt.Sprint("member ", i)))
	}
	per := ballots / proposals
	methods := []tally.Method{tally.Majority, tally.Consent, tally.Approval, tally.Ranked, tally.Score}
	options := []string{"a", "b", "c", "d", "e"}
	for i := range proposals {
		m := methods[i%len(methods)]
		p := Proposal{Title: fmt.Sprint("proposal ", i), Kind: KindGeneral, Method: m,
			Closes: t0.Add(time.Duration(i+1) * 24 * time.Hour).Format(record.TimeFormat)}
		if m != tally.Majority && m != tally.Consent {
			p.Options = options
		}
		if m == tally.Ranked {
			p.Seats = 1
		}
		if m == tally.Score {
			p.MaxScore = 5
		}
		roll := slices.Clone(append(ids, w.founder()))
		slices.SortFunc(roll, func(a, b MemberID) int { return record.CompareIDs(record.ID(a), record.ID(b)) })
		p.Roll = RollOf(roll)
		prev := []record.ID{w.cert[w.founder()], w.frontier}
		at := t0.Add(time.Duration(i) * 24 * time.Hour)
		prop := w.add(Open(w.dkey[w.founder()], w.coop(), p, at, prev...))
		var counted []record.ID
		var votes []tally.Ballot
		for j := range per {
			voter := ids[(i*7+j)%len(ids)]
			v := benchVote(m, j)
			bl := w.add(Cast(w.dkey[voter], w.coop(), Ballot{Proposal: prop.ID, Roll: p.Roll.Hash, Vote: v}, at.Add(time.Minute), w.cert[voter]))
			counted = append(counted, bl.ID)
			votes = append(votes, v)
		}
		rules := tally.Rules{Method: m, Options: p.Options, Eligible: len(roll), Quorum: w.genesisBylaws().Quorum,
			Threshold: w.genesisBylaws().Threshold, Seats: p.Seats, MaxScore: p.MaxScore}
		res, err := tally.Count(rules, votes)
		if err != nil {
			b.Fatal(err)
		}
		cl := w.add(Close(w.dkey[w.founder()], w.coop(), Closing{Proposal: prop.ID, Counted: sortIDsCopy(counted), Result: res}, nil,
			at.Add(24*time.Hour), w.cert[w.founder()]))
		w.cosign(cl, ids[:w.genesisBylaws().Tellers]...) // the tellers
		w.frontier = cl.ID
	}
	return w, proposals
}

func sortIDsCopy(ids []record.ID) []record.ID { return record.SortIDs(ids) }

func benchVote(m tally.Method, j int) tally.Ballot {
	switch m {
	case tally.Majority:
		return tally.Ballot{Position: []string{tally.Yes, tally.No, tally.Abstain, tally.Yes}[j%4]}
	case tally.Consent:
		return tally.Ballot{Position: tally.ConsentP}
	case tally.Approval:
		return tally.Ballot{Choices: []int{j % 5, (j + 2) % 5}}
	case tally.Ranked:
		return tally.Ballot{Choices: []int{j % 5, (j + 1) % 5, (j + 3) % 5}}
	}
	return tally.Ballot{Points: []int{j % 6, (j + 1) % 6, 0, 5, (j * 7) % 6}}
}

// admitQuick admits a member whose device the admission itself certifies
// (through a join request), and advances the membership frontier.
func (w *world) admitQuick(by MemberID, name string) MemberID {
	mk, dk := newKey(w.n), newKey(w.n+1)
	w.n += 2
	req := w.add(RequestJoin(mk, dk, w.coop(), name, "laptop", "", t0))
	prev := []record.ID{w.cert[by], req.ID}
	if !w.frontier.IsZero() {
		prev = append(prev, w.frontier)
	}
	adm := w.add(AdmitRequest(w.dkey[by], w.coop(), req, "member", nil, t0, prev...))
	id := MemberID(adm.ID)
	w.mkey[id], w.dkey[id], w.cert[id] = mk, dk, adm.ID
	w.frontier = adm.ID
	return id
}

func (w *world) genesisBylaws() Bylaws { return DefaultBylaws("Riverside Data Co-op") }

// BenchmarkFoldBallots folds a co-op's governance: -bench-ballots ballots
// over proposals that are each opened, voted on and closed, every close
// recounted from its own causal past.
func BenchmarkFoldBallots(b *testing.B) {
	w, proposals := ballotWorld(b, *benchBallots)
	s := Fold(w.coop(), w.recs)
	closed := 0
	for _, p := range s.Proposals() {
		if p.Close != nil {
			closed++
		}
	}
	if len(s.Rejected) != 0 || closed != proposals {
		b.Fatalf("the benchmark co-op is not valid: %d of %d closed, rejected %+v", closed, proposals, s.Rejected[:min(3, len(s.Rejected))])
	}
	b.ReportMetric(float64(len(w.recs)), "records")
	b.ResetTimer()
	for range b.N {
		Fold(w.coop(), w.recs)
	}
}

// BenchmarkWriteBallot judges one new ballot against a co-op of
// -bench-ballots ballots, directly and by a full fold (see benchWrite).
func BenchmarkWriteBallot(b *testing.B) {
	w, _ := ballotWorld(b, *benchBallots)
	// The last proposal's last ballot, the proposal still open (its close left out).
	last := len(w.recs) - 1
	for w.recs[last].Type != TypeBallot {
		last--
	}
	rest := slices.Clone(w.recs[:last])
	for _, r := range w.recs[last+1:] {
		if r.Type != TypeClosed {
			rest = append(rest, r)
		}
	}
	benchWrite(b, w.coop(), rest, w.recs[last])
}
