package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/tally"
)

// Kinds of change in BylawsChangeView.Change.
const (
	changeAdded   = "added"
	changeChanged = "changed"
	changeRemoved = "removed"
)

// BylawsChangeView is one difference between the bylaws a bylaws proposal
// would adopt and the bylaws in force when it opened (those it would
// replace, which may since have been amended again).
type BylawsChangeView struct {
	// What is one of voting-rule, quorum, threshold, methods, class,
	// class-order, default-class, admission, admit-roles, grace, special, text.
	What string `json:"what"`
	// Name is the class (class) or the kind of proposal (special) it is about.
	Name   string `json:"name"`
	Label  string `json:"label"`  // what, in words: "Quorum", "Special rule for removal proposals"
	Change string `json:"change"` // added, changed or removed
	Before string `json:"before"` // in words; empty when added (and for text: see BylawsTextDiff)
	After  string `json:"after"`  // in words; empty when removed
	Note   string `json:"note"`   // more about it, such as what a removed special rule leaves
	Text   string `json:"text"`   // the whole change in one line, as `coopnode show` prints it
}

// bylawsChanges lists what changes from the bylaws old to new, in the
// order the bylaws view shows them; the text last (its lines: lineDiff).
func bylawsChanges(old, new coop.Bylaws) []BylawsChangeView {
	out := []BylawsChangeView{}
	add := func(c BylawsChangeView) { c.Text = changeText(c); out = append(out, c) }
	changed := func(what, label, before, after string) {
		if before != after {
			add(BylawsChangeView{What: what, Label: label, Change: changeChanged, Before: before, After: after})
		}
	}
	changed("voting-rule", "Voting rule", old.VotingRule, new.VotingRule)
	changed("quorum", "Quorum", ratioWords(old.Quorum), ratioWords(new.Quorum))
	changed("threshold", "Threshold", ratioWords(old.Threshold), ratioWords(new.Threshold))
	changed("methods", "Decision methods allowed", methodsWords(old.Methods), methodsWords(new.Methods))

	classOf := func(cs []coop.Class, name string) (coop.Class, bool) {
		i := slices.IndexFunc(cs, func(c coop.Class) bool { return c.Name == name })
		if i < 0 {
			return coop.Class{}, false
		}
		return cs[i], true
	}
	for _, c := range new.Classes {
		label := fmt.Sprintf("Class %q", c.Name)
		if o, ok := classOf(old.Classes, c.Name); !ok {
			add(BylawsChangeView{What: "class", Name: c.Name, Label: label, Change: changeAdded, After: classWords(c)})
		} else if o != c {
			add(BylawsChangeView{What: "class", Name: c.Name, Label: label, Change: changeChanged, Before: classWords(o), After: classWords(c)})
		}
	}
	for _, c := range old.Classes {
		if _, ok := classOf(new.Classes, c.Name); !ok {
			add(BylawsChangeView{What: "class", Name: c.Name, Label: fmt.Sprintf("Class %q", c.Name), Change: changeRemoved, Before: classWords(c)})
		}
	}
	// Classes kept in both, in a different order (additions and removals alone do not count).
	kept := func(cs, other []coop.Class) []string {
		var names []string
		for _, c := range cs {
			if _, ok := classOf(other, c.Name); ok {
				names = append(names, c.Name)
			}
		}
		return names
	}
	if a, b := kept(old.Classes, new.Classes), kept(new.Classes, old.Classes); !slices.Equal(a, b) {
		changed("class-order", "Order of the classes", strings.Join(a, ", "), strings.Join(b, ", "))
	}
	if len(old.Classes) > 0 && len(new.Classes) > 0 {
		// Admissions go into the first class unless they name one.
		changed("default-class", "Class new members join unless told otherwise", old.Classes[0].Name, new.Classes[0].Name)
	}
	changed("admission", "Admission", admissionWords(old.Admission.Rule), admissionWords(new.Admission.Rule))
	changed("admit-roles", "Roles that may admit directly", listWords(old.Admission.Roles), listWords(new.Admission.Roles))
	changed("grace", "Hours only a proposal's author may close it", fmt.Sprint(old.CloseGraceHours), fmt.Sprint(new.CloseGraceHours))
	changed("tellers", "Members who co-sign a close before it decides", fmt.Sprint(old.Tellers), fmt.Sprint(new.Tellers))
	changed("skew", "Minutes a record may be dated ahead of a node's clock", fmt.Sprint(old.Skew()/time.Minute), fmt.Sprint(new.Skew()/time.Minute))

	for _, kind := range coop.SpecialKinds() {
		o, n := old.Special.For(kind), new.Special.For(kind)
		c := BylawsChangeView{What: "special", Name: kind, Label: fmt.Sprintf("Special rule for %s proposals", kind)}
		switch {
		case o == nil && n == nil:
			continue
		case o == nil:
			c.Change, c.After = changeAdded, ruleWords(*n)
		case n == nil:
			c.Change, c.Before = changeRemoved, ruleWords(*o)
			c.Note = fmt.Sprintf("%s proposals then follow the general quorum and threshold", kind)
		case ruleWords(*o) != ruleWords(*n):
			c.Change, c.Before, c.After = changeChanged, ruleWords(*o), ruleWords(*n)
		default:
			continue
		}
		add(c)
	}
	if old.Text != new.Text {
		added, removed := 0, 0
		for _, l := range lineDiff(strings.Split(old.Text, "\n"), strings.Split(new.Text, "\n")) {
			switch l.Op {
			case "add":
				added++
			case "del":
				removed++
			}
		}
		add(BylawsChangeView{What: "text", Label: "Text", Change: changeChanged,
			Note: fmt.Sprintf("%s added, %s removed", count(added, "line"), count(removed, "line"))})
	}
	return out
}

