package app

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// Proposal statuses.
const (
	ProposalOpen     = "open"   // voting
	ProposalEnded    = "ended"  // the closing time passed; it awaits its close record
	ProposalClosed   = "closed" // a close record fixed the result
	hiddenNotice     = "Results are hidden until the proposal closes. This is a display rule, not secrecy: ballots are signed records that every member's node holds, so anyone who inspects the data can read them."
	proposalIDPrompt = "give the proposal's ID (at least its first 8 characters); `coopnode proposals` lists them"
)

// ProposeInput is what a member fills in to open a proposal.
type ProposeInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// Kind is general (default), admission, removal, member-change or bylaws.
	Kind string `json:"kind"`
	// Method is one of advice, consent, consensus, majority, single-choice,
	// approval, score, dot, ranked.
	Method   string   `json:"method"`
	Options  []string `json:"options"`
	Seats    int      `json:"seats"`    // ranked: winners (1 = instant-runoff)
	Dots     int      `json:"dots"`     // dot: dots per member
	MaxScore int      `json:"maxScore"` // score: highest score (default 5)
	// Quorum and Threshold as "n/d"; empty takes the bylaws'. They may only be stricter.
	Quorum    string   `json:"quorum"`
	Threshold string   `json:"threshold"`
	Classes   []string `json:"classes"` // who may vote; empty: every class that votes
	// Closes is an RFC 3339 time; if empty, Hours from now (default 72).
	Closes      string `json:"closes"`
	Hours       int    `json:"hours"`
	HideResults bool   `json:"hideResults"`
	// Member (removal, member-change): member ID (prefix) or exact name.
	Member string `json:"member"`
	// Request (admission): the join request's ID (prefix).
	Request string   `json:"request"`
	Class   string   `json:"class"` // admission, member-change
	Roles   []string `json:"roles"` // admission, member-change: the full new set
	// Bylaws (bylaws): the new bylaws, whole.
	Bylaws *BylawsInput `json:"bylaws"`
	// Agreement (agreement): the version of a data agreement to adopt.
	Agreement *AgreementInput `json:"agreement"`
}

// BylawsInput is a complete set of bylaws, as an amendment proposes them.
type BylawsInput struct {
	Text            string            `json:"text"`
	Quorum          string            `json:"quorum"`    // "n/d"
	Threshold       string            `json:"threshold"` // "n/d"
	Classes         []MemberClassView `json:"classes"`
	AdmissionRule   string            `json:"admissionRule"`
	AdmitRoles      []string          `json:"admitRoles"`
	Methods         []string          `json:"methods"`
	CloseGraceHours int               `json:"closeGraceHours"`
	// Tellers: how many members besides its author co-sign a close before it decides.
	Tellers int `json:"tellers"`
	// MaxSkewMinutes: how far ahead of a node's clock a record may be dated
	// and still be applied on arrival (0: the default, 5 minutes).
	MaxSkewMinutes int `json:"maxSkewMinutes"`
	// Special are stricter rules for kinds of proposal ("special
	// resolutions"), keyed by kind: admission, removal, member-change,
	// bylaws or agreement (not general). Empty or absent: none.
	Special map[string]DecisionRuleInput `json:"special"`
}

// DecisionRuleInput is the bylaws' rule for one kind of proposal (see
// coop.DecisionRule): a proposal of the kind needs at least this quorum and
// threshold, and may use only Methods (empty: any binding method the bylaws
// allow). Consent and consensus have no threshold: list only majority for
// the threshold to bind.
type DecisionRuleInput struct {
	Quorum    string   `json:"quorum"`    // "n/d"
	Threshold string   `json:"threshold"` // "n/d"
	Methods   []string `json:"methods"`   // majority, consent, consensus; empty: any of them the bylaws allow
}

// DecisionRuleView is the bylaws' rule for one kind of proposal, as in force.
type DecisionRuleView struct {
	Quorum    Ratio    `json:"quorum"`
	Threshold Ratio    `json:"threshold"`
	Methods   []string `json:"methods"` // empty: any binding method the bylaws allow
}

// VoteInput is a ballot: Position for advice, consent, consensus and
// majority; Choices for single-choice (one), approval (a set) and ranked
// (in order of preference); Points for score and dot (one per option).
type VoteInput struct {
	Position string `json:"position"`
	Reason   string `json:"reason"`
	Choices  []int  `json:"choices"`
	Points   []int  `json:"points"`
}

