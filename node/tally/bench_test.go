package tally

import (
	"math/rand/v2"
	"testing"
)

// benchRanked is 2,000 ranked ballots over 10 options (benchRanking: skewed
// preferences, 3 to 10 options long), from a fixed seed.
func benchRanked(seats int) (Rules, []Ballot) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := Rules{Method: Ranked, Options: names(10), Eligible: 2000, Quorum: half, Threshold: half, Seats: seats}
	ballots := make([]Ballot, 2000)
	for i := range ballots {
		ballots[i] = Ballot{Choices: benchRanking(rng)}
	}
	return r, ballots
}

func benchCount(b *testing.B, r Rules, ballots []Ballot) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Count(r, ballots); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIRV2000(b *testing.B) {
	r, ballots := benchRanked(1)
	benchCount(b, r, ballots)
}

func BenchmarkSTV2000(b *testing.B) {
	r, ballots := benchRanked(3)
	benchCount(b, r, ballots)
}

func BenchmarkMajority10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := Rules{Method: Majority, Eligible: 12000, Quorum: half, Threshold: half}
	choices := []string{Yes, No, Abstain}
	ballots := make([]Ballot, 10000)
	for i := range ballots {
		ballots[i] = Ballot{Position: choices[rng.IntN(3)]}
	}
	benchCount(b, r, ballots)
}
