package p2p

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
)

// set is a mutable allow list for tests.
type set map[peer.ID]bool

func (s set) Allowed(p peer.ID) bool { return s[p] }

func device(t *testing.T) record.Signer {
	k, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k.Device()
}

func newHost(t *testing.T, d record.Signer, allow set) *Host {
	h, err := New(Config{Device: d, Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestMemberOnly: three real hosts on loopback; only allowed peers connect,
// over TCP and QUIC alike; others are refused during the handshake and counted.
func TestMemberOnly(t *testing.T) {
	da, db, dc := device(t), device(t), device(t)
	ida, _ := PeerID(da.PublicKey())
	idb, _ := PeerID(db.PublicKey())
	idc, _ := PeerID(dc.PublicKey())
	a := newHost(t, da, set{idb: true})
	b := newHost(t, db, set{ida: true})
	c := newHost(t, dc, set{ida: true}) // C thinks A is a friend; A does not know C
	if a.ID() != ida {
		t.Fatalf("host ID %s is not the device key's peer ID %s", a.ID(), ida)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const proto = "/coopnode/test/1"
	var reached atomic.Int32 // streams A accepted, by remote
	var fromC atomic.Int32
	a.SetStreamHandler(proto, func(s network.Stream) {
		reached.Add(1)
		if s.Conn().RemotePeer() == idc {
			fromC.Add(1)
		}
		s.Close()
	})
	for _, addr := range a.Addrs() {
		info := peer.AddrInfo{ID: a.ID(), Addrs: []ma.Multiaddr{addr}}
		if err := b.Connect(ctx, info); err != nil {
			t.Fatalf("member B to A over %s: %v", addr, err)
		}
		s, err := b.NewStream(ctx, a.ID(), proto)
		if err != nil {
			t.Fatalf("member B opening a stream to A over %s: %v", addr, err)
		}
		s.Close()
		b.Network().ClosePeer(a.ID())
		// The dialer may finish its half of the handshake before A refuses;
		// what matters is that it never gets a working connection.
		_ = c.Connect(ctx, info)
		sctx, scancel := context.WithTimeout(ctx, 3*time.Second)
		if s, err := c.NewStream(sctx, a.ID(), proto); err == nil {
			if _, err := s.Write([]byte("hi")); err == nil {
				if _, err := s.Read(make([]byte, 1)); err == nil {
					t.Fatalf("non-member C talked to A over %s", addr)
				}
			}
			s.Reset()
		}
		scancel()
		c.Network().ClosePeer(a.ID())
		c.Peerstore().ClearAddrs(a.ID())
	}
	if fromC.Load() != 0 || reached.Load() < int32(len(a.Addrs())) {
		t.Fatalf("A accepted %d streams from C and %d in all", fromC.Load(), reached.Load())
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.Refused()[idc] < len(a.Addrs()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := a.Refused()[idc]; got < len(a.Addrs()) {
		t.Fatalf("A counted %d refusals of C, want at least %d", got, len(a.Addrs()))
	}
	if a.Refused()[idb] != 0 {
		t.Fatal("A refused member B")
	}
	for _, p := range a.Network().Peers() {
		if p == idc {
			t.Fatal("C is among A's peers")
		}
	}
	// Outbound too: A will not dial someone it does not allow.
	if err := a.Connect(ctx, peer.AddrInfo{ID: c.ID(), Addrs: c.Addrs()}); err == nil {
		t.Fatal("A dialled non-member C")
	}
}

func TestKeyNotExportable(t *testing.T) {
	sk, err := PrivKey(device(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sk.Raw(); err != ErrKeyNotExportable {
		t.Fatalf("Raw() = %v", err)
	}
	sig, _ := sk.Sign([]byte("m"))
	if ok, err := sk.GetPublic().Verify([]byte("m"), sig); !ok || err != nil {
		t.Fatal("libp2p cannot verify the adapter's signature")
	}
}