// AwaitingCloseView is a close signed and awaiting its tellers.
type AwaitingCloseView struct {
	Record  string   `json:"record"`
	By      string   `json:"by"`      // name
	Tellers []string `json:"tellers"` // names of those who co-signed so far
	Need    int      `json:"need"`
}

// ProposalView is one proposal. The list (Proposals) leaves Ballots empty.
type ProposalView struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Kind      string   `json:"kind"`
	Method    string   `json:"method"`
	Options   []string `json:"options"`
	Seats     int      `json:"seats"`
	Dots      int      `json:"dots"`
	MaxScore  int      `json:"maxScore"`
	Quorum    Ratio    `json:"quorum"`
	Threshold Ratio    `json:"threshold"`
	Classes   []string `json:"classes"`
	Author    string   `json:"author"` // name
	AuthorID  string   `json:"authorId"`
	Opened    string   `json:"opened"` // RFC 3339
	Closes    string   `json:"closes"` // RFC 3339
	// Status is open, ended or closed.
	Status   string `json:"status"`
	Eligible int    `json:"eligible"` // members on the roll
	Voted    int    `json:"voted"`    // members whose vote counts now (directly or by proxy)
	// Result is the count (the final one once closed); nil while hidden.
	Result       *tally.Result `json:"result"`
	Hidden       bool          `json:"hidden"` // running results are hidden until close
	HiddenNotice string        `json:"hiddenNotice"`
	MyVote       *VoteInput    `json:"myVote"`  // your standing ballot
	MyProxy      string        `json:"myProxy"` // who votes for you, if you did not vote
	CanVote      bool          `json:"canVote"`
	CanClose     bool          `json:"canClose"`
	CloseNote    string        `json:"closeNote"` // when and by whom it may be closed
	ClosedBy     string        `json:"closedBy"`  // name
	ClosedAt     string        `json:"closedAt"`
	CloseRecord  string        `json:"closeRecord"`
	// Tellers is how many members besides a close's author must co-sign it
	// before it decides; Awaiting, the closes signed and still awaiting them.
	Tellers  int                 `json:"tellers"`
	Awaiting []AwaitingCloseView `json:"awaiting"`
	Effect   string              `json:"effect"` // what the close changed
	// Subject: who or what the proposal is about (removal, member-change, admission).
	Subject string       `json:"subject"`
	Class   string       `json:"class"`
	Roles   []string     `json:"roles"`
	Bylaws  *BylawsInput `json:"bylaws"`
	// BylawsBase (bylaws; Proposal only, not the list): the record that
	// adopted the bylaws in force when the proposal opened, the genesis or
	// an amendment's close; BylawsChanges and BylawsTextDiff compare Bylaws
	// with those. Empty when they were not compared.
	BylawsBase     string             `json:"bylawsBase"`
	BylawsChanges  []BylawsChangeView `json:"bylawsChanges"`
	BylawsTextDiff []DiffLineView     `json:"bylawsTextDiff"` // line by line; empty if the text is the same
	// Warnings are what members should know about what is proposed that is
	// no reason to refuse it, such as a rule the rest of the bylaws make inert.
	Warnings []string `json:"warnings"`
	// Agreement: the agreement version a proposal of kind agreement adopts.
	Agreement *AgreementInput `json:"agreement"`
	Ballots   []BallotView    `json:"ballots"`
}

// BallotView is one ballot and whether it counts.
type BallotView struct {
	ID      string    `json:"id"`
	Voter   string    `json:"voter"` // name
	VoterID string    `json:"voterId"`
	Cast    string    `json:"cast"` // RFC 3339 (the voter's clock)
	Vote    VoteInput `json:"vote"`
	Counted bool      `json:"counted"`
	Why     string    `json:"why"`     // why it does not count
	Proxies []string  `json:"proxies"` // names of members it also votes for
}

// DelegationView is one of your standing delegations.
type DelegationView struct {
	ID         string `json:"id"`
	Delegate   string `json:"delegate"` // name
	DelegateID string `json:"delegateId"`
	Proposal   string `json:"proposal"` // ID, when it covers one proposal
	Kind       string `json:"kind"`     // when it covers one kind
	Scope      string `json:"scope"`    // in words
}

// Proposals lists the co-op's proposals, newest first.
func (a *App) Proposals() ([]ProposalView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	s := n.State()
	out := []ProposalView{}
	for _, p := range s.Proposals() {
		out = append(out, proposalView(n, s, p, false))
	}
	return out, nil
}

