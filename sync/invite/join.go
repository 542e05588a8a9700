package invite

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/p2p"
)

// Protocol is the join exchange.
const Protocol protocol.ID = "/coopnode/join/1"

// grace keeps an expired or used invite's key let through the gater a
// while, so its holder hears why it no longer works rather than a refusal.
const grace = 24 * time.Hour

const maxRequest = 64 << 10

// Issued is what an inviter keeps of an invite it gave out.
type Issued struct {
	ID      string    `json:"id"`
	Peer    peer.ID   `json:"peer"` // the peer ID its holder connects with
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Used    time.Time `json:"used,omitzero"`
	Request record.ID `json:"request,omitzero"` // the join request it brought
}

// Book persists issued invites (node.Local is one).
type Book interface {
	Set(key string, value []byte) error
	Each(fn func(key string, value []byte) error) error
}

// Keeper issues invites and answers join requests on the inviter's host.
type Keeper struct {
	book   Book
	coop   record.ID
	accept func(req *record.Record) error
	now    func() time.Time

	mu     sync.Mutex
	issued map[string]*Issued
}

// NewKeeper loads the invites issued so far. accept stores a valid join
// request (the node's Put); now is the clock (nil: time.Now).
func NewKeeper(book Book, coopID record.ID, accept func(*record.Record) error, now func() time.Time) (*Keeper, error) {
	if now == nil {
		now = time.Now
	}
	k := &Keeper{book: book, coop: coopID, accept: accept, now: now, issued: map[string]*Issued{}}
	err := book.Each(func(key string, v []byte) error {
		var is Issued
		if json.Unmarshal(v, &is) == nil && is.ID == key {
			k.issued[key] = &is
		}
		return nil
	})
	return k, err
}

// Issue makes an invite to this node (device key inviter, listening at
// addrs) valid for ttl, and remembers it.
func (k *Keeper) Issue(inviter record.PublicKey, addrs []ma.Multiaddr, ttl time.Duration) (Invite, error) {
	if ttl <= 0 || ttl > 30*24*time.Hour {
		return Invite{}, fmt.Errorf("invite: choose a validity between a minute and 30 days (got %s)", ttl)
	}
	inv, err := New(k.coop, inviter, addrs, k.now().Add(ttl))
	if err != nil {
		return inv, err
	}
	pid, err := p2p.PeerID(inv.PublicKey())
	if err != nil {
		return inv, err
	}
	is := &Issued{ID: inv.ID(), Peer: pid, Created: k.now().UTC().Truncate(time.Second), Expires: inv.Expires}
	if err := k.save(is); err != nil {
		return inv, fmt.Errorf("invite: %w", err)
	}
	return inv, nil
}

func (k *Keeper) save(is *Issued) error {
	b, err := json.Marshal(is)
	if err != nil {
		return err
	}
	if err := k.book.Set(is.ID, b); err != nil {
		return err
	}
	k.mu.Lock()
	k.issued[is.ID] = is
	k.mu.Unlock()
	return nil
}

// Issued lists the invites given out, newest first.
func (k *Keeper) Issued() []Issued {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]Issued, 0, len(k.issued))
	for _, is := range k.issued {
		out = append(out, *is)
	}
	slices.SortFunc(out, func(a, b Issued) int { return b.Created.Compare(a.Created) })
	return out
}

// Allowed lets through, at the handshake, the holder of an invite that is
// open (or recently closed, so that it hears why).
func (k *Keeper) Allowed(p peer.ID) bool {
	return k.find(p) != nil
}

func (k *Keeper) find(p peer.ID) *Issued {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	for _, is := range k.issued {
		if is.Peer == p && now.Before(is.Expires.Add(grace)) {
			c := *is
			return &c
		}
	}
	return nil
}

// Reply is the inviter's answer to a join request.
type Reply struct {
	OK      bool      `json:"ok"`
	Request record.ID `json:"request,omitzero"`
	Coop    string    `json:"coop,omitempty"`  // the co-op's name
	Error   string    `json:"error,omitempty"` // "expired", "used", "invalid"
	Message string    `json:"message,omitempty"`
}

// Handle answers one join exchange: the stream's peer must hold an issued
// invite, and sends one join request signed by the joiner's member key.
// coopName names the co-op in the answer.
func (k *Keeper) Handle(coopName func() string) network.StreamHandler {
	return func(s network.Stream) {
		defer s.Close()
		s.SetDeadline(time.Now().Add(30 * time.Second))
		rep := k.answer(s)
		rep.Coop = coopName()
		b, _ := json.Marshal(rep)
		s.Write(b)
	}
}

