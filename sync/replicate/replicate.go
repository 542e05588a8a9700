// Package replicate keeps a node's record set in step with its peers'.
//
// Two connected nodes reconcile their sets of record IDs (package recon)
// on a sync stream; the records either side lacks cross in the same
// session, each verified by the receiver before it is stored. A record
// stored later, written here or received, is pushed at once to the other
// connected peers; a periodic session with each peer catches whatever a
// push missed, and a node back from being offline catches up on connect.
// Per-peer progress (addresses, last sync, counts, refusals) is kept in the
// node, so a restart keeps it; the records themselves are never sent again
// once the other side holds them, whatever was interrupted.
//
// A peer that keeps sending records that fail verification is disconnected
// and refused for a while. Authority (may this key do this?) is not judged
// here: that is the fold's, in the node.
package replicate

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/p2p"
	"github.com/coopnode/coopnode/sync/recon"
)

// Protocol IDs.
const (
	SyncProtocol protocol.ID = "/coopnode/sync/1"
	PushProtocol protocol.ID = "/coopnode/push/1"
)

// Store is what replication needs of a node (node.Node is one).
type Store interface {
	CoopID() record.ID
	IDs() []record.ID
	Get(ids []record.ID) []*record.Record
	// Accept verifies raw records from a peer and stores the valid ones.
	Accept(raw [][]byte, from string) (added int, refused []node.Refusal, err error)
	OnStored(f func(recs []*record.Record, from string)) (cancel func())
	// DeviceAllowed: may this device key sync with us?
	DeviceAllowed(k record.PublicKey) bool
}

// sendOrderer is a Store that orders the records it sends (node.Node is
// one): the records that make keys known first, so the peer, which stores
// only what keys it knows sign, can store the rest in the same session.
type sendOrderer interface {
	SendOrder(ids []record.ID) []record.ID
}

// Book persists per-peer progress (node.Local is one).
type Book interface {
	Get(key string) ([]byte, error)
	Set(key string, value []byte) error
	Each(fn func(key string, value []byte) error) error
}

// Config configures a Replicator. Zero durations take the defaults.
type Config struct {
	Host  *p2p.Host
	Store Store
	Book  Book
	// Interval between anti-entropy sessions with each connected peer (default 1 min).
	Interval time.Duration
	// Redial is how often known but unconnected peers are dialled (default 10 s).
	Redial time.Duration
	// BanAfter refused records from one peer get it disconnected (default 16);
	// BanFor is how long it is then refused (default 10 min).
	BanAfter int
	BanFor   time.Duration
	// Idle bounds the wait for a peer's next frame in a session (default 1 min).
	Idle time.Duration
	Log  *slog.Logger
}

// PeerStatus is what this node knows of one peer.
type PeerStatus struct {
	ID          peer.ID
	Key         record.PublicKey // the peer's device key
	Addrs       []string         // where it was last reachable
	Connected   bool
	Via         []string // transports of the open connections ("tcp", "quic-v1")
	LastSync    time.Time
	Sent        uint64            // records sent to it
	Received    uint64            // records received from it that were new here
	Refused     map[string]uint64 // records it sent that failed verification, by reason
	BannedUntil time.Time
	LastError   string
	LastSession SessionStats // of the last completed session with it (either side's view)
}

// SessionStats describe one reconciliation session.
type SessionStats struct {
	Rounds          int   // recon messages sent by the initiator
	BytesSent       int64 // on the stream, framing included
	BytesReceived   int64
	RecordsSent     int
	RecordsReceived int   // records received (new or not)
	RecordBytes     int64 // their binary size
	Added           int   // of them, new here
	Refused         int
	Duration        time.Duration
}

// Replicator runs replication for one node over one host.
type Replicator struct {
	cfg  Config
	host *p2p.Host
	st   Store
	coop record.ID
	log  *slog.Logger

	mu    sync.Mutex
	peers map[peer.ID]*peerState
	ctx   context.Context // set by Run
	wg    sync.WaitGroup
	kick  chan struct{}
}

type peerState struct {
	saved   savedPeer
	last    SessionStats
	member  bool // allowed when it connected: pushes go to it
	syncing bool
	strikes int // refusals since the last ban
	push    []record.ID
	pushing bool
}