// Proposal shows one proposal (ID or a unique prefix of 8+ characters)
// with its ballots, unless its results are hidden.
func (a *App) Proposal(id string) (ProposalView, error) {
	n, err := a.ready()
	if err != nil {
		return ProposalView{}, err
	}
	s := n.State()
	p, err := findProposal(s, id)
	if err != nil {
		return ProposalView{}, err
	}
	return proposalView(n, s, p, true), nil
}

// Propose opens a proposal.
func (a *App) Propose(in ProposeInput) (ProposalView, error) {
	n, err := a.ready()
	if err != nil {
		return ProposalView{}, err
	}
	s := n.State()
	p, err := proposalFrom(n, s, in)
	if err != nil {
		return ProposalView{}, invalidErr(err)
	}
	r, err := n.Propose(p)
	if err != nil {
		return ProposalView{}, nodeErr(n, "opening the proposal", err)
	}
	s = n.State()
	ps, ok := s.ProposalByID(r.ID)
	if !ok {
		return ProposalView{}, fmt.Errorf("proposal %s was stored but is not in force", r.ID.Short())
	}
	return proposalView(n, s, ps, true), nil
}

// Vote casts your ballot on a proposal, replacing any earlier one.
func (a *App) Vote(proposal string, v VoteInput) (ProposalView, error) {
	n, err := a.ready()
	if err != nil {
		return ProposalView{}, err
	}
	p, err := findProposal(n.State(), proposal)
	if err != nil {
		return ProposalView{}, err
	}
	if _, err := n.Vote(p.ID, tally.Ballot(v)); err != nil {
		return ProposalView{}, nodeErr(n, "casting the ballot", err)
	}
	return a.Proposal(p.ID.String())
}

// CloseProposal closes a proposal with the count of every ballot this node holds.
func (a *App) CloseProposal(proposal string) (ProposalView, error) {
	n, err := a.ready()
	if err != nil {
		return ProposalView{}, err
	}
	p, err := findProposal(n.State(), proposal)
	if err != nil {
		return ProposalView{}, err
	}
	if _, err := n.CloseProposal(p.ID); err != nil {
		return ProposalView{}, nodeErr(n, "closing the proposal", err)
	}
	return a.Proposal(p.ID.String())
}

// Delegate gives your vote to member to (ID prefix or exact name): on one
// proposal (proposal set), on one kind of proposal (kind set), or on every
// proposal (neither). A ballot of your own always overrides it.
func (a *App) Delegate(to, proposal, kind string) (DelegationView, error) {
	n, err := a.ready()
	if err != nil {
		return DelegationView{}, err
	}
	s := n.State()
	m, err := findMember(s, to)
	if err != nil {
		return DelegationView{}, err
	}
	d := coop.Delegation{Delegate: m.ID, Kind: kind}
	if proposal != "" {
		p, err := findProposal(s, proposal)
		if err != nil {
			return DelegationView{}, err
		}
		d.Proposal = p.ID
	}
	if kind != "" && !slices.Contains(coop.Kinds, kind) {
		return DelegationView{}, invalid("kind %q is not one of %s", kind, strings.Join(coop.Kinds, ", "))
	}
	r, err := n.Delegate(d)
	if err != nil {
		return DelegationView{}, nodeErr(n, "delegating", err)
	}
	return delegationView(n.State(), r.ID, d), nil
}

// Delegations lists your standing delegations.
func (a *App) Delegations() ([]DelegationView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	s := n.State()
	out := []DelegationView{}
	me, ok := s.MemberByKey(n.MemberKey())
	if !ok {
		return out, nil
	}
	ids, ds := s.DelegationRecords(me.ID), s.Delegations(me.ID)
	for i := range ids {
		out = append(out, delegationView(s, ids[i], ds[i]))
	}
	return out, nil
}

// EndDelegation withdraws one of your delegations (ID or prefix).
func (a *App) EndDelegation(id string) error {
	n, err := a.ready()
	if err != nil {
		return err
	}
	s := n.State()
	me, ok := s.MemberByKey(n.MemberKey())
	if !ok {
		return invalid("you are not a member of the co-op (yet)")
	}
	id = strings.ToLower(strings.TrimSpace(id))
	var found []record.ID
	for _, d := range s.DelegationRecords(me.ID) {
		if id != "" && strings.HasPrefix(d.String(), id) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		return invalid("no single standing delegation of yours starts with %q: `coopnode delegate --list` lists them", id)
	}
	if _, err := n.EndDelegation(found[0]); err != nil {
		return nodeErr(n, "ending the delegation", err)
	}
	return nil
}

