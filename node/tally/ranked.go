package tally

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// The ranked count. Both instant-runoff and STV run on one engine. Ballots
// with the same ranking are gathered into a pile that moves as one: they
// have the same history, so the same position and value. Ballot values are
// exact rationals kept in a table that piles point into, since few distinct
// values ever exist (1, and one more per surplus transfer and value moved):
// a round's tally is then integer counting per (value, option) and one
// rational multiply-add per pair, however many ballots there are. The rules
// are in the doc comment of Ranked.

type status uint8

const (
	continuing status = iota
	elected
	eliminated
)

// pile is every ballot with one ranking.
type pile struct {
	ranking []int
	n       int64 // ballots with this ranking
	pos     int   // ranking[pos] holds the pile; pos == len(ranking): exhausted
	value   int   // index into race.values: the value of each ballot
}

// race is the state of a ranked count.
type race struct {
	options []string
	piles   []*pile
	values  []*big.Rat // ballot values in use; values[0] = 1
	status  []status
	kept    []*big.Rat   // votes shown for an option that has left the count
	history [][]*big.Rat // votes at the start of each round, per option
	rounds  []Round
	winners []int
}

// countRanked runs instant-runoff or STV over the ballots that rank at least
// one option (abstentions take no part) and fills Winners, Rounds, Quota and Why.
func countRanked(r Rules, ballots []Ballot, res *Result, t turnout) {
	c := newRace(r.Options, ballots)
	if r.Seats == 1 {
		won, of := c.runIRV()
		res.Rounds, res.Winners = c.rounds, c.winners
		t.decide(OutcomeElected, "Elected", fmt.Sprintf("%s with %s of the %s continuing votes in round %d, more than half",
			quoted(r.Options, c.winners), won.RatString(), of.RatString(), len(c.rounds)))
		return
	}
	quota := c.valid()/int64(r.Seats+1) + 1
	c.runSTV(r.Seats, quota)
	slices.Sort(c.winners)
	res.Rounds, res.Winners, res.Quota = c.rounds, c.winners, int(quota)
	t.decide(OutcomeElected, "Elected", fmt.Sprintf("%s to the %d seats in %s, with a quota of %s",
		quoted(r.Options, c.winners), r.Seats, plural(len(c.rounds), "round", "rounds"), plural(int(quota), "vote", "votes")))
}

// valid is the number of ballots ranking at least one option.
func (c *race) valid() int64 {
	var n int64
	for _, p := range c.piles {
		n += p.n
	}
	return n
}

// newRace gathers the ballots into piles, sorted by ranking so the engine
// walks them in an order independent of the ballots' (the sums are exact,
// so the order could not change a value anyway).
func newRace(options []string, ballots []Ballot) *race {
	byRanking := make(map[string]*pile) // lookups only; piles are sorted below
	var piles []*pile
	for _, b := range ballots {
		if isAbstention(b) {
			continue
		}
		key := rankingKey(b.Choices)
		p, ok := byRanking[key]
		if !ok {
			p = &pile{ranking: slices.Clone(b.Choices)}
			byRanking[key] = p
			piles = append(piles, p)
		}
		p.n++
	}
	slices.SortFunc(piles, func(a, b *pile) int { return slices.Compare(a.ranking, b.ranking) })
	return &race{
		options: options,
		piles:   piles,
		values:  []*big.Rat{big.NewRat(1, 1)},
		status:  make([]status, len(options)),
		kept:    make([]*big.Rat, len(options)),
	}
}

// rankingKey is a ranking as a string; option indices are below 64, one byte each.
func rankingKey(ranking []int) string {
	var sb strings.Builder
	for _, o := range ranking {
		sb.WriteByte(byte(o))
	}
	return sb.String()
}

// runIRV counts rounds until an option has more than half of the
// continuing votes, and returns its votes and the continuing total.
func (c *race) runIRV() (won, of *big.Rat) {
	for {
		votes, round := c.tally()
		total := c.continuingTotal(votes)
		twice := new(big.Rat)
		for o, s := range c.status {
			if s == continuing && twice.Add(votes[o], votes[o]).Cmp(total) > 0 {
				c.elect(o, votes[o])
				round.Elected = []int{o}
				round.Note = fmt.Sprintf("%s has %s of the %s continuing votes, more than half, and is elected.", quoted(c.options, []int{o}), votes[o].RatString(), total.RatString())
				c.rounds = append(c.rounds, round)
				return votes[o], total
			}
		}
		// No majority, so at least two continuing options hold votes: one
		// alone would hold them all. The count therefore ends, at the latest
		// with one option left; and eliminating the lowest never takes the
		// last continuing vote, since an option with at least as many stays.
		c.eliminateLowest(votes, &round)
		c.rounds = append(c.rounds, round)
	}
}