// savedPeer is what the Book keeps per peer.
type savedPeer struct {
	Addrs    []string          `json:"addrs"`
	LastSync time.Time         `json:"lastSync"`
	Sent     uint64            `json:"sent"`
	Received uint64            `json:"received"`
	Refused  map[string]uint64 `json:"refused"`
	Error    string            `json:"lastError,omitempty"`
}

// New prepares a Replicator; Run starts it.
func New(cfg Config) *Replicator {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Redial <= 0 {
		cfg.Redial = 10 * time.Second
	}
	if cfg.BanAfter <= 0 {
		cfg.BanAfter = 16
	}
	if cfg.BanFor <= 0 {
		cfg.BanFor = 10 * time.Minute
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Replicator{cfg: cfg, host: cfg.Host, st: cfg.Store, coop: cfg.Store.CoopID(), log: cfg.Log,
		peers: map[peer.ID]*peerState{}, kick: make(chan struct{}, 1)}
}

// Run serves sync and push streams, pushes new records, dials known peers
// and runs periodic sessions, until ctx ends. It waits for the work it
// started before returning.
func (r *Replicator) Run(ctx context.Context) error {
	if err := r.load(); err != nil {
		return err
	}
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	r.host.SetStreamHandler(SyncProtocol, r.handleSync)
	r.host.SetStreamHandler(PushProtocol, r.handlePush)
	notify := &network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if !r.allowed(c.RemotePeer()) {
				return // an invite's holder, come to ask to join: not a peer to sync with
			}
			r.mu.Lock()
			r.peer(c.RemotePeer()).member = true
			r.mu.Unlock()
			r.remember(c.RemotePeer(), c.RemoteMultiaddr(), c.Stat().Direction == network.DirOutbound)
			if r.leads(c.RemotePeer()) {
				r.goSync(c.RemotePeer())
			}
		},
	}
	r.host.Network().Notify(notify)
	cancel := r.st.OnStored(r.stored)
	defer func() {
		cancel()
		r.host.Network().StopNotify(notify)
		r.host.RemoveStreamHandler(SyncProtocol)
		r.host.RemoveStreamHandler(PushProtocol)
		r.wg.Wait()
	}()
	for _, p := range r.host.Network().Peers() { // connected before Run
		if !r.allowed(p) {
			continue
		}
		r.mu.Lock()
		r.peer(p).member = true
		r.mu.Unlock()
		if r.leads(p) {
			r.goSync(p)
		}
	}
	r.dialKnown(ctx)
	sync := time.NewTicker(r.cfg.Interval)
	dial := time.NewTicker(r.cfg.Redial)
	defer sync.Stop()
	defer dial.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sync.C:
			for _, p := range r.host.Network().Peers() {
				if r.leads(p) {
					r.goSync(p)
				}
			}
		case <-dial.C:
			r.dialKnown(ctx)
		case <-r.kick:
			r.dialKnown(ctx)
		}
	}
}

// leads: of two peers, the one with the lower ID starts the sessions, so a
// pair runs one at a time.
func (r *Replicator) leads(p peer.ID) bool { return r.host.ID() < p }