func delegationView(s *coop.State, id record.ID, d coop.Delegation) DelegationView {
	v := DelegationView{ID: id.String(), DelegateID: d.Delegate.String(), Kind: d.Kind, Scope: "every proposal"}
	if m, ok := s.Members[d.Delegate]; ok {
		v.Delegate = m.Name
	}
	switch {
	case !d.Proposal.IsZero():
		v.Proposal = d.Proposal.String()
		v.Scope = "one proposal"
		if p, ok := s.ProposalByID(d.Proposal); ok {
			v.Scope = fmt.Sprintf("the proposal %q", p.Title)
		}
	case d.Kind != "":
		v.Scope = d.Kind + " proposals"
	}
	return v
}

func findProposal(s *coop.State, id string) (*coop.ProposalState, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 {
		return nil, invalid(proposalIDPrompt)
	}
	var found []*coop.ProposalState
	for _, p := range s.Proposals() {
		if strings.HasPrefix(p.ID.String(), id) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, invalid("no proposal %s here: it may not have reached this node yet (`coopnode proposals` lists those that have)", id)
	case 1:
		return found[0], nil
	}
	return nil, invalid("%d proposals start with %s: give more of the ID", len(found), id)
}

// findMember finds a current member by ID prefix (8+ characters) or exact name.
func findMember(s *coop.State, who string) (*coop.Member, error) {
	who = strings.TrimSpace(who)
	var found []*coop.Member
	for _, m := range s.SortedMembers() {
		if m.Removed {
			continue
		}
		if m.Name == who || (len(who) >= 8 && strings.HasPrefix(m.ID.String(), strings.ToLower(who))) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return nil, invalid("no current member is called or has an ID starting with %q: `coopnode members` lists them", who)
	case 1:
		return found[0], nil
	}
	return nil, invalid("%d members match %q: give their member ID", len(found), who)
}

