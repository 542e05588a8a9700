// Package refcoop builds DESIGN's reference co-op ("Stocksy-size") in a
// real node home, for benchmarks: 2,000 members, 500 proposals, 200,000
// ballots and 200,000 consent receipts, or a fraction of that.
//
// It writes through the node's own API. The founder's node admits every
// member (Admit), opens every proposal (Propose), votes (Vote) and closes
// each proposal from its own count (CloseProposal). The members are
// simulated clients with keyrings of their own (identity.Generate, as each
// member's node would have): they sign their join requests, ballots,
// consent keys and receipts with the constructors their nodes use, and hand
// them to the founder's node the way a peer does (Node.Put: every signature
// verified, every record judged by the fold and stored). Ledger
// transactions and licenses are not generated: the node has no ledger yet.
package refcoop

import (
	"errors"
	"fmt"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Size is what a generated co-op holds.
type Size struct {
	Members, Proposals, Ballots, Receipts int
}

// Reference is DESIGN's reference co-op (without ledger and licenses).
var Reference = Size{Members: 2000, Proposals: 500, Ballots: 200_000, Receipts: 200_000}

// Scaled is s times f (at least a handful of each), for quick runs.
func (s Size) Scaled(f float64) Size {
	sc := func(n, least int) int { return max(int(float64(n)*f), least) }
	out := Size{Members: sc(s.Members, 4), Proposals: sc(s.Proposals, 3), Ballots: sc(s.Ballots, 8), Receipts: sc(s.Receipts, 8)}
	// A member votes once per proposal: keep enough members for the ballots.
	out.Members = max(out.Members, out.Ballots/out.Proposals+1)
	return out
}

// Report says what was generated.
type Report struct {
	Coop    record.ID
	Records int
	ByType  map[string]int
	Elapsed time.Duration
	// FullFolds and DirectApplies: how the founder's node kept its state (see coop.Folder).
	FullFolds, DirectApplies int
}

// member is a simulated member's client.
type member struct {
	keys    *identity.Keyring
	id      coop.MemberID
	cert    record.ID // the admission, which certified the requested device
	consent record.ID // the consent key's registration
}

// batch is how many records of members go to the node in one Put.
const batch = 2000

// Generate founds a co-op of size in home (which must not exist yet),
// sealed under passphrase, and returns what it wrote. progress, if set,
// hears what is being done.
func Generate(home string, passphrase []byte, size Size, progress func(string)) (Report, error) {
	say := func(f string, a ...any) {
		if progress != nil {
			progress(fmt.Sprintf(f, a...))
		}
	}
	start := time.Now()
	clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	n, err := node.Init(home, "Ana Founder", "Reference Photo Co-op", passphrase, node.Options{Now: now, DeviceLabel: "founder laptop"})
	if err != nil {
		return Report{}, err
	}
	defer n.Close()
	g := &gen{n: n, coopID: n.CoopID(), clock: &clock, say: say}
	if err := g.join(size.Members); err != nil {
		return Report{}, fmt.Errorf("members: %w", err)
	}
	agreementBallots, err := g.agreement()
	if err != nil {
		return Report{}, fmt.Errorf("agreement: %w", err)
	}
	if err := g.proposals(size.Proposals-1, size.Ballots-agreementBallots); err != nil {
		return Report{}, fmt.Errorf("proposals: %w", err)
	}
	if err := g.receipts(size.Receipts); err != nil {
		return Report{}, fmt.Errorf("receipts: %w", err)
	}
	rep := Report{Coop: g.coopID, ByType: map[string]int{}, Elapsed: time.Since(start)}
	all, err := n.Records()
	if err != nil {
		return rep, err
	}
	for _, r := range all {
		rep.Records++
		rep.ByType[r.Type]++
	}
	rep.FullFolds, rep.DirectApplies = n.FoldCounts()
	if probs := n.Problems(); len(probs) > 0 {
		return rep, fmt.Errorf("the generated co-op has %d problems, the first: %s", len(probs), probs[0])
	}
	return rep, nil
}

type gen struct {
	n       *node.Node
	coopID  record.ID
	clock   *time.Time
	say     func(string, ...any)
	members []*member
	version *coop.AgreementVersion
}

func (g *gen) tick(d time.Duration) time.Time { *g.clock = g.clock.Add(d); return *g.clock }

// members has every member ask to join, the founder admit them, and each
// register a consent key.
func (g *gen) join(count int) error {
	for i := range count {
		keys, err := identity.Generate(nil)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("Member %04d", i+1)
		req, err := coop.RequestJoin(keys.Member(), keys.Device(), g.coopID, name, "laptop", "", g.tick(time.Minute))
		if err != nil {
			return err
		}
		if err := g.n.Put(req); err != nil {
			return err
		}
		adm, err := g.n.Admit(req, "member")
		if err != nil {
			return fmt.Errorf("admit %s: %w", name, err)
		}
		g.members = append(g.members, &member{keys: keys, id: coop.MemberID(adm.ID), cert: adm.ID})
		if (i+1)%500 == 0 {
			g.say("admitted %d members", i+1)
		}
	}
	var regs []*record.Record
	for _, m := range g.members {
		r, err := coop.RegisterConsentKey(m.keys.Device(), m.keys.Consent(g.coopID), g.coopID, m.id, g.tick(time.Second), m.cert)
		if err != nil {
			return err
		}
		m.consent = r.ID
		regs = append(regs, r)
	}
	return g.put(regs)
}

// put hands members' records to the founder's node, batch by batch, and
// checks the co-op's rules accepted every one.
func (g *gen) put(recs []*record.Record) error {
	for len(recs) > 0 {
		k := min(batch, len(recs))
		if err := g.n.Put(recs[:k]...); err != nil {
			return err
		}
		recs = recs[k:]
	}
	if rj := g.n.State().Rejected; len(rj) > 0 {
		return fmt.Errorf("the co-op's rules refuse %d generated records, the first %s (%s): %s", len(rj), rj[0].ID.Short(), rj[0].Type, rj[0].Reason)
	}
	return nil
}

var purposes = []consent.Purpose{"AcademicResearch", "CommercialResearch", "ResearchAndDevelopment", "SellInsightsFromData", "ai:ModelFineTuning", "ai:ModelTraining"}

// agreement adopts the data agreement by a majority every member votes
// for. It returns how many ballots that took.
func (g *gen) agreement() (int, error) {
	terms := coop.AgreementTerms{Title: "Photo licensing agreement",
		Text:       "Members' photos may be licensed for the purposes below, to the recipients below, for royalties shared as stated.",
		Purposes:   purposes,
		Recipients: []string{"ai-developers", "researchers"},
		Royalty:    coop.Royalty{Standard: exact.R(1, 2), Extended: exact.R(3, 4)}, Retention: "P2Y", Jurisdiction: "EU", Language: "en"}
	p, err := g.open(coop.Proposal{Title: "Adopt the photo licensing agreement", Kind: coop.KindAgreement, Method: tally.Majority, Agreement: &terms})
	if err != nil {
		return 0, err
	}
	if err := g.vote(p, len(g.members), func(int) tally.Ballot { return tally.Ballot{Position: tally.Yes} }); err != nil {
		return 0, err
	}
	if err := g.close(p); err != nil {
		return 0, err
	}
	ags := g.n.State().Agreements()
	if len(ags) != 1 {
		return 0, errors.New("the agreement was not adopted")
	}
	g.version = ags[0].Current()
	return len(g.members) + 1, nil
}

func (g *gen) open(p coop.Proposal) (*coop.ProposalState, error) {
	p.Closes = g.clock.Add(time.Hour).Format(record.TimeFormat)
	r, err := g.n.Propose(p)
	if err != nil {
		return nil, err
	}
	ps, _ := g.n.State().ProposalByID(r.ID)
	if _, err := g.n.Vote(r.ID, voteFor(ps.Method, 0)); err != nil { // the founder votes too
		return nil, err
	}
	return ps, nil
}

// vote has count members vote on p, starting at a member picked by p's ID
// (so who votes varies between proposals) and going round the members.
func (g *gen) vote(p *coop.ProposalState, count int, vote func(int) tally.Ballot) error {
	at := g.tick(time.Minute)
	first := int(p.ID[0])
	recs := make([]*record.Record, 0, count)
	for j := range count {
		m := g.members[(first+j)%len(g.members)]
		r, err := coop.Cast(m.keys.Device(), g.coopID, coop.Ballot{Proposal: p.ID, Roll: p.Roll.Hash, Vote: vote(j)}, at, m.cert)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	return g.put(recs)
}

// close has the founder's node close p, and the first members, as its
// tellers, co-sign the close as their nodes would (coop.Folder.MayCoSign;
// their ballots are all held by the founder's node, which counted them).
func (g *gen) close(p *coop.ProposalState) error {
	g.tick(2 * time.Hour)
	r, err := g.n.CloseProposal(p.ID)
	if err != nil {
		return err
	}
	for _, m := range g.members[:min(p.Tellers, len(g.members))] {
		if r, err = r.CoSign(m.keys.Device()); err != nil {
			return err
		}
	}
	return g.n.Put(r)
}

var methods = []tally.Method{tally.Majority, tally.Consent, tally.Approval, tally.Ranked, tally.Score}

// proposals opens, votes on and closes count general proposals, ballots in all.
func (g *gen) proposals(count, ballots int) error {
	if count <= 0 {
		return nil
	}
	per := min(ballots/count, len(g.members))
	for i := range count {
		m := methods[i%len(methods)]
		p := coop.Proposal{Title: fmt.Sprintf("Proposal %03d", i+1), Body: "Generated for the reference co-op.", Kind: coop.KindGeneral, Method: m}
		if m != tally.Majority && m != tally.Consent {
			p.Options = []string{"a", "b", "c", "d", "e"}
		}
		switch m {
		case tally.Ranked:
			p.Seats = 1
		case tally.Score:
			p.MaxScore = 5
		}
		ps, err := g.open(p)
		if err != nil {
			return fmt.Errorf("open %q: %w", p.Title, err)
		}
		if err := g.vote(ps, per-1, func(j int) tally.Ballot { return voteFor(m, j+1) }); err != nil {
			return fmt.Errorf("votes on %q: %w", p.Title, err)
		}
		if err := g.close(ps); err != nil {
			return fmt.Errorf("close %q: %w", p.Title, err)
		}
		if (i+1)%50 == 0 {
			g.say("closed %d proposals", i+1)
		}
	}
	return nil
}

func voteFor(m tally.Method, j int) tally.Ballot {
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

// receipts has members grant consent per item and purpose, one receipt in
// ten withdrawing the member's latest grant.
func (g *gen) receipts(count int) error {
	v := g.version
	at := g.tick(time.Hour)
	last := map[*member]*record.Record{}
	recipients := [][]string{{"ai-developers"}, {"researchers"}, {"ai-developers", "researchers"}}
	var recs []*record.Record
	for j := range count {
		m := g.members[j%len(g.members)]
		key := m.keys.Consent(g.coopID)
		var r *record.Record
		var err error
		if prev := last[m]; j%10 == 9 && prev != nil {
			delete(last, m)
			r, err = coop.NewReceipt(key, g.coopID, consent.Receipt{Event: consent.EventWithdraw, Status: consent.Withdrawn, Key: m.consent,
				Agreement: v.Agreement, Version: v.ID, Notice: v.TextDigest, Withdraws: prev.ID}, at, prev.ID)
		} else {
			item := consent.Item{byte(j), byte(j >> 8), byte(j >> 16), 0xda}
			r, err = coop.NewReceipt(key, g.coopID, consent.Receipt{Event: consent.EventGrant, Status: consent.Given, Key: m.consent,
				Agreement: v.Agreement, Version: v.ID, Notice: v.TextDigest, Purposes: []consent.Purpose{purposes[j%len(purposes)], purposes[(j+2)%len(purposes)]},
				Items: []consent.Item{item}, Recipients: recipients[j%len(recipients)], Retention: v.Terms.Retention, Jurisdiction: v.Terms.Jurisdiction,
				ValidFrom: at.Format(time.RFC3339), ValidUntil: at.AddDate(0, 0, 1+j%700).Format(time.RFC3339)}, at, v.Adopted)
			last[m] = r
		}
		if err != nil {
			return err
		}
		recs = append(recs, r)
		if len(recs) == batch*5 || j == count-1 {
			if err := g.put(recs); err != nil {
				return err
			}
			recs = recs[:0]
			g.say("%d consent receipts", j+1)
		}
	}
	return nil
}
