package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/spf13/cobra"
)

// governCommands are propose, proposals, show, vote, delegate and close.
func (c *cli) governCommands(jsonFlag func(*cobra.Command) *cobra.Command) []*cobra.Command {
	var in ProposeInput
	var bodyFile, bylawsFile, textFile string
	var ag AgreementInput
	propose := &cobra.Command{
		Use:   "propose --title TITLE --method METHOD [flags]",
		Short: "Open a proposal for the members to decide",
		Long: "Open a proposal. Methods: advice, consent, consensus, majority, single-choice, approval, score, dot, ranked.\n" +
			"Kinds: general (default), admission (--request), removal (--member), member-change (--member --class --roles), bylaws (--bylaws-file),\n" +
			"agreement (--agreement-title --agreement-text[-file] --purpose... --recipient... --jurisdiction [--replaces VERSION]).",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if bodyFile != "" {
				b, err := os.ReadFile(bodyFile)
				if err != nil {
					return fmt.Errorf("read the body: %w", err)
				}
				in.Body = string(b)
			}
			if bylawsFile != "" {
				b, err := os.ReadFile(bylawsFile)
				if err != nil {
					return fmt.Errorf("read the new bylaws: %w", err)
				}
				by, err := parseBylawsFile(b)
				if err != nil {
					return fmt.Errorf("%s is not bylaws as JSON (see `coopnode bylaws --json` for the shape): %w", bylawsFile, err)
				}
				in.Bylaws = &by
			}
			if in.Kind == "agreement" {
				if textFile != "" {
					b, err := os.ReadFile(textFile)
					if err != nil {
						return fmt.Errorf("read the agreement text: %w", err)
					}
					ag.Text = string(b)
				}
				in.Agreement = &ag
			}
			return c.withAPI(func(api API) error {
				p, err := api.Propose(in)
				if err != nil {
					return err
				}
				// Warnings go to stderr, so --json output stays one document.
				warnings := p.Warnings
				if p.Kind == "bylaws" && p.BylawsBase != "" && len(p.BylawsChanges) == 0 {
					warnings = append(warnings, "these are the bylaws that were in force when it opened: passing it changes nothing")
				}
				for _, warn := range warnings {
					fmt.Fprintf(c.errw, "warning: %s.\n", warn)
				}
				return c.print(p, func(w io.Writer) {
					fmt.Fprintf(w, "Opened %q (%s).\nProposal ID %s\nVoting ends %s; %d members may vote.\n", p.Title, p.Method, p.ID, p.Closes, p.Eligible)
				})
			})
		},
	}
	f := propose.Flags()
	f.StringVar(&in.Title, "title", "", "the proposal's title")
	f.StringVar(&in.Body, "body", "", "what is proposed, and why")
	f.StringVar(&bodyFile, "body-file", "", "read the body from this file")
	f.StringVar(&in.Kind, "kind", "general", "general, admission, removal, member-change, bylaws or agreement")
	f.StringVar(&in.Method, "method", "", "how it is decided (majority for the kinds that change the co-op)")
	f.StringArrayVar(&in.Options, "option", nil, "an option to choose from (repeat; choice methods)")
	f.IntVar(&in.Seats, "seats", 0, "ranked: how many options win (1 = instant-runoff, more = single transferable vote)")
	f.IntVar(&in.Dots, "dots", 0, "dot: dots each member spreads")
	f.IntVar(&in.MaxScore, "max-score", 0, "score: the highest score (default 5)")
	f.StringVar(&in.Quorum, "quorum", "", "participation needed, n/d (only stricter than the bylaws')")
	f.StringVar(&in.Threshold, "threshold", "", "majority: support needed, n/d (only stricter than the bylaws')")
	f.StringSliceVar(&in.Classes, "voters", nil, "classes that may vote (default: every class that votes)")
	f.IntVar(&in.Hours, "hours", 72, "voting period in hours")
	f.StringVar(&in.Closes, "closes", "", "closing time, RFC 3339 (instead of --hours)")
	f.BoolVar(&in.HideResults, "hide-results", false, "hide running results until close (a display rule; ballots stay readable in the data)")
	f.StringVar(&in.Member, "member", "", "removal, member-change: the member's ID or name")
	f.StringVar(&in.Request, "request", "", "admission: the join request's ID")
	f.StringVar(&in.Class, "class", "", "admission, member-change: the member's class")
	f.StringSliceVar(&in.Roles, "roles", nil, "admission, member-change: the member's roles (the full new set)")
	f.StringVar(&ag.Title, "agreement-title", "", "agreement: the data agreement's title")
	f.StringVar(&ag.Text, "agreement-text", "", "agreement: its text (what members consent to)")
	f.StringVar(&textFile, "agreement-text-file", "", "agreement: read its text from this file")
	f.StringArrayVar(&ag.Purposes, "purpose", nil, "agreement: a DPV purpose it allows (repeat; `coopnode agreements --purposes` lists them)")
	f.StringArrayVar(&ag.Recipients, "recipient", nil, "agreement: a licensee class it allows (repeat), e.g. ai-developers")
	f.StringVar(&ag.Standard, "royalty-standard", "", "agreement: members' share of a standard licence, n/d or NN% (default 1/2)")
	f.StringVar(&ag.Extended, "royalty-extended", "", "agreement: members' share of an extended licence (default 3/4)")
	f.StringVar(&ag.Retention, "retention", "", "agreement: how long consent lasts, ISO 8601 (default P3Y)")
	f.StringVar(&ag.Jurisdiction, "jurisdiction", "", "agreement: jurisdiction, e.g. EU")
	f.StringVar(&ag.Language, "language", "", "agreement: language of the text (default en)")
	f.StringVar(&ag.Replaces, "replaces", "", "agreement: the version this one follows (a new version asks every member again)")
	f.StringVar(&bylawsFile, "bylaws-file", "", "bylaws: read the new bylaws, whole, from `FILE`: what `coopnode bylaws --json` writes, edited; a quorum or threshold is\n"+
		"{\"num\": n, \"den\": d} (num and den decide; text is for reading) or \"n/d\"; special rules by kind, e.g.\n"+
		"\"special\": {\"bylaws\": {\"quorum\": \"2/3\", \"threshold\": \"2/3\", \"methods\": [\"majority\"]}}")

	var reason, choose, points string
	vote := &cobra.Command{
		Use:   "vote PROPOSAL [POSITION] [--choose A,B] [--points 5,0,3] [--reason TEXT]",
		Short: "Vote on a proposal (a new vote replaces your earlier one)",
		Long: "Positions: advice agree|abstain; consent consent|abstain|object; consensus agree|abstain|disagree|block; majority yes|no|abstain.\n" +
			"--choose takes option names or numbers (1 = first): one for single-choice, any for approval, in order of preference for ranked.\n" +
			"--points gives score or dot points per option, in option order.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				p, err := api.Proposal(args[0])
				if err != nil {
					return err
				}
				v := VoteInput{Reason: reason, Choices: []int{}, Points: []int{}}
				if len(args) == 2 {
					v.Position = args[1]
				}
				if choose != "" {
					for _, o := range strings.Split(choose, ",") {
						i, err := optionIndex(p.Options, o)
						if err != nil {
							return err
						}
						v.Choices = append(v.Choices, i)
					}
				}
				if points != "" {
					for _, x := range strings.Split(points, ",") {
						n, err := strconv.Atoi(strings.TrimSpace(x))
						if err != nil {
							return exitError{exitUsage, fmt.Sprintf("--points: %q is not a whole number", x)}
						}
						v.Points = append(v.Points, n)
					}
				}
				p, err = api.Vote(p.ID, v)
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) { fmt.Fprintf(w, "Your vote on %q is recorded.\n", p.Title) })
			})
		},
	}
	vote.Flags().StringVar(&reason, "reason", "", "why (needed to object or block)")
	vote.Flags().StringVar(&choose, "choose", "", "options by name or number, comma-separated")
	vote.Flags().StringVar(&points, "points", "", "points per option, comma-separated")

	var onProposal, onKind, end string
	var list bool
	delegate := &cobra.Command{
		Use:   "delegate MEMBER [--proposal ID | --kind KIND] | --list | --end ID",
		Short: "Let another member vote for you (your own vote always overrides it)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				switch {
				case end != "":
					if err := api.EndDelegation(end); err != nil {
						return err
					}
					fmt.Fprintln(c.out, "Delegation withdrawn.")
					return nil
				case list:
					ds, err := api.Delegations()
					if err != nil {
						return err
					}
					return c.print(ds, func(w io.Writer) {
						if len(ds) == 0 {
							fmt.Fprintln(w, "You have no standing delegations.")
						}
						for _, d := range ds {
							fmt.Fprintf(w, "%s  %s votes for you on %s\n", d.ID[:12], d.Delegate, d.Scope)
						}
					})
				case len(args) == 0:
					return exitError{exitUsage, "name the member who should vote for you, or use --list or --end ID"}
				}
				d, err := api.Delegate(args[0], onProposal, onKind)
				if err != nil {
					return err
				}
				return c.print(d, func(w io.Writer) {
					fmt.Fprintf(w, "%s now votes for you on %s, unless you vote yourself.\n", d.Delegate, d.Scope)
				})
			})
		},
	}
	delegate.Flags().StringVar(&onProposal, "proposal", "", "only this proposal")
	delegate.Flags().StringVar(&onKind, "kind", "", "only proposals of this kind")
	delegate.Flags().BoolVar(&list, "list", false, "list your standing delegations")
	delegate.Flags().StringVar(&end, "end", "", "withdraw this delegation")

	return []*cobra.Command{
		jsonFlag(propose),
		jsonFlag(vote),
		jsonFlag(delegate),
		jsonFlag(&cobra.Command{Use: "proposals", Short: "List proposals, open and closed", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				return c.withAPI(func(api API) error {
					ps, err := api.Proposals()
					if err != nil {
						return err
					}
					return c.print(ps, func(w io.Writer) {
						if len(ps) == 0 {
							fmt.Fprintln(w, "No proposals yet: `coopnode propose` opens one.")
							return
						}
						tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
						defer tw.Flush()
						fmt.Fprintln(tw, "ID\tTITLE\tMETHOD\tSTATUS\tVOTED\tOUTCOME")
						for _, p := range ps {
							out := ""
							if p.Result != nil && p.Status == ProposalClosed {
								out = p.Result.Outcome
							}
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\n", p.ID[:12], p.Title, p.Method, p.Status, p.Voted, p.Eligible, out)
						}
					})
				})
			}}),
		jsonFlag(&cobra.Command{Use: "show PROPOSAL", Short: "Show a proposal, its count and its ballots", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				return c.withAPI(func(api API) error {
					p, err := api.Proposal(args[0])
					if err != nil {
						return err
					}
					return c.print(p, func(w io.Writer) { printProposal(w, p) })
				})
			}}),
		jsonFlag(&cobra.Command{Use: "close PROPOSAL", Short: "Close a proposal after its closing time, fixing its result", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				return c.withAPI(func(api API) error {
					p, err := api.CloseProposal(args[0])
					if err != nil {
						return err
					}
					return c.print(p, func(w io.Writer) { printProposal(w, p) })
				})
			}}),
	}
}

