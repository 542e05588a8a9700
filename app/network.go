package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/invite"
	"github.com/coopnode/coopnode/sync/p2p"
	"github.com/coopnode/coopnode/sync/replicate"
)

// ErrNoNetwork: the call needs the node's network, which runs only in a
// long-running node (the window or `coopnode serve`).
var ErrNoNetwork = errors.New("this needs a running node: open the window or run `coopnode serve`, then try again")

// network is what a running node adds: its libp2p host, replication and invites.
type network struct {
	svc    *replicate.Service
	keeper *invite.Keeper
}

// EnableNetwork makes every node this Core opens join the co-op's network
// (replication, invites), with o's settings. Call it before Unlock/Found/Join.
func (c *Core) EnableNetwork(o replicate.Options) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.netOpts = &o
}

// attach starts the network for n, if enabled. It runs from become, with c.mu held.
func (c *Core) attach(n *node.Node) error {
	if c.netOpts == nil {
		return nil
	}
	k, err := invite.NewKeeper(n.Local("invites"), n.CoopID(), func(r *record.Record) error { return n.Put(r) }, nil)
	if err != nil {
		return fmt.Errorf("load invites: %w", err)
	}
	o := *c.netOpts
	o.AlsoAllow = k.Allowed
	svc, err := replicate.Attach(n, o)
	if err != nil {
		return fmt.Errorf("start the network: %w", err)
	}
	svc.Host.SetStreamHandler(invite.Protocol, k.Handle(func() string { return n.State().Name }))
	c.net = &network{svc: svc, keeper: k}
	slog.Info("network up", "peer", svc.Host.ID(), "addrs", svc.Host.Addrs())
	return nil
}

func (c *Core) network() *network {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.net
}

// Join creates an identity in this (empty) home for the co-op of invite
// text inv, sends the inviter a join request signed with it, and keeps the
// node open, waiting to be admitted. Run again on the same home, it sends
// the same request again (after an unreachable inviter, say).
func (c *Core) Join(text, name string, passphrase []byte) (JoinView, error) {
	inv, err := invite.Parse(text)
	if err != nil {
		return JoinView{}, invalidErr(err)
	}
	if err := inv.CheckTime(time.Now()); err != nil {
		return JoinView{}, invalidErr(err)
	}
	if n := c.Node(); n == nil {
		if node.Initialized(c.home) {
			err = c.Unlock(passphrase)
		} else {
			err = c.become(false, func(o node.Options) (*node.Node, error) { return node.Join(c.home, inv.Coop, passphrase, o) })
		}
		if err != nil {
			return JoinView{}, err
		}
	}
	n := c.Node()
	if n.CoopID() != inv.Coop {
		return JoinView{}, fmt.Errorf("%w: this home already belongs to another co-op (%s); use another --home to join this one", node.ErrAlreadyInitialized, n.CoopID().Short())
	}
	if n.Admitted() {
		return JoinView{}, fmt.Errorf("%w: you are already a member of %s", node.ErrAlreadyInitialized, n.State().Name)
	}
	var req *record.Record
	for _, r := range n.OwnJoinRequests() {
		if r.Body.Invite == inv.ID() {
			req = r.Record
		}
	}
	if req == nil {
		if name = strings.TrimSpace(name); name == "" {
			return JoinView{}, invalid("give your name, as the co-op's members will see it")
		}
		if req, err = n.RequestJoin(name, inv.ID()); err != nil {
			return JoinView{}, err
		}
	}
	// Whatever the inviter answers, remember it: once admitted, this node
	// syncs from it.
	pid, err := p2p.PeerID(inv.Inviter)
	if err != nil {
		return JoinView{}, err
	}
	var addrs []ma.Multiaddr
	for _, a := range inv.Addrs {
		addrs = append(addrs, a.Encapsulate(ma.StringCast("/p2p/"+pid.String())))
	}
	if err := n.TrustUntilAdmitted(inv.Inviter); err != nil {
		return JoinView{}, err
	}
	if err := replicate.Remember(n.Local(replicate.BookNamespace), addrs...); err != nil {
		return JoinView{}, err
	}
	if nw := c.network(); nw != nil {
		nw.svc.Replicator.AddPeer(addrs...)
	}
	rep, err := invite.Send(context.Background(), inv, req)
	v := JoinView{Request: req.ID.String(), Coop: rep.Coop, CoopID: inv.Coop.String(), Inviter: pid.String()}
	if err != nil {
		return v, err
	}
	v.Message = fmt.Sprintf("Your request to join %s was received. A member who may admit will see it; once you are admitted, this node receives the co-op's records (keep it running, or run `coopnode serve`).", rep.Coop)
	return v, nil
}