func (k *Keeper) answer(s network.Stream) Reply {
	is := k.find(s.Conn().RemotePeer())
	if is == nil {
		return Reply{Error: "unknown", Message: ErrUnknown.Error()}
	}
	raw, err := readRequest(bufio.NewReader(s))
	if err != nil {
		return Reply{Error: "invalid", Message: err.Error()}
	}
	req, err := record.Decode(raw)
	if err != nil {
		return Reply{Error: "invalid", Message: "the join request does not verify: " + err.Error()}
	}
	var j coop.JoinRequest
	switch {
	case req.Type != coop.TypeJoinRequest:
		return Reply{Error: "invalid", Message: fmt.Sprintf("sent a %s, not a join request", req.Type)}
	case req.Coop != k.coop:
		return Reply{Error: "invalid", Message: "the join request is for another co-op"}
	case req.DecodeBody(&j) != nil:
		return Reply{Error: "invalid", Message: "the join request's body is malformed"}
	case j.Invite != is.ID:
		return Reply{Error: "invalid", Message: "the join request names another invite"}
	case !k.now().Before(is.Expires):
		return Reply{Error: "expired", Message: fmt.Sprintf("%s (at %s): ask a member for a new one", ErrExpired, is.Expires.Format(time.RFC3339))}
	case !is.Used.IsZero() && is.Request != req.ID:
		return Reply{Error: "used", Message: fmt.Sprintf("%s (at %s): each invite admits one person; ask a member for a new one", ErrUsed, is.Used.Format(time.RFC3339))}
	}
	if err := k.accept(req); err != nil {
		return Reply{Error: "invalid", Message: "the inviter could not store the request: " + err.Error()}
	}
	if is.Used.IsZero() {
		is.Used, is.Request = k.now().UTC().Truncate(time.Second), req.ID
		if err := k.save(is); err != nil {
			return Reply{Error: "invalid", Message: "the inviter could not record the invite as used: " + err.Error()}
		}
	}
	return Reply{OK: true, Request: req.ID}
}

func readRequest(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 || n > maxRequest {
		return nil, errors.New("a join request of a bad length")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, errors.New("the join request was cut short")
	}
	return b, nil
}

// Send delivers join request req to the inviter of inv, from a short-lived
// host whose identity is the invite's key, and returns the inviter's
// reply. Errors wrap ErrExpired, ErrUsed, ErrUnknown or ErrMalformed when
// the inviter says so.
func Send(ctx context.Context, inv Invite, req *record.Record) (Reply, error) {
	if err := inv.CheckTime(time.Now()); err != nil {
		return Reply{}, err
	}
	inviter, err := p2p.PeerID(inv.Inviter)
	if err != nil {
		return Reply{}, err
	}
	h, err := p2p.New(p2p.Config{Device: inv.Signer(), Listen: []string{},
		Allow: p2p.AllowFunc(func(p peer.ID) bool { return p == inviter })})
	if err != nil {
		return Reply{}, err
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := h.Connect(ctx, peer.AddrInfo{ID: inviter, Addrs: inv.Addrs}); err != nil {
		return Reply{}, fmt.Errorf("could not reach the inviter at %v: is their coopnode running and reachable from here? (%v)", inv.Addrs, err)
	}
	s, err := h.NewStream(ctx, inviter, Protocol)
	if err != nil {
		return Reply{}, fmt.Errorf("%w: the inviter refused the connection (a forged or withdrawn invite, or one that expired over a day ago): %v", ErrUnknown, err)
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(30 * time.Second))
	raw := req.Bytes()
	if _, err := s.Write(append(binary.AppendUvarint(nil, uint64(len(raw))), raw...)); err != nil {
		return Reply{}, fmt.Errorf("send the join request: %w", err)
	}
	s.CloseWrite()
	b, err := io.ReadAll(io.LimitReader(s, 64<<10))
	if err != nil {
		return Reply{}, fmt.Errorf("read the inviter's answer: %w", err)
	}
	var rep Reply
	if err := json.Unmarshal(b, &rep); err != nil {
		return Reply{}, fmt.Errorf("the inviter's answer is unreadable: %v", err)
	}
	if !rep.OK {
		sentinel := map[string]error{"expired": ErrExpired, "used": ErrUsed, "unknown": ErrUnknown}[rep.Error]
		if sentinel == nil {
			return rep, fmt.Errorf("the inviter refused the request: %s", rep.Message)
		}
		return rep, fmt.Errorf("%w%s", sentinel, strings.TrimPrefix(rep.Message, sentinel.Error()))
	}
	return rep, nil
}