// bylawsFile is the JSON of a --bylaws-file: the shape `coopnode bylaws
// --json` writes (BylawsView), so its output can be edited and proposed as
// it is, with quorums and thresholds also accepted as "n/d" (BylawsInput).
type bylawsFile struct {
	Text            string              `json:"text"`
	VotingRule      string              `json:"votingRule"`
	Quorum          fileRatio           `json:"quorum"`
	Threshold       fileRatio           `json:"threshold"`
	Classes         []MemberClassView   `json:"classes"`
	AdmissionRule   string              `json:"admissionRule"`
	AdmitRoles      []string            `json:"admitRoles"`
	Methods         []string            `json:"methods"`
	CloseGraceHours int                 `json:"closeGraceHours"`
	Tellers         *int                `json:"tellers"` // absent (a file from before tellers): the default
	MaxSkewMinutes  int                 `json:"maxSkewMinutes"`
	Special         map[string]fileRule `json:"special"`
	AdoptedBy       json.RawMessage     `json:"adoptedBy"` // about the bylaws in force: not proposed
	AdoptedAt       json.RawMessage     `json:"adoptedAt"`
	TellersAdvice   json.RawMessage     `json:"tellersAdvice"`
}

type fileRule struct {
	Quorum    fileRatio `json:"quorum"`
	Threshold fileRatio `json:"threshold"`
	Methods   []string  `json:"methods"`
}