// runSTV counts rounds until every seat is filled.
func (c *race) runSTV(seats int, quotaInt int64) {
	quota := new(big.Rat).SetInt64(quotaInt)
	for len(c.winners) < seats {
		votes, round := c.tally()
		open := seats - len(c.winners)
		cont := c.continuingOptions()
		switch reached := c.reached(votes, quota, open); {
		case len(cont) <= open:
			for _, o := range cont {
				c.elect(o, votes[o])
			}
			round.Elected = cont
			round.Note = fmt.Sprintf("%s are the only options continuing, for the %d seats left, and are elected.", quoted(c.options, cont), open)
			if len(cont) == 1 {
				round.Note = quoted(c.options, cont) + " is the only option continuing and takes the last seat."
			}
		case len(reached) > 0:
			c.electByQuota(reached, votes, quota, seats, &round)
		default:
			c.eliminateLowest(votes, &round)
		}
		c.rounds = append(c.rounds, round)
	}
}

// reached lists the continuing options at or above the quota, largest
// first, equal votes by index ascending: the order their surpluses move in.
// At most open of them (the Droop quota already guarantees that).
func (c *race) reached(votes []*big.Rat, quota *big.Rat, open int) []int {
	var got []int
	for o, s := range c.status {
		if s == continuing && votes[o].Cmp(quota) >= 0 {
			got = append(got, o)
		}
	}
	slices.SortStableFunc(got, func(a, b int) int { return votes[b].Cmp(votes[a]) })
	return got[:min(len(got), open)]
}

// electByQuota elects the options that reached the quota and, unless that
// fills the seats, moves each one's surplus on.
func (c *race) electByQuota(reached []int, votes []*big.Rat, quota *big.Rat, seats int, round *Round) {
	for _, o := range reached {
		c.elect(o, votes[o])
	}
	round.Elected = slices.Sorted(slices.Values(reached))
	var held []string
	for _, o := range reached {
		held = append(held, fmt.Sprintf("%s (%s)", quoted(c.options, []int{o}), votes[o].RatString()))
	}
	note := fmt.Sprintf("%s %s the quota of %s", joinAnd(held), pick(len(reached) == 1, "reaches", "reach"), quota.RatString())
	if len(c.winners) == seats {
		round.Note = note + "; every seat is filled."
		return
	}
	var moves []string
	for _, o := range reached {
		surplus := new(big.Rat).Sub(votes[o], quota)
		factor := new(big.Rat).Quo(surplus, votes[o])
		c.transfer(o, factor) // a zero surplus moves the ballots on at value 0: nothing
		c.kept[o] = quota
		whose := pick(len(reached) == 1, "it", quoted(c.options, []int{o}))
		if surplus.Sign() == 0 {
			moves = append(moves, whose+" has no surplus")
			continue
		}
		moves = append(moves, fmt.Sprintf("%s passes on its surplus of %s, each of its ballots moving to the next preference at %s of its value",
			whose, surplus.RatString(), factor.RatString()))
	}
	round.Note = note + "; " + strings.Join(moves, "; ") + "."
}

// pick is a if cond, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// tally counts the piles: each adds n × its ballots' value to the option
// holding it, or to the exhausted total. It records the votes in the
// history and returns them with the round's record so far.
func (c *race) tally() ([]*big.Rat, Round) {
	exhaustedAt := len(c.options) // column of counts for exhausted ballots
	counts := make([][]int64, len(c.values))
	for i := range counts {
		counts[i] = make([]int64, len(c.options)+1)
	}
	for _, p := range c.piles {
		h := exhaustedAt
		if p.pos < len(p.ranking) {
			h = p.ranking[p.pos] // always a continuing option: see transfer
		}
		counts[p.value][h] += p.n
	}
	votes := make([]*big.Rat, len(c.options)+1) // the last is the exhausted value
	for o := range votes {
		votes[o] = new(big.Rat)
		if o < len(c.options) && c.status[o] != continuing {
			votes[o].Set(c.kept[o])
		}
	}
	add := new(big.Rat)
	for vi, row := range counts {
		for h, n := range row {
			if n > 0 {
				votes[h].Add(votes[h], add.Mul(add.SetInt64(n), c.values[vi]))
			}
		}
	}
	exhausted := votes[exhaustedAt]
	votes = votes[:exhaustedAt]
	c.history = append(c.history, votes)
	shown := make([]string, len(votes))
	for o, v := range votes {
		shown[o] = v.RatString()
	}
	return votes, Round{Votes: shown, Exhausted: exhausted.RatString()}
}

