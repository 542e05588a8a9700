package coop

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/coopnode/coopnode/node/record"
)

// graphByMaps is newGraph as it was first written, with maps and a heap of
// IDs: the reference the array-based newGraph must agree with.
func graphByMaps(recs []*record.Record) *graph {
	byID := make(map[record.ID]*record.Record, len(recs))
	for _, r := range recs {
		if o, ok := byID[r.ID]; ok {
			r = withSignatures(o, r)
		}
		byID[r.ID] = r
	}
	children := map[record.ID][]record.ID{}
	indeg := map[record.ID]int{}
	pending := map[record.ID]bool{}
	var stack []record.ID
	for id, r := range byID {
		for _, p := range r.Prev {
			if _, ok := byID[p]; ok {
				children[p] = append(children[p], id)
				indeg[id]++
			} else if !pending[id] {
				pending[id] = true
				stack = append(stack, id)
			}
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range children[id] {
			if !pending[c] {
				pending[c] = true
				stack = append(stack, c)
			}
		}
	}
	g := &graph{pos: make(map[record.ID]int32, len(byID)), byAuthor: map[record.PublicKey][]int32{}}
	ready := &idHeap{}
	for id := range byID {
		if !pending[id] && indeg[id] == 0 {
			heap.Push(ready, id)
		}
	}
	for ready.Len() > 0 {
		id := heap.Pop(ready).(record.ID)
		r := byID[id]
		i := int32(len(g.recs))
		g.pos[id] = i
		g.recs = append(g.recs, r)
		g.nodes = append(g.nodes, nodeOf(r))
		g.byAuthor[r.Author] = append(g.byAuthor[r.Author], i)
		for _, c := range children[id] {
			if indeg[c]--; indeg[c] == 0 && !pending[c] {
				heap.Push(ready, c)
			}
		}
	}
	g.prev = make([][]int32, len(g.recs))
	g.children = make([][]int32, len(g.recs))
	for i, r := range g.recs {
		for _, p := range r.Prev {
			j := g.pos[p]
			g.prev[i] = append(g.prev[i], j)
			g.children[j] = append(g.children[j], int32(i))
		}
	}
	g.seen = make([]uint32, len(g.recs))
	g.waiting = map[record.ID]bool{}
	for id := range pending {
		for _, p := range byID[id].Prev {
			if _, ok := byID[p]; !ok {
				g.waiting[p] = true
			}
		}
		g.pending = append(g.pending, id)
	}
	sortIDs(g.pending)
	return g
}

type idHeap []record.ID

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i].Less(h[j]) }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(record.ID)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// randomRecords is a random record set: links to earlier records, to
// records left out (so some wait), repeated records and co-signed copies.
func randomRecords(t *testing.T, rng *rand.Rand, n int) []*record.Record {
	var all, out []*record.Record
	keys := []key{newKey(100), newKey(101), newKey(102)}
	for i := range n {
		var prev []record.ID
		for range rng.IntN(4) {
			if len(all) > 0 {
				prev = append(prev, all[rng.IntN(len(all))].ID)
			}
		}
		if rng.IntN(10) == 0 {
			prev = append(prev, record.ID{byte(i), 0xEE}) // never given
		}
		r, err := record.New(keys[rng.IntN(len(keys))], "test.graph", 1, record.ID{1}, t0, prev, map[string]int{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
		switch rng.IntN(8) {
		case 0: // left out: what relies on it waits
		case 1:
			out = append(out, r, r)
		case 2:
			c, err := r.CoSign(keys[(rng.IntN(2)+1)%3])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r, c) // the signatures add up
		default:
			out = append(out, r)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestNewGraphAsByMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		recs := randomRecords(t, rng, rng.IntN(120))
		got, want := newGraph(recs), graphByMaps(recs)
		// Both keep every co-signature of a record given twice.
		for i := range want.recs {
			if got.recs[i].ID != want.recs[i].ID || !reflect.DeepEqual(got.recs[i].Sigs, want.recs[i].Sigs) {
				t.Fatalf("round %d: record %d differs", round, i)
			}
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"order", len(got.recs), len(want.recs)}, {"nodes", got.nodes, want.nodes}, {"pos", got.pos, want.pos},
			{"prev", got.prev, want.prev}, {"children", got.children, want.children}, {"byAuthor", got.byAuthor, want.byAuthor},
			{"pending", got.pending, want.pending}, {"waiting", got.waiting, want.waiting}, {"seen", len(got.seen), len(want.seen)},
		} {
			empty := func(v any) bool { rv := reflect.ValueOf(v); return rv.Kind() == reflect.Slice && rv.Len() == 0 }
			if !reflect.DeepEqual(c.got, c.want) && !(empty(c.got) && empty(c.want)) {
				t.Fatalf("round %d: %s differs:\n got %v\nwant %v", round, c.name, c.got, c.want)
			}
		}
		// Adding a record appends to its predecessors' children: that must
		// never write into another record's list.
		for j := range got.children {
			if cap(got.children[j]) != len(got.children[j]) {
				t.Fatalf("round %d: children of %d can grow in place", round, j)
			}
		}
		if len(want.recs) > 0 && round%5 == 0 {
			last := want.recs[len(want.recs)-1]
			r, err := record.New(newKey(103), "test.graph", 1, record.ID{1}, t0, []record.ID{last.ID, want.recs[0].ID}, map[string]string{"x": fmt.Sprint(round)})
			if err != nil {
				t.Fatal(err)
			}
			before := slices.Clone(got.children)
			got.add(r)
			for j := range before {
				if !slices.Equal(got.children[j][:len(before[j])], before[j]) {
					t.Fatalf("round %d: adding a record changed the children of %d", round, j)
				}
			}
		}
	}
}
