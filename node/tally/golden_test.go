package tally

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/coopnode/coopnode/node/exact"
)

var update = flag.Bool("update", false, "rewrite testdata/results.golden")

// goldenCases span every method and outcome. Their Results, JSON-encoded,
// are in testdata/results.golden: any change to a count, a Why or a Note
// shows up as a diff there, to be reviewed as a change of the rules
// (every node must then run the same version).
func goldenCases() []struct {
	Name    string
	Rules   Rules
	Ballots []Ballot
} {
	food := []string{"Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"}
	abc := []string{"Apples", "Bread", "Cheese"}
	type gc = struct {
		Name    string
		Rules   Rules
		Ballots []Ballot
	}
	base := func(m Method, eligible int, options []string) Rules {
		return Rules{Method: m, Options: options, Eligible: eligible, Quorum: half, Threshold: half, Seats: 1, Dots: 3, MaxScore: 5}
	}
	stv := base(Ranked, 20, food)
	stv.Seats = 3
	twoThirds := base(Majority, 9, nil)
	twoThirds.Threshold = exact.R(2, 3)
	return []gc{
		{"advice", base(Advice, 9, nil), concat(pos(Agree, 4), pos(Abstain, 1))},
		{"consent passed", base(Consent, 9, nil), concat(pos(ConsentP, 5), pos(Abstain, 1))},
		{"consent failed", base(Consent, 9, nil), concat(pos(ConsentP, 5), pos(Object, 1))},
		{"consensus blocked", base(Consensus, 9, nil), concat(pos(Agree, 5), pos(Block, 1))},
		{"consensus passed", base(Consensus, 9, nil), concat(pos(Agree, 3), pos(Disagree, 2), pos(Abstain, 1))},
		{"majority passed", base(Majority, 15, nil), concat(pos(Yes, 7), pos(No, 3), pos(Abstain, 2))},
		{"majority at the threshold", twoThirds, concat(pos(Yes, 4), pos(No, 2))},
		{"majority no quorum", base(Majority, 15, nil), concat(pos(Yes, 7))},
		{"single-choice tie", base(SingleChoice, 9, abc), concat(rank(3, 0), rank(3, 2), rank(1, 1))},
		{"approval", base(Approval, 9, abc), []Ballot{{Choices: []int{0, 1}}, {Choices: []int{1}}, {}, {Choices: []int{1, 2}}, {Position: Abstain}}},
		{"score", base(Score, 9, abc), []Ballot{{Points: []int{5, 0, 3}}, {Points: []int{1, 4, 3}}, {Points: []int{0, 1, 4}}, {Points: []int{2, 2, 2}}, {Points: []int{0, 0, 0}}}},
		{"dot no votes", base(Dot, 9, abc), repeat(5, Ballot{Position: Abstain})},
		{"ranked IRV", base(Ranked, 9, abc), concat(rank(3, 0), rank(2, 1, 0), rank(2, 2, 1))},
		{"ranked STV", stv, concat(rank(4, 0), rank(2, 1, 0), rank(8, 2, 3), rank(4, 2, 4), rank(1, 3), rank(1, 4))},
	}
}

func TestGolden(t *testing.T) {
	type entry struct {
		Name   string `json:"name"`
		Result Result `json:"result"`
	}
	var entries []entry
	for _, gc := range goldenCases() {
		entries = append(entries, entry{gc.Name, mustCount(t, gc.Rules, gc.Ballots)})
	}
	got, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "results.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./node/tally -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("results differ from %s; if the change is intended, run go test ./node/tally -update and review the diff\n got:\n%s", path, got)
	}
}
