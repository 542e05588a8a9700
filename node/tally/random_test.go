package tally

import (
	"math/rand/v2"

	"github.com/coopnode/coopnode/node/exact"
)

// randomRules returns valid rules for m with 2 to 6 options (few, so ties
// and transfers are common) and a small random quorum and threshold.
func randomRules(rng *rand.Rand, m Method, eligible int) Rules {
	n := 2 + rng.IntN(5)
	r := Rules{
		Method:    m,
		Options:   names(n),
		Eligible:  eligible,
		Quorum:    exact.R(rng.Int64N(4), 4),
		Threshold: exact.R(rng.Int64N(3)+1, 4),
		Seats:     1 + rng.IntN(n-1),
		Dots:      1 + rng.IntN(5),
		MaxScore:  1 + rng.IntN(5),
	}
	return r
}

// randomBallot returns a valid ballot for r.
func randomBallot(rng *rand.Rand, r Rules) Ballot {
	if ps, ok := positions[r.Method]; ok {
		return Ballot{Position: ps[rng.IntN(len(ps))], Reason: "a reason"}
	}
	if rng.IntN(12) == 0 {
		return Ballot{Position: Abstain}
	}
	n := len(r.Options)
	switch r.Method {
	case SingleChoice:
		return Ballot{Choices: []int{rng.IntN(n)}}
	case Approval:
		return Ballot{Choices: rng.Perm(n)[:rng.IntN(n+1)]}
	case Ranked:
		return Ballot{Choices: rng.Perm(n)[:1+rng.IntN(n)]}
	case Score:
		p := make([]int, n)
		for i := range p {
			p[i] = rng.IntN(r.MaxScore + 1)
		}
		return Ballot{Points: p}
	default: // Dot
		p := make([]int, n)
		for range 1 + rng.IntN(r.Dots) {
			p[rng.IntN(n)]++
		}
		return Ballot{Points: p}
	}
}

func randomBallots(rng *rand.Rand, r Rules, count int) []Ballot {
	out := make([]Ballot, count)
	for i := range out {
		out[i] = randomBallot(rng, r)
	}
	return out
}

// benchRanking is a ranking of 10 options, skewed toward low indices
// (option i is picked with weight (10-i)², among those left) so that the
// leading option passes an STV quota of a quarter and surpluses move; 3 to
// 10 options long, so some ballots exhaust.
func benchRanking(rng *rand.Rand) []int {
	left := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	length := 3 + rng.IntN(8)
	out := make([]int, 0, length)
	for len(out) < length {
		sum := 0
		for _, o := range left {
			sum += (10 - o) * (10 - o)
		}
		x := rng.IntN(sum)
		for i, o := range left {
			if x -= (10 - o) * (10 - o); x < 0 {
				out = append(out, o)
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	return out
}