// fileRatio is a ratio as "n/d" or as {"num": n, "den": d, "text": "..."}
// (the text, for reading, must agree with num and den if it is there).
type fileRatio string

// ratioText is how `bylaws --json` writes a ratio's text: "2/3 (66.67%)".
var ratioText = regexp.MustCompile(`^\s*(-?\d+/\d+)(?:\s+\((.*)\))?\s*$`)

func (r *fileRatio) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*r = fileRatio(s)
		return nil
	}
	var o struct {
		Num, Den *int64
		Text     string
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil || o.Num == nil || o.Den == nil {
		return fmt.Errorf(`a ratio is "n/d" or {"num": n, "den": d}, not %s`, b)
	}
	v := exact.R(*o.Num, *o.Den)
	if o.Text != "" && v.Validate() == nil {
		// The text is only for reading, so an edit to it alone would be
		// lost: it must still say what num and den say.
		m := ratioText.FindStringSubmatch(o.Text)
		var t exact.Ratio
		if m != nil {
			t, _ = exact.ParseRatio(m[1])
		}
		if m == nil || t.Validate() != nil || t.Cmp(v) != 0 || m[2] != "" && m[2] != v.Percent() {
			return fmt.Errorf(`num and den say %s but text says %q: num and den decide (text is only for reading), so edit them, or leave text out`, ratio(v).Text, o.Text)
		}
	}
	*r = fileRatio(v.String())
	return nil
}

