package invite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/p2p"
)

func sample(t testing.TB) Invite {
	k, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := New(record.ID{1, 2, 3}, k.DeviceKey(), []ma.Multiaddr{
		ma.StringCast("/ip4/192.168.1.20/tcp/4001"), ma.StringCast("/ip4/192.168.1.20/udp/4001/quic-v1")},
		time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestRoundTrip(t *testing.T) {
	inv := sample(t)
	s := inv.String()
	if len(s) > 260 {
		t.Errorf("invite of %d characters; it should stay short enough to read and scan", len(s))
	}
	// Pasted with line breaks and in lower case, it still reads.
	mangled := strings.ToLower(s[:40]) + "\n  " + s[40:]
	got, err := Parse(mangled)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != s || got.ID() != inv.ID() || got.PublicKey() != inv.PublicKey() {
		t.Fatalf("round trip changed the invite:\n%s\n%s", s, got.String())
	}
}

func TestParseRefuses(t *testing.T) {
	s := sample(t).String()
	flip := []byte(s)
	if flip[30] == 'A' {
		flip[30] = 'B'
	} else {
		flip[30] = 'A'
	}
	for name, text := range map[string]string{
		"empty":         "",
		"other prefix":  "HELLO" + s[len(Prefix):],
		"cut short":     s[:len(s)-10],
		"one char off":  string(flip),
		"bad character": s[:20] + "!" + s[21:],
	} {
		if _, err := Parse(text); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Every single-character change is caught.
	for i := len(Prefix); i < len(s); i++ {
		b := []byte(s)
		b[i] = "AB"[map[bool]int{true: 1}[b[i] == 'A']]
		if _, err := Parse(string(b)); err == nil {
			t.Fatalf("changing character %d went unnoticed", i)
		}
	}
}

func TestExpiry(t *testing.T) {
	inv := sample(t)
	if err := inv.CheckTime(inv.Expires.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := inv.CheckTime(inv.Expires); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample(f).String())
	f.Add(Prefix + "AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		inv, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not ErrMalformed: %v", err)
			}
			return
		}
		again, err := Parse(inv.String())
		if err != nil || again.String() != inv.String() {
			t.Fatalf("parse->string->parse changed it: %v", err)
		}
	})
}

var cheap = &identity.Params{Time: 1, MemoryK: 64, Threads: 1}

// inviter is a founded node with a real host answering joins.
type inviter struct {
	n     *node.Node
	h     *p2p.Host
	k     *Keeper
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newInviter(t *testing.T) *inviter {
	n, err := node.Init(filepath.Join(t.TempDir(), "ada"), "Ada", "Riverside", []byte("pass"), node.Options{KDF: cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c := &clock{t: time.Now()}
	k, err := NewKeeper(n.Local("invites"), n.CoopID(), func(r *record.Record) error { return n.Put(r) }, c.now)
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(p2p.Config{Device: n.Device(), Allow: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	h.SetStreamHandler(Protocol, k.Handle(func() string { return "Riverside" }))
	return &inviter{n: n, h: h, k: k, clock: c}
}

func (iv *inviter) invite(t *testing.T, ttl time.Duration) Invite {
	inv, err := iv.k.Issue(iv.n.DeviceKey(), iv.h.Addrs(), ttl)
	if err != nil {
		t.Fatal(err)
	}
	// What the joiner gets is the text.
	got, err := Parse(inv.String())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func joiner(t *testing.T, inv Invite, name string) (*node.Node, *record.Record) {
	n, err := node.Join(filepath.Join(t.TempDir(), name), inv.Coop, []byte("pass"), node.Options{KDF: cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	req, err := n.RequestJoin(name, inv.ID())
	if err != nil {
		t.Fatal(err)
	}
	return n, req
}

func TestJoinExchange(t *testing.T) {
	iv := newInviter(t)
	ctx := context.Background()

	inv := iv.invite(t, time.Hour)
	_, req := joiner(t, inv, "Bo")
	rep, err := Send(ctx, inv, req)
	if err != nil || !rep.OK || rep.Request != req.ID || rep.Coop != "Riverside" {
		t.Fatalf("join: %+v, %v", rep, err)
	}
	if !iv.n.Has(req.ID) {
		t.Fatal("the inviter did not store the request")
	}
	if got := iv.n.JoinRequests(); len(got) != 1 || got[0].Admitted {
		t.Fatalf("pending requests: %+v", got)
	}
	// Sending the same request again is harmless (a retry after a lost answer).
	if rep, err := Send(ctx, inv, req); err != nil || !rep.OK {
		t.Fatalf("retry: %+v, %v", rep, err)
	}

	t.Run("reused", func(t *testing.T) {
		_, other := joiner(t, inv, "Cy")
		if _, err := Send(ctx, inv, other); !errors.Is(err, ErrUsed) {
			t.Fatalf("second person on one invite: %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		inv := iv.invite(t, time.Minute)
		_, req := joiner(t, inv, "Di")
		iv.clock.add(2 * time.Minute) // the inviter's clock says it is over
		if _, err := Send(ctx, inv, req); !errors.Is(err, ErrExpired) {
			t.Fatalf("expired invite: %v", err)
		}
	})
	t.Run("forged", func(t *testing.T) {
		good := iv.invite(t, time.Hour)
		forged := good
		forged.Secret[0] ^= 1
		_, req := joiner(t, forged, "Eve")
		if _, err := Send(ctx, forged, req); !errors.Is(err, ErrUnknown) {
			t.Fatalf("forged invite: %v", err)
		}
		pid, _ := p2p.PeerID(forged.PublicKey())
		if iv.h.Refused()[pid] == 0 {
			t.Fatal("the forged invite's holder was not refused at the handshake")
		}
	})
	t.Run("expired at the joiner", func(t *testing.T) {
		inv := sample(t)
		inv.Expires = time.Now().Add(-time.Minute)
		if _, err := Send(ctx, inv, req); !errors.Is(err, ErrExpired) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("invite holder cannot sync", func(t *testing.T) {
		// The invite key opens the join protocol only: the node's own
		// handlers check membership, the gater only lets it connect.
		if iv.n.DeviceAllowed(inv.PublicKey()) {
			t.Fatal("an invite key is allowed to sync")
		}
	})
}
