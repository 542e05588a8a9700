package replicate

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/sync/p2p"
)

// Options for Attach. Zero values take the defaults of Config.
type Options struct {
	Listen   []string // libp2p listen addresses (default: loopback TCP and QUIC, free ports)
	Interval time.Duration
	Redial   time.Duration
	BanAfter int
	BanFor   time.Duration
	Log      *slog.Logger
	// AlsoAllow lets more peers complete a connection than the node's
	// devices (an invite keeper's open invites); streams still check.
	AlsoAllow func(peer.ID) bool
}

// Service is a node's libp2p host and its replicator, running as the
// node's background work.
type Service struct {
	Host       *p2p.Host
	Replicator *Replicator
}

// sameHosts: the saved addresses are the wanted ones with ports chosen
// (port 0 in want became a real port), so reusing them honours want.
func sameHosts(saved, want []string) bool {
	if want == nil {
		want = p2p.DefaultListen
	}
	if len(saved) != len(want) {
		return false
	}
	for i := range saved {
		a, err1 := ma.NewMultiaddr(saved[i])
		b, err2 := ma.NewMultiaddr(want[i])
		if err1 != nil || err2 != nil || !samePortless(a, b) {
			return false
		}
	}
	return true
}

// samePortless compares addresses with their port values ignored.
func samePortless(a, b ma.Multiaddr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Code() != b[i].Code() {
			return false
		}
		if c := a[i].Code(); c != ma.P_TCP && c != ma.P_UDP && a[i].Value() != b[i].Value() {
			return false
		}
	}
	return true
}

// Remember writes peers' addresses (with /p2p/) into a node's book, for a
// replicator that is not running yet (a joiner's inviter, say).
func Remember(b Book, addrs ...ma.Multiaddr) error {
	infos, err := peer.AddrInfosFromP2pAddrs(addrs...)
	if err != nil {
		return fmt.Errorf("peer address: %w", err)
	}
	for _, ai := range infos {
		var s savedPeer
		if v, err := b.Get(ai.ID.String()); err == nil {
			json.Unmarshal(v, &s)
		}
		for _, a := range ai.Addrs {
			if !slices.Contains(s.Addrs, a.String()) {
				s.Addrs = append(s.Addrs, a.String())
			}
		}
		v, _ := json.Marshal(s)
		if err := b.Set(ai.ID.String(), v); err != nil {
			return err
		}
	}
	return nil
}

// BookNamespace is where a node keeps its peers' progress (node.Local).
const BookNamespace = "peers"

// Attach starts a libp2p host on n's device key, gated to the devices n
// allows, and replicates n's records over it until n is closed. n must be
// started.
func Attach(n *node.Node, o Options) (*Service, error) {
	cfg := p2p.Config{
		Device: n.Device(),
		Allow: p2p.AllowFunc(func(p peer.ID) bool {
			if o.AlsoAllow != nil && o.AlsoAllow(p) {
				return true
			}
			k, err := p2p.PublicKey(p)
			return err == nil && n.DeviceAllowed(k)
		}),
		Listen: o.Listen,
		Secret: n.Secret("libp2p quic"),
	}
	// Listen where we listened last time, when the ports are free: peers
	// and invites remember our addresses.
	net := n.Local("p2p")
	var last []string
	if b, err := net.Get("listen"); err == nil && json.Unmarshal(b, &last) == nil && len(last) > 0 && sameHosts(last, o.Listen) {
		cfg.Listen = last
	}
	h, err := p2p.New(cfg)
	if err != nil && cfg.Listen != nil && !slices.Equal(cfg.Listen, o.Listen) {
		cfg.Listen = o.Listen
		h, err = p2p.New(cfg)
	}
	if err != nil {
		return nil, err
	}
	var now []string
	for _, a := range h.Network().ListenAddresses() {
		now = append(now, a.String())
	}
	if b, err := json.Marshal(now); err == nil {
		net.Set("listen", b)
	}
	r := New(Config{Host: h, Store: n, Book: n.Local(BookNamespace), Interval: o.Interval, Redial: o.Redial,
		BanAfter: o.BanAfter, BanFor: o.BanFor, Log: o.Log})
	err = n.Go(func(ctx context.Context) error {
		defer h.Close()
		if err := r.Run(ctx); err != nil {
			return fmt.Errorf("replication: %w", err)
		}
		return nil
	})
	if err != nil {
		h.Close()
		return nil, err
	}
	return &Service{Host: h, Replicator: r}, nil
}