// sameKeys refuses a JSON object anywhere in b that names a key twice,
// also in another letter case: encoding/json would take one of them
// silently (it matches field names without regard to case).
func sameKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	var walk func() error
	walk = func() error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			var seen []string
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				for _, first := range seen { // EqualFold, as encoding/json matches names
					if strings.EqualFold(first, key) {
						return fmt.Errorf("it names %q and %q in one object: keep one", first, key)
					}
				}
				seen = append(seen, key)
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token() // }
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ]
			return err
		}
		return nil
	}
	return walk()
}

// parseBylawsFile reads a --bylaws-file (see bylawsFile).
func parseBylawsFile(b []byte) (BylawsInput, error) {
	var f bylawsFile
	if err := sameKeys(b); err != nil {
		return BylawsInput{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt key would otherwise drop a rule unseen
	if err := dec.Decode(&f); err != nil {
		return BylawsInput{}, err
	}
	if dec.More() {
		return BylawsInput{}, errors.New("it holds more than one JSON value")
	}
	if f.VotingRule != "" && f.VotingRule != coop.OneMemberOneVote {
		return BylawsInput{}, fmt.Errorf("voting rule %q: the only one is %q", f.VotingRule, coop.OneMemberOneVote)
	}
	in := BylawsInput{Text: f.Text, Quorum: string(f.Quorum), Threshold: string(f.Threshold), Classes: f.Classes, AdmissionRule: f.AdmissionRule,
		AdmitRoles: f.AdmitRoles, Methods: f.Methods, CloseGraceHours: f.CloseGraceHours, Tellers: coop.DefaultBylaws("").Tellers,
		MaxSkewMinutes: f.MaxSkewMinutes}
	if f.Tellers != nil {
		in.Tellers = *f.Tellers
	}
	if f.Special != nil {
		in.Special = map[string]DecisionRuleInput{}
		for kind, r := range f.Special {
			in.Special[kind] = DecisionRuleInput{Quorum: string(r.Quorum), Threshold: string(r.Threshold), Methods: r.Methods}
		}
	}
	return in, nil
}

func optionIndex(options []string, o string) (int, error) {
	o = strings.TrimSpace(o)
	for i, x := range options {
		if strings.EqualFold(x, o) {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(o); err == nil && n >= 1 && n <= len(options) {
		return n - 1, nil
	}
	return 0, exitError{exitUsage, fmt.Sprintf("%q is not one of the options (%s), nor a number from 1 to %d", o, strings.Join(options, ", "), len(options))}
}

func printProposal(w io.Writer, p ProposalView) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Proposal\t%s\n", p.Title)
	fmt.Fprintf(tw, "ID\t%s\n", p.ID)
	fmt.Fprintf(tw, "Kind\t%s", p.Kind)
	if p.Subject != "" {
		fmt.Fprintf(tw, " (%s)", p.Subject)
	}
	fmt.Fprintf(tw, "\nMethod\t%s, quorum %s", p.Method, p.Quorum.Text)
	if p.Method == "majority" {
		fmt.Fprintf(tw, ", threshold %s", p.Threshold.Text)
	}
	fmt.Fprintf(tw, "\nAuthor\t%s\nOpened\t%s\nCloses\t%s\nStatus\t%s\nVoted\t%d of %d\n", p.Author, p.Opened, p.Closes, p.Status, p.Voted, p.Eligible)
	for i, o := range p.Options {
		fmt.Fprintf(tw, "Option %d\t%s\n", i+1, o)
	}
	tw.Flush()
	if p.Body != "" {
		fmt.Fprintf(w, "\n%s\n", p.Body)
	}
	printBylawsChanges(w, p)
	fmt.Fprintln(w)
	if p.Hidden {
		fmt.Fprintln(w, p.HiddenNotice)
	} else if r := p.Result; r != nil {
		fmt.Fprintf(w, "Outcome: %s. %s\n", r.Outcome, r.Why)
		for _, pc := range r.Positions {
			fmt.Fprintf(w, "  %-9s %d\n", pc.Position, pc.Count)
		}
		for i, t := range r.Totals {
			if i < len(p.Options) {
				fmt.Fprintf(w, "  %-20s %d\n", p.Options[i], t)
			}
		}
		for i, rd := range r.Rounds {
			fmt.Fprintf(w, "  round %d: %s", i+1, strings.Join(rd.Votes, " "))
			if rd.Exhausted != "" && rd.Exhausted != "0" {
				fmt.Fprintf(w, " (exhausted %s)", rd.Exhausted)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w, p.CloseNote)
	if p.Effect != "" {
		fmt.Fprintf(w, "Effect: %s\n", p.Effect)
	}
	if len(p.Ballots) > 0 {
		fmt.Fprintln(w, "\nBallots:")
		for _, b := range p.Ballots {
			mark := "counted"
			if !b.Counted {
				mark = "not counted: " + b.Why
			}
			fmt.Fprintf(w, "  %s  %-16s %s  (%s)\n", b.ID[:12], b.Voter, voteText(p, b.Vote), mark)
			if len(b.Proxies) > 0 {
				fmt.Fprintf(w, "  %12s  also for %s by proxy\n", "", strings.Join(b.Proxies, ", "))
			}
		}
	}
}

// printBylawsChanges writes what a bylaws proposal changes, against the
// bylaws in force when it opened, with the text's changed lines.
func printBylawsChanges(w io.Writer, p ProposalView) {
	if p.Kind != "bylaws" || p.BylawsBase == "" {
		return
	}
	fmt.Fprintln(w)
	if len(p.BylawsChanges) == 0 {
		fmt.Fprintf(w, "If it passes, nothing changes: these bylaws are the ones in force when it opened (adopted by record %s).\n", p.BylawsBase[:12])
	} else {
		fmt.Fprintf(w, "If it passes, the bylaws in force when it opened (adopted by record %s) change:\n", p.BylawsBase[:12])
	}
	for _, c := range p.BylawsChanges {
		fmt.Fprintf(w, "  - %s\n", c.Text)
		if c.What != "text" {
			continue
		}
		for _, l := range p.BylawsTextDiff {
			switch l.Op {
			case "add":
				fmt.Fprintf(w, "      + %s\n", l.Text)
			case "del":
				fmt.Fprintf(w, "      - %s\n", l.Text)
			}
		}
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "Note: %s.\n", warn)
	}
}

func voteText(p ProposalView, v VoteInput) string {
	if v.Position != "" {
		if v.Reason != "" {
			return v.Position + ": " + v.Reason
		}
		return v.Position
	}
	var parts []string
	for _, i := range v.Choices {
		if i >= 0 && i < len(p.Options) {
			parts = append(parts, p.Options[i])
		}
	}
	if len(v.Points) > 0 {
		for i, n := range v.Points {
			if i < len(p.Options) {
				parts = append(parts, fmt.Sprintf("%s=%d", p.Options[i], n))
			}
		}
	}
	sep := ", "
	if p.Method == "ranked" {
		sep = " > "
	}
	return strings.Join(parts, sep)
}