// invalidErr marks err as the caller's mistake (HTTP 400), keeping its text and sentinel.
func invalidErr(err error) error {
	if err == nil {
		return nil
	}
	return invalidWrap{err}
}

// invalidWrap is an error marked as the caller's mistake: errors.Is finds
// ErrInvalidInput and err's own sentinels, and its text is err's alone, with
// no "invalid input: " before it (the HTTP status, 400, says whose it is).
type invalidWrap struct{ err error }

func (e invalidWrap) Error() string   { return e.err.Error() }
func (e invalidWrap) Unwrap() []error { return []error{ErrInvalidInput, e.err} }

// network reports this node's libp2p identity and addresses for Status
// (nil when the network is not running).
func (a *App) network() *NetworkView {
	nw := a.core.network()
	if nw == nil {
		return nil
	}
	h := nw.svc.Host
	v := &NetworkView{PeerID: h.ID().String(), Addrs: []string{}, RefusedHandshakes: h.RefusedTotal()}
	for _, ad := range h.Addrs() {
		v.Addrs = append(v.Addrs, ad.String())
	}
	v.Connected = len(h.Network().Peers())
	return v
}

// Peers lists the peers this node knows: connected ones first, with how
// they are connected, when they last synced, records sent and received, and
// the records they sent that failed verification, by reason.
func (a *App) Peers() ([]PeerView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	nw := a.core.network()
	if nw == nil {
		return nil, ErrNoNetwork
	}
	s := n.State()
	out := []PeerView{}
	for _, p := range nw.svc.Replicator.Peers() {
		v := PeerView{PeerID: p.ID.String(), DeviceKey: p.Key.String(), Connected: p.Connected, Via: nonNil(p.Via),
			Addrs: nonNil(p.Addrs), Sent: p.Sent, Received: p.Received, Refused: []RefusalView{}, LastError: p.LastError}
		if m, ok := s.MemberByKey(p.Key); ok && !p.Key.IsZero() {
			v.Member = m.Name
		}
		if !p.LastSync.IsZero() {
			v.LastSync = p.LastSync.UTC().Format(time.RFC3339)
		}
		if !p.BannedUntil.IsZero() {
			v.BannedUntil = p.BannedUntil.UTC().Format(time.RFC3339)
		}
		for reason, count := range p.Refused {
			v.Refused = append(v.Refused, RefusalView{Reason: reason, Count: count})
		}
		slices.SortFunc(v.Refused, func(a, b RefusalView) int { return strings.Compare(a.Reason, b.Reason) })
		out = append(out, v)
	}
	return out, nil
}

// Invite makes a one-time invite to this co-op, valid for hours (1 to 720;
// 0 means 72), as text and as a QR code of that text.
func (a *App) Invite(hours int) (InviteView, error) {
	n, err := a.ready()
	if err != nil {
		return InviteView{}, err
	}
	if hours == 0 {
		hours = 72
	}
	if hours < 1 || hours > 720 {
		return InviteView{}, invalid("an invite is valid for 1 to 720 hours (got %d)", hours)
	}
	nw := a.core.network()
	if nw == nil {
		return InviteView{}, ErrNoNetwork
	}
	if !n.Admitted() {
		return InviteView{}, invalid("only members can invite; you have not been admitted yet")
	}
	addrs := nw.svc.Host.Addrs()
	inv, err := nw.keeper.Issue(n.DeviceKey(), addrs, time.Duration(hours)*time.Hour)
	if err != nil {
		return InviteView{}, err
	}
	text := inv.String()
	png, err := qrcode.Encode(text, qrcode.Medium, 320)
	if err != nil {
		return InviteView{}, fmt.Errorf("QR code: %w", err)
	}
	v := InviteView{Text: text, ID: inv.ID(), Expires: inv.Expires.Format(time.RFC3339),
		QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), Addrs: []string{}}
	for _, ad := range addrs {
		v.Addrs = append(v.Addrs, ad.String())
	}
	return v, nil
}