// AddPeer remembers a peer's addresses (from an invite, say) and dials it
// soon. Addresses must include the /p2p/ part.
func (r *Replicator) AddPeer(addrs ...ma.Multiaddr) error {
	infos, err := peer.AddrInfosFromP2pAddrs(addrs...)
	if err != nil {
		return fmt.Errorf("peer address: %w", err)
	}
	for _, ai := range infos {
		if ai.ID == r.host.ID() {
			continue
		}
		for _, a := range ai.Addrs {
			r.remember(ai.ID, a, true)
		}
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return nil
}

// remember records an address at which p was reached. Only addresses we
// dialled are kept: an inbound connection's remote port is ephemeral.
func (r *Replicator) remember(p peer.ID, a ma.Multiaddr, dialled bool) {
	r.mu.Lock()
	ps := r.peer(p)
	if dialled && a != nil && !slices.Contains(ps.saved.Addrs, a.String()) {
		ps.saved.Addrs = append(ps.saved.Addrs, a.String())
		if len(ps.saved.Addrs) > 8 {
			ps.saved.Addrs = ps.saved.Addrs[len(ps.saved.Addrs)-8:]
		}
	}
	r.mu.Unlock()
	r.save(p)
}

func (r *Replicator) peer(p peer.ID) *peerState {
	ps := r.peers[p]
	if ps == nil {
		ps = &peerState{saved: savedPeer{Refused: map[string]uint64{}}}
		r.peers[p] = ps
	}
	return ps
}

func (r *Replicator) load() error {
	return r.cfg.Book.Each(func(k string, v []byte) error {
		p, err := peer.Decode(k)
		if err != nil {
			return nil // not ours to judge; leave it
		}
		var s savedPeer
		if json.Unmarshal(v, &s) != nil {
			return nil
		}
		if s.Refused == nil {
			s.Refused = map[string]uint64{}
		}
		r.mu.Lock()
		r.peers[p] = &peerState{saved: s}
		r.mu.Unlock()
		return nil
	})
}

func (r *Replicator) save(p peer.ID) {
	r.mu.Lock()
	ps, ok := r.peers[p]
	var b []byte
	if ok {
		b, _ = json.Marshal(ps.saved)
	}
	r.mu.Unlock()
	if ok {
		if err := r.cfg.Book.Set(p.String(), b); err != nil && !errors.Is(err, node.ErrClosed) {
			r.log.Warn("saving peer progress", "peer", p, "err", err)
		}
	}
}

func (r *Replicator) dialKnown(ctx context.Context) {
	r.mu.Lock()
	var todo []peer.AddrInfo
	for p, ps := range r.peers {
		if r.host.Network().Connectedness(p) == network.Connected || len(ps.saved.Addrs) == 0 {
			continue
		}
		if k, err := p2p.PublicKey(p); err != nil || !r.st.DeviceAllowed(k) {
			continue
		}
		ai := peer.AddrInfo{ID: p}
		for _, s := range ps.saved.Addrs {
			if a, err := ma.NewMultiaddr(s); err == nil {
				ai.Addrs = append(ai.Addrs, a)
			}
		}
		todo = append(todo, ai)
	}
	r.mu.Unlock()
	for _, ai := range todo {
		r.spawn(func() {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := r.host.Connect(dctx, ai); err != nil {
				r.log.Debug("dial", "peer", ai.ID, "err", err)
			}
		})
	}
}

// spawn runs f as work Run waits for.
func (r *Replicator) spawn(f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}

func (r *Replicator) runCtx() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

func (r *Replicator) goSync(p peer.ID) {
	ctx := r.runCtx()
	if ctx.Err() != nil {
		return
	}
	r.spawn(func() {
		if _, err := r.SyncWith(ctx, p); err != nil && ctx.Err() == nil {
			r.log.Debug("sync", "peer", p, "err", err)
		}
	})
}

// ErrBusy: a session with that peer is already running.
var ErrBusy = errors.New("a sync session with this peer is already running")

// SyncWith runs one reconciliation session with p, as its initiator.
func (r *Replicator) SyncWith(ctx context.Context, p peer.ID) (SessionStats, error) {
	r.mu.Lock()
	ps := r.peer(p)
	if ps.syncing {
		r.mu.Unlock()
		return SessionStats{}, ErrBusy
	}
	ps.syncing = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		ps.syncing = false
		r.mu.Unlock()
	}()
	s, err := r.host.NewStream(ctx, p, SyncProtocol)
	if err != nil {
		return SessionStats{}, r.note(p, SessionStats{}, fmt.Errorf("open sync stream: %w", err))
	}
	st, err := r.session(ctx, s, true)
	return st, r.note(p, st, err)
}

// note records a session's outcome for p and returns err.
func (r *Replicator) note(p peer.ID, st SessionStats, err error) error {
	r.mu.Lock()
	ps := r.peer(p)
	if err == nil {
		ps.last = st
		ps.saved.LastSync = time.Now().UTC()
		ps.saved.Error = ""
	} else {
		ps.saved.Error = err.Error()
	}
	r.mu.Unlock()
	r.save(p)
	return err
}

func (r *Replicator) handleSync(s network.Stream) {
	p := s.Conn().RemotePeer()
	if !r.allowed(p) {
		s.Reset()
		return
	}
	st, err := r.session(r.runCtx(), s, false)
	r.note(p, st, err)
}