func (c *race) continuingOptions() []int {
	var cont []int
	for o, s := range c.status {
		if s == continuing {
			cont = append(cont, o)
		}
	}
	return cont
}

func (c *race) continuingTotal(votes []*big.Rat) *big.Rat {
	total := new(big.Rat)
	for o, s := range c.status {
		if s == continuing {
			total.Add(total, votes[o])
		}
	}
	return total
}

// elect marks o elected; it keeps its votes unless a surplus transfer
// later sets them to the quota.
func (c *race) elect(o int, votes *big.Rat) {
	c.status[o] = elected
	c.kept[o] = votes
	c.winners = append(c.winners, o)
}

// eliminateLowest eliminates the continuing option with the fewest votes
// (tie-break: see lowest) and moves its ballots on at their value.
func (c *race) eliminateLowest(votes []*big.Rat, round *Round) {
	o, tie, by := c.lowest()
	c.status[o] = eliminated
	c.kept[o] = votes[o]
	c.transfer(o, nil)
	round.Eliminated = []int{o}
	name := quoted(c.options, []int{o})
	if tie == "" {
		round.Note = fmt.Sprintf("%s has the fewest votes (%s) and is eliminated; its ballots move on at their current value.", name, votes[o].RatString())
		return
	}
	round.Note = fmt.Sprintf("%s; %s, %s, is eliminated; its ballots move on at their current value.", tie, name, by)
}

// lowest picks the option to eliminate: the continuing option with the
// fewest votes this round; among several, the one with fewer votes in the
// previous round, then the round before, back to round 1; if still tied,
// the one listed last. For a tie, tie and by say how it was broken.
func (c *race) lowest() (o int, tie, by string) {
	now := len(c.history) - 1
	cands := fewest(c.continuingOptions(), c.history[now])
	if len(cands) == 1 {
		return cands[0], "", ""
	}
	tie = fmt.Sprintf("%s tie for the fewest votes (%s)", quoted(c.options, cands), c.history[now][cands[0]].RatString())
	for r := now - 1; r >= 0; r-- {
		cands = fewest(cands, c.history[r])
		if len(cands) == 1 {
			return cands[0], tie, fmt.Sprintf("the lowest looking back to round %d", r+1)
		}
	}
	if now > 0 {
		tie += fmt.Sprintf(" and no earlier round separates %s", quoted(c.options, cands))
	}
	return cands[len(cands)-1], tie, "listed last"
}

// fewest keeps the candidates with the least votes, in their order.
func fewest(cands []int, votes []*big.Rat) []int {
	least := slices.MinFunc(cands, func(a, b int) int { return votes[a].Cmp(votes[b]) })
	return slices.DeleteFunc(slices.Clone(cands), func(o int) bool { return votes[o].Cmp(votes[least]) != 0 })
}

// transfer moves every pile held by o to its next continuing preference,
// multiplying each ballot's value by factor (nil: keep the value). Call it
// after o has left the count, so that afterwards no pile rests on an option
// that has left: every pile is on a continuing option or exhausted.
func (c *race) transfer(o int, factor *big.Rat) {
	scaled := make([]int, len(c.values)) // value index -> index of value × factor, +1; 0 = not yet made
	for _, p := range c.piles {
		if p.pos >= len(p.ranking) || p.ranking[p.pos] != o {
			continue
		}
		if factor != nil {
			if scaled[p.value] == 0 {
				c.values = append(c.values, new(big.Rat).Mul(c.values[p.value], factor))
				scaled[p.value] = len(c.values)
			}
			p.value = scaled[p.value] - 1
		}
		for p.pos < len(p.ranking) && c.status[p.ranking[p.pos]] != continuing {
			p.pos++
		}
	}
}