// changeText is c in one line: "Quorum: 1/2 (50%) → 2/3 (66.67%)".
func changeText(c BylawsChangeView) string {
	var s string
	switch c.Change {
	case changeAdded:
		s = fmt.Sprintf("%s added: %s", c.Label, c.After)
	case changeRemoved:
		s = fmt.Sprintf("%s removed (was: %s)", c.Label, c.Before)
	default:
		if c.Before == "" && c.After == "" {
			s = c.Label + " changed"
		} else {
			s = fmt.Sprintf("%s: %s → %s", c.Label, c.Before, c.After)
		}
	}
	if c.Note != "" {
		s += "; " + c.Note
	}
	return s
}

// bylawsTextDiff is the line diff of the bylaws' text, or empty if it did not change.
func bylawsTextDiff(old, new coop.Bylaws) []DiffLineView {
	if old.Text == new.Text {
		return []DiffLineView{}
	}
	return lineDiff(strings.Split(old.Text, "\n"), strings.Split(new.Text, "\n"))
}

// bylawsWarnings are what members should know about bylaws before adopting
// them that is no reason to refuse them (the co-op's rules accept them).
func bylawsWarnings(b coop.Bylaws) []string {
	out := []string{}
	if b.Admission.Rule == coop.AdmitDirect && b.Special.For(coop.KindAdmission) != nil {
		out = append(out, fmt.Sprintf("these bylaws admit members directly (a member with the role %s admits without a vote), so the special rule for admission proposals "+
			"binds only an admission someone chooses to put to a vote; for every admission to need it, set the admission rule to %q",
			strings.Join(b.Admission.Roles, " or "), coop.AdmitByDecision))
	}
	return out
}

func ratioWords(r exact.Ratio) string { return ratio(r).Text }

func methodsWords(ms []tally.Method) string {
	if len(ms) == 0 {
		return "every method"
	}
	return strings.Join(methodStrings(ms), ", ")
}

func listWords(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func classWords(c coop.Class) string {
	votes := "votes"
	if !c.Votes {
		votes = "does not vote"
	}
	if c.Description == "" {
		return votes
	}
	return fmt.Sprintf("%s (%s)", c.Description, votes)
}

func admissionWords(rule string) string {
	switch rule {
	case coop.AdmitDirect:
		return "direct (a member with a role that may admit admits)"
	case coop.AdmitByDecision:
		return "by decision (the members vote on each request)"
	}
	return rule
}

func ruleWords(r coop.DecisionRule) string {
	methods := "any method that passes or fails"
	if len(r.Methods) > 0 {
		methods = "by " + strings.Join(methodStrings(r.Methods), " or ") + " only"
	}
	return fmt.Sprintf("quorum %s, threshold %s, %s", ratioWords(r.Quorum), ratioWords(r.Threshold), methods)
}

// count is "1 line", "3 lines".
func count(n int, what string) string {
	return fmt.Sprintf("%d %s", n, plural(n, what, what+"s"))
}
