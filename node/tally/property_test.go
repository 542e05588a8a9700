package tally

import (
	"bytes"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOrderIndependence: for random ballot sets of every method, Count on
// permutations of the ballots gives byte-identical JSON. Ranked counts run
// with Seats 1 (instant-runoff) and above (STV), and also keep value: in
// every round the votes of the options not yet eliminated plus the
// exhausted value add up to the valid ballots.
func TestOrderIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 7))
	runs := 150
	if testing.Short() {
		runs = 30
	}
	for _, m := range Methods {
		for range runs {
			eligible := 1 + rng.IntN(60)
			r := randomRules(rng, m, eligible)
			if m == Ranked && rng.IntN(2) == 0 {
				r.Seats = 1
			}
			ballots := randomBallots(rng, r, rng.IntN(eligible+1))
			want := countJSON(t, r, ballots)
			for range 4 {
				shuffled := slices.Clone(ballots)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if got := countJSON(t, r, shuffled); !bytes.Equal(got, want) {
					t.Fatalf("%s: order changed the result\nrules %+v\n got %s\nwant %s", m, r, got, want)
				}
			}
			if m == Ranked {
				checkConservation(t, r, ballots)
			}
		}
	}
}

func countJSON(t *testing.T, r Rules, ballots []Ballot) []byte {
	t.Helper()
	b, err := json.Marshal(mustCount(t, r, ballots))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkConservation: no value appears or vanishes in a ranked count.
func checkConservation(t *testing.T, r Rules, ballots []Ballot) {
	t.Helper()
	res := mustCount(t, r, ballots)
	valid := new(big.Rat)
	for _, b := range ballots {
		if b.Position != Abstain {
			valid.Add(valid, big.NewRat(1, 1))
		}
	}
	out := make([]bool, len(r.Options))
	for i, round := range res.Rounds {
		sum, ok := new(big.Rat).SetString(round.Exhausted)
		if !ok {
			t.Fatalf("round %d: exhausted %q", i+1, round.Exhausted)
		}
		for o, v := range round.Votes {
			x, ok := new(big.Rat).SetString(v)
			if !ok || x.Sign() < 0 {
				t.Fatalf("round %d: votes %q", i+1, v)
			}
			if !out[o] {
				sum.Add(sum, x)
			}
		}
		if sum.Cmp(valid) != 0 {
			t.Fatalf("round %d: %s in play, want %s: %s", i+1, sum.RatString(), valid.RatString(), jsonOf(t, res))
		}
		for _, o := range round.Eliminated {
			out[o] = true
		}
	}
	if res.Outcome == OutcomeElected && len(res.Winners) != r.Seats {
		t.Fatalf("%d winners for %d seats: %s", len(res.Winners), r.Seats, jsonOf(t, res))
	}
}
