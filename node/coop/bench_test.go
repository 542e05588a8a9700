package coop

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

// benchWorld builds a co-op of about n records: members admitted by a few
// admins, each admission naming the admitter's certificate and the latest
// record the admitter had seen (as a node naming its heads would), each new
// member certifying a device; some join through requests, and a few devices
// are revoked; at the end an admin resigns.
func benchWorld(b *testing.B, n int) *world {
	w := newWorld(b)
	f := w.founder()
	admins := []MemberID{f}
	for i := range 4 {
		admins = append(admins, w.admit(f, fmt.Sprint("admin ", i), RoleFounder))
	}
	head := w.recs[len(w.recs)-1].ID
	for i := 0; len(w.recs) < n; i++ {
		by := admins[i%len(admins)]
		mk, dk := newKey(w.n), newKey(w.n+1)
		w.n += 2
		at := t0.Add(time.Duration(i) * time.Second)
		var id MemberID
		if i%10 == 0 {
			req := w.add(RequestJoin(mk, dk, w.coop(), fmt.Sprint("joiner ", i), "laptop", "", at))
			adm := w.add(AdmitRequest(w.dkey[by], w.coop(), req, "member", nil, at, w.cert[by], head))
			id = MemberID(adm.ID)
			w.cert[id] = adm.ID
		} else {
			adm := w.add(Admit(w.dkey[by], w.coop(), Profile{Name: fmt.Sprint("member ", i), MemberKey: mk.PublicKey(), Class: "member"}, at, w.cert[by], head))
			id = MemberID(adm.ID)
			w.cert[id] = w.add(CertifyDevice(mk, dk, w.coop(), id, "phone", at, adm.ID)).ID
		}
		w.mkey[id], w.dkey[id] = mk, dk
		head = w.recs[len(w.recs)-1].ID
		if i%500 == 499 { // a member's device is lost and revoked
			w.add(RevokeDevice(mk, w.coop(), id, dk.PublicKey(), "lost", at, w.cert[id]))
		}
	}
	// An admin who signed a quarter of the admissions resigns, having seen them all.
	a := admins[1]
	w.add(Resign(w.mkey[a], w.coop(), a, "", t0, KeyHeads(w.recs, w.mkey[a].PublicKey(), w.dkey[a].PublicKey())...))
	return w
}

var benchLarge = flag.Bool("bench-large", false, "BenchmarkFold also folds 100k records (slow to build)")

func BenchmarkFold(b *testing.B) {
	sizes := []int{5_000, 20_000}
	if *benchLarge {
		sizes = append(sizes, 100_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w := benchWorld(b, n)
			s := Fold(w.coop(), w.recs)
			if len(s.Rejected) != 0 || len(s.Members) < n/3 {
				b.Fatalf("the benchmark co-op is not valid: %d members, rejected %+v", len(s.Members), s.Rejected[:min(3, len(s.Rejected))])
			}
			b.ResetTimer()
			for range b.N {
				Fold(w.coop(), w.recs)
			}
		})
	}
}

// BenchmarkReaches: questions the fold asks about a record's past on a 20k
// record co-op. A direct predecessor is answered without a walk; a record
// not in the past is answered by walking only down to its position.
func BenchmarkReaches(b *testing.B) {
	w := benchWorld(b, 20_000)
	g := newGraph(w.recs)
	last := int32(len(g.recs) - 1)
	for last >= 0 && g.recs[last].Type != TypeDevice {
		last--
	}
	var revocation int32 = -1 // the latest revocation: a side branch, not in later records' past
	for i := last; i >= 0 && revocation < 0; i-- {
		if g.recs[i].Type == TypeRevoked {
			revocation = i
		}
	}
	for _, q := range []struct {
		name         string
		from, target int32
		want         bool
	}{
		{"direct predecessor", last, g.prev[last][0], true},
		{"genesis", last, 0, true},
		{"recent record not in the past", last, revocation, false},
		{"later record", revocation, last, false},
	} {
		b.Run(q.name, func(b *testing.B) {
			if g.reaches(q.from, q.target) != q.want {
				b.Fatal("wrong answer")
			}
			for range b.N {
				g.reaches(q.from, q.target)
			}
		})
	}
}

// TestReaches: the pruned walk answers as a plain walk of all ancestors does.
func TestReaches(t *testing.T) {
	w := cutWorld(t)
	g := newGraph(w.recs)
	n := int32(len(g.recs))
	for from := range n {
		past := map[int32]bool{from: true}
		stack := []int32{from}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, p := range g.prev[i] {
				if !past[p] {
					past[p] = true
					stack = append(stack, p)
				}
			}
		}
		for target := range n {
			if got := g.reaches(from, target); got != past[target] {
				t.Fatalf("reaches(%d, %d) = %v, want %v", from, target, got, past[target])
			}
		}
	}
}
