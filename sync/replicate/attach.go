package replicate

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

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
}

// Service is a node's libp2p host and its replicator, running as the
// node's background work.
type Service struct {
	Host       *p2p.Host
	Replicator *Replicator
}

// BookNamespace is where a node keeps its peers' progress (node.Local).
const BookNamespace = "peers"

// Attach starts a libp2p host on n's device key, gated to the devices n
// allows, and replicates n's records over it until n is closed. n must be
// started.
func Attach(n *node.Node, o Options) (*Service, error) {
	h, err := p2p.New(p2p.Config{
		Device: n.Device(),
		Allow: p2p.AllowFunc(func(p peer.ID) bool {
			k, err := p2p.PublicKey(p)
			return err == nil && n.DeviceAllowed(k)
		}),
		Listen: o.Listen,
		Secret: n.Secret("libp2p quic"),
	})
	if err != nil {
		return nil, err
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