func parseRatioOr(s string, def *exact.Ratio) (*exact.Ratio, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	r, err := exact.ParseRatio(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return &r, r.ValidateProportion()
}

func proposalFrom(n *node.Node, s *coop.State, in ProposeInput) (coop.Proposal, error) {
	p := coop.Proposal{Title: strings.TrimSpace(in.Title), Body: in.Body, Kind: in.Kind, Method: tally.Method(in.Method),
		Options: in.Options, Seats: in.Seats, Dots: in.Dots, MaxScore: in.MaxScore, Classes: in.Classes, HideResults: in.HideResults,
		Class: in.Class, Roles: in.Roles}
	if p.Kind == "" {
		p.Kind = coop.KindGeneral
	}
	if p.Method == tally.Ranked && p.Seats == 0 {
		p.Seats = 1
	}
	if p.Method == "" {
		if p.Kind == coop.KindGeneral {
			return p, errors.New("choose a decision method: " + methodNames())
		}
		p.Method = tally.Majority
		// The bylaws' special rule for the kind may allow only other methods.
		if r := s.Bylaws.Special.For(p.Kind); r != nil && len(r.Methods) > 0 && !slices.Contains(r.Methods, p.Method) {
			p.Method = r.Methods[0]
		}
	}
	var err error
	if p.Quorum, err = parseRatioOr(in.Quorum, nil); err != nil {
		return p, fmt.Errorf("quorum: %w", err)
	}
	if p.Threshold, err = parseRatioOr(in.Threshold, nil); err != nil {
		return p, fmt.Errorf("threshold: %w", err)
	}
	closes := n.Now().Add(72 * time.Hour)
	switch {
	case in.Closes != "":
		if closes, err = time.Parse(time.RFC3339, in.Closes); err != nil {
			return p, fmt.Errorf("closing time %q: use RFC 3339, such as 2026-12-01T18:00:00Z", in.Closes)
		}
	case in.Hours > 0:
		closes = n.Now().Add(time.Duration(in.Hours) * time.Hour)
	case in.Hours < 0:
		return p, errors.New("the voting period must be at least one hour")
	}
	p.Closes = closes.UTC().Format(record.TimeFormat)
	switch p.Kind {
	case coop.KindRemoval, coop.KindMemberChange:
		m, err := findMember(s, in.Member)
		if err != nil {
			return p, err
		}
		p.Member = m.ID
		if p.Kind == coop.KindMemberChange && p.Class == "" {
			p.Class = m.Class
		}
	case coop.KindAdmission:
		req, err := findRequest(n, in.Request)
		if err != nil {
			return p, err
		}
		p.Request = req
		if p.Class == "" {
			p.Class = s.Bylaws.Classes[0].Name
		}
	case coop.KindBylaws:
		if in.Bylaws == nil {
			return p, errors.New("a bylaws amendment must carry the new bylaws, whole")
		}
		b, err := bylawsFrom(*in.Bylaws)
		if err != nil {
			return p, err
		}
		p.Bylaws = &b
	case coop.KindAgreement:
		if in.Agreement == nil {
			return p, errors.New("an agreement proposal must carry the agreement's terms")
		}
		t, err := agreementFrom(n, *in.Agreement)
		if err != nil {
			return p, err
		}
		p.Agreement = &t
		if p.Title == "" {
			p.Title = "Adopt " + t.Title
		}
	}
	return p, nil
}

// adoptedAt is the time of the record that adopted the bylaws in force:
// the genesis, or the close of the bylaws proposal that amended them last.
func adoptedAt(n *node.Node, s *coop.State) time.Time {
	if rs := n.Get([]record.ID{s.BylawsFrom}); len(rs) == 1 {
		return rs[0].Time
	}
	// Damaged on disk (status says so): the state holds the close's time too.
	for _, p := range s.Proposals() {
		if p.Close != nil && p.Close.ID == s.BylawsFrom {
			return p.Close.Time
		}
	}
	return s.Founded
}

func findRequest(n *node.Node, id string) (record.ID, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 {
		return record.ID{}, invalid("give the join request's ID (at least its first 8 characters); `coopnode requests` lists them")
	}
	var found []record.ID
	for _, r := range n.JoinRequests() {
		if strings.HasPrefix(r.Record.ID.String(), id) {
			found = append(found, r.Record.ID)
		}
	}
	if len(found) != 1 {
		return record.ID{}, invalid("no single join request starts with %s (`coopnode requests` lists them)", id)
	}
	return found[0], nil
}

func bylawsFrom(in BylawsInput) (coop.Bylaws, error) {
	b := coop.Bylaws{Text: in.Text, VotingRule: coop.OneMemberOneVote, Admission: coop.Admission{Rule: in.AdmissionRule, Roles: in.AdmitRoles},
		CloseGraceHours: in.CloseGraceHours, Tellers: in.Tellers, MaxSkewMinutes: in.MaxSkewMinutes}
	q, err := exact.ParseRatio(in.Quorum)
	if err != nil {
		return b, fmt.Errorf("quorum: %w", err)
	}
	t, err := exact.ParseRatio(in.Threshold)
	if err != nil {
		return b, fmt.Errorf("threshold: %w", err)
	}
	b.Quorum, b.Threshold = q, t
	for _, c := range in.Classes {
		b.Classes = append(b.Classes, coop.Class{Name: c.Name, Description: c.Description, Votes: c.Votes})
	}
	for _, m := range in.Methods {
		b.Methods = append(b.Methods, tally.Method(m))
	}
	for _, kind := range slices.Sorted(maps.Keys(in.Special)) {
		r := in.Special[kind]
		if err := b.Special.Set(kind, &coop.DecisionRule{}); err != nil {
			return b, err
		}
		q, err := exact.ParseRatio(strings.TrimSpace(r.Quorum))
		if err != nil {
			return b, fmt.Errorf("the special rule for %s proposals: quorum: %w", kind, err)
		}
		t, err := exact.ParseRatio(strings.TrimSpace(r.Threshold))
		if err != nil {
			return b, fmt.Errorf("the special rule for %s proposals: threshold: %w", kind, err)
		}
		rule := coop.DecisionRule{Quorum: q, Threshold: t}
		for _, m := range r.Methods {
			rule.Methods = append(rule.Methods, tally.Method(m))
		}
		_ = b.Special.Set(kind, &rule) // the kind was checked above
	}
	return b, b.Validate()
}

// specialInput writes the special rules of b as n/d strings (never nil).
func specialInput(b coop.Bylaws) map[string]DecisionRuleInput {
	out := map[string]DecisionRuleInput{}
	for _, kind := range b.Special.Kinds() {
		r := b.Special.For(kind)
		out[kind] = DecisionRuleInput{Quorum: r.Quorum.String(), Threshold: r.Threshold.String(), Methods: methodStrings(r.Methods)}
	}
	return out
}

// specialView is the special rules of b for display (never nil).
func specialView(b coop.Bylaws) map[string]DecisionRuleView {
	out := map[string]DecisionRuleView{}
	for _, kind := range b.Special.Kinds() {
		r := b.Special.For(kind)
		out[kind] = DecisionRuleView{Quorum: ratio(r.Quorum), Threshold: ratio(r.Threshold), Methods: methodStrings(r.Methods)}
	}
	return out
}

// specialKinds lists the kinds special has rules for, in the order of coop.Kinds.
func specialKinds[R any](special map[string]R) []string {
	var out []string
	for _, k := range coop.Kinds {
		if _, ok := special[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func methodStrings(ms []tally.Method) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func bylawsInput(b coop.Bylaws) *BylawsInput {
	v := &BylawsInput{Text: b.Text, Quorum: b.Quorum.String(), Threshold: b.Threshold.String(), AdmissionRule: b.Admission.Rule,
		AdmitRoles: nonNil(b.Admission.Roles), Methods: []string{}, CloseGraceHours: b.CloseGraceHours, Tellers: b.Tellers,
		MaxSkewMinutes: b.MaxSkewMinutes, Classes: []MemberClassView{}}
	for _, c := range b.Classes {
		v.Classes = append(v.Classes, MemberClassView{Name: c.Name, Description: c.Description, Votes: c.Votes})
	}
	for _, m := range b.Methods {
		v.Methods = append(v.Methods, string(m))
	}
	v.Special = specialInput(b)
	return v
}

func methodNames() string {
	var s []string
	for _, m := range tally.Methods {
		s = append(s, string(m))
	}
	return strings.Join(s, ", ")
}

func memberName(s *coop.State, id coop.MemberID) string {
	if m, ok := s.Members[id]; ok {
		return m.Name
	}
	return record.ID(id).Short()
}

func proposalView(n *node.Node, s *coop.State, p *coop.ProposalState, detail bool) ProposalView {
	now := n.Now()
	v := ProposalView{ID: p.ID.String(), Title: p.Title, Body: p.Body, Kind: p.Kind, Method: string(p.Method),
		Options: nonNil(p.Options), Seats: p.Seats, Dots: p.Dots, MaxScore: p.MaxScore,
		Quorum: ratio(p.Rules.Quorum), Threshold: ratio(p.Rules.Threshold), Classes: nonNil(p.Classes),
		Author: memberName(s, p.Author), AuthorID: p.Author.String(), Opened: p.Opened.UTC().Format(timeLayout),
		Closes: p.ClosesAt.UTC().Format(timeLayout), Eligible: len(p.Eligible), Class: p.Class, Roles: nonNil(p.Roles),
		Ballots: []BallotView{}, Effect: p.Effect, BylawsChanges: []BylawsChangeView{}, BylawsTextDiff: []DiffLineView{}, Warnings: []string{},
		Tellers: p.Tellers, Awaiting: awaitingViews(s, s.Awaiting(p.ID))}
	switch p.Kind {
	case coop.KindRemoval, coop.KindMemberChange:
		v.Subject = memberName(s, p.Member)
	case coop.KindAdmission:
		v.Subject = p.Request.Short()
		for _, r := range n.JoinRequests() {
			if r.Record.ID == p.Request {
				v.Subject = r.Body.Name
			}
		}
	case coop.KindBylaws:
		v.Bylaws = bylawsInput(*p.Bylaws)
		v.Warnings = bylawsWarnings(*p.Bylaws)
		// Against the bylaws it would replace: those in its causal past,
		// which a later amendment does not change. The list does without
		// (it walks the causal graph).
		if detail {
			if old, from, err := n.BylawsAt(p.ID); err == nil {
				v.BylawsBase = from.String()
				v.BylawsChanges, v.BylawsTextDiff = bylawsChanges(old, *p.Bylaws), bylawsTextDiff(old, *p.Bylaws)
			}
		}
	case coop.KindAgreement:
		v.Agreement = agreementInput(*p.Agreement)
		v.Subject = p.Agreement.Title
	}
	c := p.Now
	v.Voted = len(c.Counted) + len(c.Proxies)
	switch {
	case p.Close != nil:
		v.Status = ProposalClosed
		v.ClosedBy, v.ClosedAt, v.CloseRecord = memberName(s, p.Close.By), p.Close.Time.UTC().Format(timeLayout), p.Close.ID.String()
	case now.Before(p.ClosesAt):
		v.Status = ProposalOpen
	default:
		v.Status = ProposalEnded
	}
	v.Hidden = p.HideResults && p.Close == nil
	if v.Hidden {
		v.HiddenNotice = hiddenNotice
	} else {
		res := c.Result
		v.Result = &res
	}
	me, isMember := s.MemberByKey(n.MemberKey())
	isMember = isMember && !me.Removed
	if isMember {
		replaced := map[record.ID]bool{}
		for _, nc := range c.NotCounted {
			replaced[nc.Ballot] = strings.HasPrefix(nc.Reason, "replaced")
		}
		for _, b := range p.Ballots {
			if b.Voter == me.ID && !replaced[b.ID] {
				vote := VoteInput(b.Vote)
				v.MyVote = &vote
			}
		}
		for _, px := range c.Proxies {
			if px.Member == me.ID {
				if b, ok := p.Ballot(px.Ballot); ok {
					v.MyProxy = memberName(s, b.Voter)
				}
			}
		}
		v.CanVote = v.Status == ProposalOpen && p.Close == nil && p.OnRoll(me.ID)
	}
	switch v.Status {
	case ProposalOpen:
		v.CloseNote = fmt.Sprintf("Voting ends %s; then %s may close it, and any member from %s.", p.ClosesAt.UTC().Format(timeLayout),
			v.Author, p.ClosesAt.Add(p.Grace).UTC().Format(timeLayout))
	case ProposalEnded:
		mayAll := !now.Before(p.ClosesAt.Add(p.Grace))
		v.CanClose = isMember && s.MayClose(p, me.ID, now, s.Contest(p.ID)) == nil
		if len(v.Awaiting) > 0 {
			a := v.Awaiting[0]
			v.CloseNote = fmt.Sprintf("Closed by %s; the result decides once %s of the other members have checked the count and co-signed it (%d so far). Their nodes do it by themselves when they sync.",
				a.By, fmt.Sprint(a.Need), len(a.Tellers))
		} else if mayAll {
			v.CloseNote = "Voting has ended: any member may close it now."
		} else {
			v.CloseNote = fmt.Sprintf("Voting has ended: %s may close it now, and any member from %s.", v.Author, p.ClosesAt.Add(p.Grace).UTC().Format(timeLayout))
		}
	case ProposalClosed:
		v.CloseNote = fmt.Sprintf("Closed by %s with the count of %d ballots; ballots cast later do not change it.", v.ClosedBy, len(c.Counted))
	}
	if !detail || v.Hidden {
		return v
	}
	proxiesOf := map[record.ID][]string{}
	for _, px := range c.Proxies {
		proxiesOf[px.Ballot] = append(proxiesOf[px.Ballot], memberName(s, px.Member))
	}
	why := map[record.ID]string{}
	for _, nc := range c.NotCounted {
		why[nc.Ballot] = nc.Reason
	}
	for _, b := range p.Ballots {
		bv := BallotView{ID: b.ID.String(), Voter: memberName(s, b.Voter), VoterID: b.Voter.String(), Cast: b.Time.UTC().Format(timeLayout),
			Vote: VoteInput(b.Vote), Counted: slices.Contains(c.Counted, b.ID), Why: why[b.ID], Proxies: nonNil(proxiesOf[b.ID])}
		if bv.Vote.Choices == nil {
			bv.Vote.Choices = []int{}
		}
		if bv.Vote.Points == nil {
			bv.Vote.Points = []int{}
		}
		v.Ballots = append(v.Ballots, bv)
	}
	return v
}

func awaitingViews(s *coop.State, cs []coop.AwaitingClose) []AwaitingCloseView {
	out := make([]AwaitingCloseView, 0, len(cs))
	for _, c := range cs {
		v := AwaitingCloseView{Record: c.ID.String(), By: memberName(s, c.By), Tellers: []string{}, Need: c.Need}
		for _, m := range c.Tellers {
			v.Tellers = append(v.Tellers, memberName(s, m))
		}
		out = append(out, v)
	}
	return out
}
