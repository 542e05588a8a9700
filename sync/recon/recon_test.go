package recon

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

func id(n uint64) record.ID {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	return sha256.Sum256(b[:])
}

// run reconciles a (initiator) with b and returns what a must send (its Have)
// and what a must receive (its Need, plus what b sends unasked: b's Have),
// after checking that what b must send and receive is the mirror image. It
// also returns the rounds (messages each way) and the bytes sent both ways.
func run(t testing.TB, a, b []record.ID) (have, need []record.ID, rounds, bytes int) {
	ia, rb := New(a, true), New(b, false)
	msg := ia.Initiate()
	for rounds = 1; ; rounds++ {
		if rounds > 50 {
			t.Fatal("reconciliation does not terminate")
		}
		bytes += len(msg)
		reply, err := rb.Step(msg)
		if err != nil {
			t.Fatal(err)
		}
		bytes += len(reply)
		msg, err = ia.Step(reply)
		if err != nil {
			t.Fatal(err)
		}
		if msg == nil {
			have = sortedCopy(ia.Have)
			need = sortedCopy(append(slices.Clone(ia.Need), rb.Have...))
			// b is sent exactly what it asked for in its Want ranges: a subset of a's Have.
			for _, x := range rb.Need {
				if _, ok := slices.BinarySearchFunc(have, x, record.CompareIDs); !ok {
					t.Fatalf("b wanted %s, which a does not send", x.Short())
				}
			}
			if len(need) != len(slices.Compact(slices.Clone(need))) {
				t.Fatal("an ID both asked for and sent unasked")
			}
			return have, need, rounds, bytes
		}
	}
}

// difference returns a − b, sorted.
func difference(a, b []record.ID) []record.ID {
	in := map[record.ID]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []record.ID
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	out = slices.Compact(sortedCopy(out))
	return out
}

func sortedCopy(ids []record.ID) []record.ID {
	c := slices.Clone(ids)
	slices.SortFunc(c, record.CompareIDs)
	return c
}

func TestReconcile(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		shared, onlyA, onlyB int
	}{
		{"both empty", 0, 0, 0},
		{"a empty", 0, 0, 500},
		{"b empty", 0, 500, 0},
		{"equal small", 10, 0, 0},
		{"equal large", 20000, 0, 0},
		{"one each", 1000, 1, 1},
		{"small diff in large set", 50000, 30, 20},
		{"disjoint", 0, 3000, 3000},
		{"mostly different", 100, 2000, 500},
		{"new member", 2, 0, 50000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b []record.ID
			n := uint64(0)
			for range tc.shared {
				a, b = append(a, id(n)), append(b, id(n))
				n++
			}
			for range tc.onlyA {
				a = append(a, id(n))
				n++
			}
			for range tc.onlyB {
				b = append(b, id(n))
				n++
			}
			have, need, rounds, bytes := run(t, a, b)
			if !slices.Equal(have, difference(a, b)) || !slices.Equal(need, difference(b, a)) {
				t.Fatalf("have %d (want %d), need %d (want %d)", len(have), tc.onlyA, len(need), tc.onlyB)
			}
			t.Logf("%d shared, %d+%d differ: %d rounds, %d bytes", tc.shared, tc.onlyA, tc.onlyB, rounds, bytes)
			// A side that holds (almost) nothing costs (almost) no IDs on the
			// wire: the other side sends the records it lacks unasked.
			if tc.shared+tc.onlyA <= ListMax && bytes > 40*(tc.shared+tc.onlyA)+8 {
				t.Errorf("%d bytes of reconciliation for a side holding %d IDs", bytes, tc.shared+tc.onlyA)
			}
		})
	}
}

// TestRandomSets: any two sets reconcile to their exact difference.
func TestRandomSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		universe := rng.IntN(3000) + 1
		var a, b []record.ID
		for i := range universe {
			switch rng.IntN(4) {
			case 0:
				a = append(a, id(uint64(i)))
			case 1:
				b = append(b, id(uint64(i)))
			default:
				a, b = append(a, id(uint64(i))), append(b, id(uint64(i)))
			}
		}
		if rng.IntN(5) == 0 { // duplicates in the input are harmless
			a = append(a, a[:len(a)/3]...)
		}
		have, need, _, _ := run(t, a, b)
		if !slices.Equal(have, difference(a, b)) || !slices.Equal(need, difference(b, a)) {
			t.Fatalf("trial %d: wrong difference", trial)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	s := New([]record.ID{id(1), id(2)}, false)
	good := New([]record.ID{id(1)}, true).Initiate()
	for name, msg := range map[string][]byte{
		"unknown mode":      {0xff, 9},
		"truncated":         good[:len(good)-3],
		"bad bound length":  {40, 1},
		"after infinity":    append(append([]byte{}, good...), good...),
		"descending":        {1, 0x80, modeSkip, 1, 0x10, modeSkip},
		"too many ids":      {0xff, modeIDs, 0xff, 0xff, 0x03},
		"want to responder": {0xff, modeWant, 0},
	} {
		if _, err := s.Step(msg); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestWantMustBeMine: the initiator refuses a Want naming IDs it never listed.
func TestWantMustBeMine(t *testing.T) {
	s := New([]record.ID{id(1), id(2)}, true)
	msg := append([]byte{0xff, modeWant, 1}, func() []byte { x := id(3); return x[:] }()...)
	if _, err := s.Step(msg); !errors.Is(err, ErrProtocol) {
		t.Fatalf("want of an unknown ID: %v", err)
	}
	msg = append([]byte{0xff, modeWant, 1}, func() []byte { x := id(2); return x[:] }()...)
	if _, err := s.Step(msg); err != nil || len(s.Have) != 1 || s.Have[0] != id(2) {
		t.Fatalf("want of a listed ID: %v, have %v", err, s.Have)
	}
}

func FuzzStep(f *testing.F) {
	f.Add(New([]record.ID{id(1), id(2)}, true).Initiate())
	f.Fuzz(func(t *testing.T, msg []byte) {
		var ids []record.ID
		for i := range 100 {
			ids = append(ids, id(uint64(i)))
		}
		for _, init := range []bool{true, false} {
			if _, err := New(ids, init).Step(msg); err != nil && !errors.Is(err, ErrProtocol) {
				t.Fatal(err)
			}
		}
	})
}

// BenchmarkReconcile: 100k IDs each, 100 differing each way (the figure RECIPES
// gives for the Negentropy library: 4 rounds, 132 KB, 69 ms).
func BenchmarkReconcile(b *testing.B) {
	var x, y []record.ID
	for i := range 100_000 {
		x, y = append(x, id(uint64(i))), append(y, id(uint64(i)))
	}
	for i := range 100 {
		x = append(x, id(uint64(1_000_000+i)))
		y = append(y, id(uint64(2_000_000+i)))
	}
	var rounds, bytes int
	for b.Loop() {
		_, _, rounds, bytes = run(b, x, y)
	}
	b.ReportMetric(float64(rounds), "rounds")
	b.ReportMetric(float64(bytes), "bytes")
	b.ReportMetric(float64(bytes)/200, "bytes/differing-ID")
}