func (r *Replicator) allowed(p peer.ID) bool {
	k, err := p2p.PublicKey(p)
	return err == nil && r.st.DeviceAllowed(k)
}

// session runs one reconciliation on s. The reader (this goroutine) never
// blocks on writing: frames and records to send queue in an outbox that a
// writer goroutine drains, so two sides sending at once cannot deadlock.
func (r *Replicator) session(ctx context.Context, s network.Stream, initiator bool) (st SessionStats, err error) {
	start := time.Now()
	p := s.Conn().RemotePeer()
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	fr := &frameReader{r: bufio.NewReaderSize(s, 64<<10)}
	out := newOutbox()
	fw := &frameWriter{w: bufio.NewWriterSize(s, 64<<10)}
	var sent int
	werr := make(chan error, 1)
	go func() {
		e := r.write(s, fw, out, &sent)
		if e != nil {
			s.Reset() // unblocks the reader
		}
		werr <- e
	}()
	defer func() {
		out.close()
		if e := <-werr; err == nil && e != nil {
			err = e
		}
		if err != nil {
			s.Reset()
		} else {
			s.Close()
		}
		st.BytesSent, st.BytesReceived, st.RecordsSent = fw.bytes, fr.bytes, sent
		st.Duration = time.Since(start)
		r.mu.Lock()
		r.peer(p).saved.Sent += uint64(sent)
		r.mu.Unlock()
	}()

	out.frame(fHello, helloPayload(r.coop))
	if err := r.expectHello(s, fr); err != nil {
		return st, err
	}
	sess := recon.New(r.st.IDs(), initiator)
	if initiator {
		out.frame(fRecon, sess.Initiate())
		st.Rounds = 1
	}
	reconDone, peerDone := false, false
	for !(initiator && reconDone && peerDone) {
		s.SetReadDeadline(time.Now().Add(r.cfg.Idle))
		t, payload, err := fr.read()
		if err != nil {
			return st, fmt.Errorf("read from %s: %w", p.ShortString(), err)
		}
		switch t {
		case fRecon:
			if initiator && reconDone {
				return st, fmt.Errorf("%w: reconciliation message after the end", ErrProtocol)
			}
			reply, err := sess.Step(payload)
			if err != nil {
				return st, err
			}
			if initiator && reply == nil {
				out.frame(fWant, encodeIDs(sess.Need))
				out.records(sess.Have)
				out.frame(fDone, nil)
				sess.Have, sess.Need, reconDone = nil, nil, true
				continue
			}
			out.frame(fRecon, reply)
			out.records(sess.Have)
			sess.Have = nil
			if initiator {
				st.Rounds++
			}
		case fWant:
			if initiator {
				return st, fmt.Errorf("%w: only the initiator asks for records", ErrProtocol)
			}
			ids, err := decodeIDs(payload)
			if err != nil {
				return st, err
			}
			out.records(ids)
		case fRecords:
			if err := r.receive(p, payload, &st); err != nil {
				return st, err
			}
		case fDone:
			if !initiator {
				out.frame(fDone, nil)
				return st, nil
			}
			peerDone = true
		default:
			return st, fmt.Errorf("%w: frame type %d", ErrProtocol, t)
		}
	}
	return st, nil
}

func (r *Replicator) expectHello(s network.Stream, fr *frameReader) error {
	s.SetReadDeadline(time.Now().Add(r.cfg.Idle))
	t, p, err := fr.read()
	if err != nil {
		return fmt.Errorf("read hello: %w", err)
	}
	return checkHello(t, p, r.coop)
}

