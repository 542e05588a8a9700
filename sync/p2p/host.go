package p2p

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/quic-go/quic-go"
	"go.uber.org/fx"
	"golang.org/x/crypto/hkdf"

	"github.com/coopnode/coopnode/node/record"
)

// Allower decides whether a peer may complete a connection. The node
// answers from the co-op's state: certified devices of current members.
type Allower interface {
	Allowed(peer.ID) bool
}

// AllowFunc adapts a function to Allower.
type AllowFunc func(peer.ID) bool

func (f AllowFunc) Allowed(p peer.ID) bool { return f(p) }

// Config configures a Host.
type Config struct {
	Device record.Signer // the host's identity
	Allow  Allower
	// Listen addresses; default loopback TCP and QUIC on free ports.
	Listen []string
	// Secret seeds QUIC's stateless-reset and token keys, which libp2p would
	// otherwise derive from the raw private key. Give a stable secret derived
	// from the member's keys (identity's StorageKey); nil means random per run.
	Secret []byte
}

// quicKeys derives QUIC's stateless-reset and token keys from secret.
func quicKeys(secret []byte) (quic.StatelessResetKey, quic.TokenGeneratorKey, error) {
	var rk quic.StatelessResetKey
	var tk quic.TokenGeneratorKey
	if secret == nil {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return rk, tk, err
		}
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("coopnode quic stateless reset key")), rk[:]); err != nil {
		return rk, tk, err
	}
	_, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("coopnode quic token key")), tk[:])
	return rk, tk, err
}

// DefaultListen are loopback TCP and QUIC on free ports.
var DefaultListen = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

// Host is a running libp2p host with member-only gating.
type Host struct {
	host.Host
	gater *gater
}

// New starts a host.
func New(cfg Config) (*Host, error) {
	sk, err := PrivKey(cfg.Device)
	if err != nil {
		return nil, fmt.Errorf("p2p identity: %w", err)
	}
	listen := cfg.Listen
	if listen == nil {
		listen = DefaultListen
	}
	resetKey, tokenKey, err := quicKeys(cfg.Secret)
	if err != nil {
		return nil, err
	}
	g := &gater{allow: cfg.Allow, refused: map[peer.ID]int{}, banned: map[peer.ID]time.Time{}}
	h, err := libp2p.New(
		libp2p.Identity(sk),
		libp2p.ListenAddrStrings(listen...),
		libp2p.ConnectionGater(g),
		libp2p.DisableRelay(),
		// TCP and QUIC only: node-to-node needs no browser transports, and
		// WebRTC's certificate would want the raw key.
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(libp2pquic.NewTransport),
		// Our own QUIC connection manager, so libp2p never asks for the raw key.
		libp2p.QUICReuse(func(lc fx.Lifecycle) (*quicreuse.ConnManager, error) {
			cm, err := quicreuse.NewConnManager(resetKey, tokenKey)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(cm.Close))
			return cm, nil
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("start libp2p host: %w", err)
	}
	g.self = h.ID()
	return &Host{Host: h, gater: g}, nil
}

// Refused returns how many connections each peer had refused by the gater.
func (h *Host) Refused() map[peer.ID]int { return h.gater.snapshot() }

// Ban refuses p until the given time and closes its connections now: for
// a peer that keeps sending records that fail verification.
func (h *Host) Ban(p peer.ID, until time.Time) {
	h.gater.mu.Lock()
	h.gater.banned[p] = until
	h.gater.mu.Unlock()
	h.Network().ClosePeer(p)
}

// Unban lifts p's ban.
func (h *Host) Unban(p peer.ID) {
	h.gater.mu.Lock()
	delete(h.gater.banned, p)
	h.gater.mu.Unlock()
}

// BannedUntil is when p's ban ends (zero if it is not banned).
func (h *Host) BannedUntil(p peer.ID) time.Time {
	h.gater.mu.Lock()
	defer h.gater.mu.Unlock()
	if t := h.gater.banned[p]; time.Now().Before(t) {
		return t
	}
	return time.Time{}
}

// RefusedTotal is the number of refused connections.
func (h *Host) RefusedTotal() int64 { return h.gater.total.Load() }

// gater lets a connection through only once the remote peer's identity is
// proven (the secured stage) and it is allowed.
type gater struct {
	self    peer.ID
	allow   Allower
	total   atomic.Int64
	mu      sync.Mutex
	refused map[peer.ID]int
	banned  map[peer.ID]time.Time
}

func (g *gater) InterceptPeerDial(p peer.ID) bool { return g.allowed(p, false) }

func (g *gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool  { return true }
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) {
	return true, 0
}

// InterceptSecured is where identity is proven: refuse and count here.
func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return g.allowed(p, true)
}

func (g *gater) allowed(p peer.ID, count bool) bool {
	g.mu.Lock()
	until, banned := g.banned[p]
	if banned && !time.Now().Before(until) {
		delete(g.banned, p)
		banned = false
	}
	g.mu.Unlock()
	if !banned && g.allow != nil && g.allow.Allowed(p) {
		return true
	}
	if count {
		g.total.Add(1)
		g.mu.Lock()
		g.refused[p]++
		g.mu.Unlock()
	}
	return false
}

func (g *gater) snapshot() map[peer.ID]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[peer.ID]int, len(g.refused))
	for k, v := range g.refused {
		out[k] = v
	}
	return out
}