// JoinRequests lists the requests to join this node holds, oldest first,
// saying whether each was answered and whether you may admit.
func (a *App) JoinRequests() ([]JoinRequestView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	may := n.State().MayAdmit(n.DeviceKey())
	out := []JoinRequestView{}
	for _, r := range n.JoinRequests() {
		v := JoinRequestView{ID: r.Record.ID.String(), Name: r.Body.Name, DeviceLabel: r.Body.DeviceLabel,
			MemberKey: r.Record.Author.String(), Requested: r.Record.Time.UTC().Format(timeLayout), Admitted: r.Admitted,
			MayAdmit: may == nil && !r.Admitted, Invite: r.Body.Invite}
		if may != nil {
			v.Why = may.Error()
		}
		out = append(out, v)
	}
	return out, nil
}

// Admit admits the member whose join request has ID request (or a unique
// prefix of it of at least 8 characters) into class ("" for the bylaws'
// first class).
func (a *App) Admit(request, class string) (MemberView, error) {
	n, err := a.ready()
	if err != nil {
		return MemberView{}, err
	}
	request = strings.ToLower(strings.TrimSpace(request))
	if len(request) < 8 {
		return MemberView{}, invalid("give the join request's ID (at least its first 8 characters); `coopnode requests` lists them")
	}
	var found []*record.Record
	for _, r := range n.JoinRequests() {
		if strings.HasPrefix(r.Record.ID.String(), request) {
			found = append(found, r.Record)
		}
	}
	switch len(found) {
	case 0:
		return MemberView{}, invalid("no join request %s here: it may not have reached this node yet (`coopnode requests` lists those that have)", request)
	case 1:
	default:
		return MemberView{}, invalid("%d join requests start with %s: give more of the ID", len(found), request)
	}
	adm, err := n.Admit(found[0], class)
	if err != nil {
		return MemberView{}, nodeErr(n, "admitting", err)
	}
	m, ok := n.State().Members[coop.MemberID(adm.ID)]
	if !ok {
		return MemberView{}, fmt.Errorf("admission %s was stored but is not in force", adm.ID.Short())
	}
	return memberView(n, m), nil
}

// Join asks to join a co-op with an invite, from a home with no co-op yet:
// it creates your identity (sealed with passphrase) and sends the inviter a
// signed request to join. A member then admits you.
func (a *App) Join(inviteText, name, passphrase string) (JoinView, error) {
	if len(passphrase) < 8 {
		return JoinView{}, invalid("choose a passphrase of at least 8 characters: it protects your keys")
	}
	return a.core.Join(inviteText, name, []byte(passphrase))
}

// RevokeDevice revokes one of your device keys (hex), e.g. of a lost
// laptop. It is final: whatever that key signs from now on is invalid
// everywhere, and it can no longer sync.
func (a *App) RevokeDevice(deviceKey, reason string) error {
	n, err := a.ready()
	if err != nil {
		return err
	}
	k, err := record.ParsePublicKey(strings.TrimSpace(deviceKey))
	if err != nil {
		return invalid("device key: %v", err)
	}
	if k == n.DeviceKey() {
		return invalid("that is this device's own key: revoke it from another of your devices")
	}
	_, err = n.RevokeDevice(k, reason)
	return err
}

// Resign records that you leave the co-op. It is final: your keys can sign
// nothing valid afterwards, and other members' nodes stop syncing with yours.
func (a *App) Resign(reason string) error {
	n, err := a.ready()
	if err != nil {
		return err
	}
	_, err = n.Resign(reason)
	return err
}