// receive hands a records frame to the store and counts what it refused.
func (r *Replicator) receive(p peer.ID, payload []byte, st *SessionStats) error {
	raw, err := decodeRecords(payload)
	if err != nil {
		return err
	}
	added, refused, err := r.st.Accept(raw, p.String())
	st.RecordsReceived += len(raw)
	for _, b := range raw {
		st.RecordBytes += int64(len(b))
	}
	st.Added += added
	st.Refused += len(refused)
	r.mu.Lock()
	ps := r.peer(p)
	ps.saved.Received += uint64(added)
	for _, f := range refused {
		ps.saved.Refused[f.Kind]++
		if f.Kind != node.RefusedStranger {
			// A stranger's record is counted, not held against the peer:
			// it may hold it from before that rule, or send it before the
			// certificate that makes its key known.
			ps.strikes++
		}
	}
	ban := ps.strikes >= r.cfg.BanAfter
	if ban {
		ps.strikes = 0
	}
	r.mu.Unlock()
	if len(refused) > 0 {
		r.log.Warn("refused records from peer", "peer", p, "count", len(refused), "first", refused[0].Reason)
	}
	if err != nil {
		return fmt.Errorf("store records from %s: %w", p.ShortString(), err)
	}
	if ban {
		r.log.Warn("disconnecting a peer that keeps sending bad records", "peer", p, "for", r.cfg.BanFor)
		r.host.Ban(p, time.Now().Add(r.cfg.BanFor))
		return fmt.Errorf("disconnected %s for %s: it kept sending records that fail verification", p.ShortString(), r.cfg.BanFor)
	}
	return nil
}

// write drains the outbox onto the stream, fetching records in batches.
func (r *Replicator) write(s network.Stream, fw *frameWriter, out *outbox, sent *int) error {
	for {
		it, ok := out.next()
		if !ok {
			if err := fw.w.Flush(); err != nil {
				return err
			}
			return nil
		}
		if it.ids == nil {
			if err := fw.write(it.t, it.payload); err != nil {
				return err
			}
			if err := fw.w.Flush(); err != nil {
				return err
			}
			continue
		}
		if err := r.writeRecords(fw, it.ids, sent); err != nil {
			return err
		}
		if err := fw.w.Flush(); err != nil {
			return err
		}
	}
}

func (r *Replicator) writeRecords(fw *frameWriter, ids []record.ID, sent *int) error {
	if o, ok := r.st.(sendOrderer); ok {
		ids = o.SendOrder(ids)
	}
	const fetch = 512
	var batch [][]byte
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := fw.write(fRecords, encodeRecords(batch))
		*sent += len(batch)
		batch, size = batch[:0], 0
		return err
	}
	for i := 0; i < len(ids); i += fetch {
		for _, rec := range r.st.Get(ids[i:min(i+fetch, len(ids))]) {
			b := rec.Bytes()
			if size+len(b) > batchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, b)
			size += len(b)
		}
	}
	return flush()
}

// stored is the node's hook: push what was stored to every connected
// member peer except the one it came from. A revocation or removal may end
// a peer's right to sync: those peers are disconnected (the gater then
// refuses them).
func (r *Replicator) stored(recs []*record.Record, from string) {
	ids := make([]record.ID, len(recs))
	recheck := false
	for i, rec := range recs {
		ids[i] = rec.ID
		recheck = recheck || rec.Type == coop.TypeRevoked || rec.Type == coop.TypeRemoved
	}
	for _, p := range r.host.Network().Peers() {
		if recheck && !r.allowed(p) {
			r.mu.Lock()
			wasMember := r.peer(p).member
			r.peer(p).member = false
			r.mu.Unlock()
			if wasMember {
				r.log.Info("disconnecting a peer whose device or member was removed", "peer", p)
				r.host.Network().ClosePeer(p)
			}
			continue
		}
		r.mu.Lock()
		ps := r.peer(p)
		if p.String() == from || !ps.member {
			r.mu.Unlock()
			continue
		}
		ps.push = append(ps.push, ids...)
		start := !ps.pushing
		ps.pushing = true
		r.mu.Unlock()
		if start {
			r.spawn(func() { r.pushLoop(p) })
		}
	}
}

// pushLoop sends p what queued for it, one stream per batch, until the
// queue is empty.
func (r *Replicator) pushLoop(p peer.ID) {
	ctx := r.runCtx()
	for {
		r.mu.Lock()
		ps := r.peer(p)
		ids := ps.push
		ps.push = nil
		if len(ids) == 0 || ctx.Err() != nil {
			ps.pushing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		if err := r.push(ctx, p, ids); err != nil && ctx.Err() == nil {
			r.log.Debug("push", "peer", p, "err", err) // the next session catches up
		}
	}
}

func (r *Replicator) push(ctx context.Context, p peer.ID, ids []record.ID) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Idle)
	defer cancel()
	s, err := r.host.NewStream(network.WithNoDial(ctx, "push to connected peers only"), p, PushProtocol)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	fw := &frameWriter{w: bufio.NewWriter(s)}
	sent := 0
	if err := fw.write(fHello, helloPayload(r.coop)); err != nil {
		s.Reset()
		return err
	}
	if err := r.writeRecords(fw, ids, &sent); err == nil {
		err = fw.w.Flush()
	}
	if err != nil {
		s.Reset()
		return err
	}
	r.mu.Lock()
	r.peer(p).saved.Sent += uint64(sent)
	r.mu.Unlock()
	return s.Close()
}

