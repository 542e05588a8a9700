package tally

import (
	"encoding/json"
	"testing"

	"github.com/coopnode/coopnode/node/exact"
)

// repeat returns n copies of b.
func repeat(n int, b Ballot) []Ballot {
	out := make([]Ballot, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// concat joins ballot groups.
func concat(groups ...[]Ballot) []Ballot {
	var out []Ballot
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func pos(p string, n int) []Ballot  { return repeat(n, Ballot{Position: p, Reason: "because"}) }
func rank(n int, c ...int) []Ballot { return repeat(n, Ballot{Choices: c}) }

func mustCount(t testing.TB, r Rules, ballots []Ballot) Result {
	t.Helper()
	res, err := Count(r, ballots)
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return res
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ratio(n, d int64) *exact.Ratio { r := exact.R(n, d); return &r }

var half = exact.R(1, 2)