func (r *Replicator) handlePush(s network.Stream) {
	p := s.Conn().RemotePeer()
	if !r.allowed(p) {
		s.Reset()
		return
	}
	defer s.Close()
	fr := &frameReader{r: bufio.NewReader(s)}
	if err := r.expectHello(s, fr); err != nil {
		s.Reset()
		return
	}
	var st SessionStats
	for {
		s.SetReadDeadline(time.Now().Add(r.cfg.Idle))
		t, payload, err := fr.read()
		if err != nil {
			return // io.EOF: the pusher is done
		}
		if t != fRecords {
			s.Reset()
			return
		}
		if err := r.receive(p, payload, &st); err != nil {
			s.Reset()
			return
		}
	}
}

// Peers reports every peer this node knows of, connected ones first.
func (r *Replicator) Peers() []PeerStatus {
	nw := r.host.Network()
	r.mu.Lock()
	ids := make([]peer.ID, 0, len(r.peers))
	for p := range r.peers {
		ids = append(ids, p)
	}
	r.mu.Unlock()
	for _, p := range nw.Peers() {
		if !slices.Contains(ids, p) && r.allowed(p) {
			ids = append(ids, p)
		}
	}
	out := make([]PeerStatus, 0, len(ids))
	for _, p := range ids {
		k, _ := p2p.PublicKey(p)
		v := PeerStatus{ID: p, Key: k, Connected: nw.Connectedness(p) == network.Connected, BannedUntil: r.host.BannedUntil(p), Refused: map[string]uint64{}}
		for _, c := range nw.ConnsToPeer(p) {
			v.Via = append(v.Via, transport(c.RemoteMultiaddr()))
		}
		slices.Sort(v.Via)
		v.Via = slices.Compact(v.Via)
		r.mu.Lock()
		if ps, ok := r.peers[p]; ok {
			s := ps.saved
			v.Addrs, v.LastSync, v.Sent, v.Received, v.LastError = slices.Clone(s.Addrs), s.LastSync, s.Sent, s.Received, s.Error
			v.LastSession = ps.last
			for k, n := range s.Refused {
				v.Refused[k] = n
			}
		}
		r.mu.Unlock()
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Connected != out[j].Connected {
			return out[i].Connected
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// transport names a connection's transport from its address.
func transport(a ma.Multiaddr) string {
	if _, err := a.ValueForProtocol(ma.P_QUIC_V1); err == nil {
		return "quic"
	}
	if _, err := a.ValueForProtocol(ma.P_TCP); err == nil {
		return "tcp"
	}
	return a.String()
}

// outbox is an unbounded queue of things to send, so the reader never
// waits for the writer.
type outbox struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []outItem
	closed bool
}

type outItem struct {
	t       byte
	payload []byte
	ids     []record.ID // records to send, fetched when written
}

func newOutbox() *outbox {
	o := &outbox{}
	o.cond = sync.NewCond(&o.mu)
	return o
}

func (o *outbox) put(it outItem) {
	o.mu.Lock()
	o.items = append(o.items, it)
	o.mu.Unlock()
	o.cond.Signal()
}

func (o *outbox) frame(t byte, p []byte) { o.put(outItem{t: t, payload: p}) }

func (o *outbox) records(ids []record.ID) {
	if len(ids) > 0 {
		o.put(outItem{ids: slices.Clone(ids)})
	}
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.cond.Signal()
}

// next returns the next item, waiting for one; false when closed and empty.
func (o *outbox) next() (outItem, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.items) == 0 && !o.closed {
		o.cond.Wait()
	}
	if len(o.items) == 0 {
		return outItem{}, false
	}
	it := o.items[0]
	o.items = o.items[1:]
	return it, true
}
