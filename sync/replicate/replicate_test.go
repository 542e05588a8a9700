package replicate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/p2p"
)

var cheap = &identity.Params{Time: 1, MemoryK: 64, Threads: 1}

// member is a real node (real Badger) with a real libp2p host on loopback.
type member struct {
	name string
	home string
	n    *node.Node
	svc  *Service
}

func opts() node.Options { return node.Options{KDF: cheap} }

// fast makes sessions and redials frequent, so tests converge quickly.
var fast = Options{Interval: 300 * time.Millisecond, Redial: 200 * time.Millisecond}

func (m *member) start(t testing.TB, o Options) {
	t.Helper()
	if err := m.n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc, err := Attach(m.n, o)
	if err != nil {
		t.Fatal(err)
	}
	m.svc = svc
}

// stop closes the node (and with it the host); reopen brings it back.
func (m *member) stop(t testing.TB) {
	t.Helper()
	if err := m.n.Close(); err != nil {
		t.Fatal(err)
	}
}

func (m *member) reopen(t testing.TB, o Options) {
	t.Helper()
	n, err := node.Open(m.home, []byte("pass"), opts())
	if err != nil {
		t.Fatal(err)
	}
	m.n = n
	t.Cleanup(func() { n.Close() })
	m.start(t, o)
}

func (m *member) addrs() []string {
	var out []string
	for _, a := range m.svc.Host.Addrs() {
		out = append(out, a.String()+"/p2p/"+m.svc.Host.ID().String())
	}
	return out
}

// connect tells m where o is; m's replicator dials it.
func (m *member) connect(t testing.TB, o *member) {
	t.Helper()
	ai := peer.AddrInfo{ID: o.svc.Host.ID(), Addrs: o.svc.Host.Addrs()}
	addrs, err := peer.AddrInfoToP2pAddrs(&ai)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.svc.Replicator.AddPeer(addrs...); err != nil {
		t.Fatal(err)
	}
}

func found(t testing.TB, name string, o Options) *member {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	n, err := node.Init(home, name, "Riverside", []byte("pass"), opts())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	m := &member{name: name, home: home, n: n}
	m.start(t, o)
	return m
}

// join makes a new member through the real path: a new home for the
// co-op, a join request, admission by admitter, and the records reaching the
// joiner over the network from the admitter (trusted from the "invite").
func join(t testing.TB, admitter *member, name string, o Options, roles ...string) *member {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	n, err := node.Join(home, admitter.n.CoopID(), []byte("pass"), opts())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	m := &member{name: name, home: home, n: n}
	req, err := n.RequestJoin(name, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admitter.n.Admit(req, "", roles...); err != nil {
		t.Fatal(err)
	}
	if err := n.TrustUntilAdmitted(admitter.n.DeviceKey()); err != nil {
		t.Fatal(err)
	}
	m.start(t, o)
	m.connect(t, admitter)
	waitFor(t, name+" admitted and synced", func() bool { return m.n.Admitted() })
	return m
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func digest(m *member) string { d := m.n.State().Digest(); return fmt.Sprintf("%x", d[:8]) }

// converged waits until every member holds the same records and digest.
// Each node is read once per check: comparing against a node that is
// still receiving could pass on a moving target.
func converged(t testing.TB, ms ...*member) {
	t.Helper()
	waitFor(t, "convergence", func() bool {
		type view struct {
			digest string
			ids    [32]byte
		}
		var first view
		for i, m := range ms {
			v := view{digest(m), setHash(m.n.IDs())}
			if i == 0 {
				first = v
			} else if v != first {
				return false
			}
		}
		return true
	})
	for _, m := range ms {
		if p := m.n.State().Pending; len(p) > 0 {
			t.Errorf("%s still holds %d pending records", m.name, len(p))
		}
	}
}

// setHash names a set of record IDs.
func setHash(ids []record.ID) [32]byte {
	slices.SortFunc(ids, record.CompareIDs)
	h := sha256.New()
	for _, id := range ids {
		h.Write(id[:])
	}
	return [32]byte(h.Sum(nil))
}

// request makes a join request from a fresh identity (not running a node).
func request(t testing.TB, c record.ID, name string) *record.Record {
	t.Helper()
	k, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := coop.RequestJoin(k.Member(), k.Device(), c, name, "laptop", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestThreeConverge: three nodes, each admitting someone at the same time,
// converge to one digest; the joiners got the co-op over the network.
func TestThreeConverge(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast, coop.RoleFounder)
	c := join(t, a, "Cy", fast, coop.RoleFounder)
	b.connect(t, c)
	converged(t, a, b, c)
	// Concurrent writes: each admits a newcomer.
	done := make(chan error, 3)
	for i, m := range []*member{a, b, c} {
		go func() {
			_, err := m.n.Admit(request(t, m.n.CoopID(), fmt.Sprintf("new%d", i)), "")
			done <- err
		}()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	converged(t, a, b, c)
	if got := len(a.n.State().Members); got != 6 {
		t.Fatalf("%d members, want 6", got)
	}
	if rj := a.n.State().Rejected; len(rj) != 0 {
		t.Fatalf("rejected: %+v", rj)
	}
	for _, p := range a.svc.Replicator.Peers() {
		if p.Connected && (p.Sent == 0 && p.Received == 0) {
			t.Errorf("peer %s: no records counted either way", p.ID)
		}
	}
}

// TestPartitionHeals: two groups write apart, then one link heals them.
func TestPartitionHeals(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast, coop.RoleFounder)
	c := join(t, a, "Cy", fast, coop.RoleFounder)
	d := join(t, c, "Di", fast)
	converged(t, a, b, c, d)
	// Partition: {a, b} | {c, d}. Close every cross link, and stop redials
	// across it by banning (the ban is local to each side).
	until := time.Now().Add(time.Hour)
	for _, x := range []*member{a, b} {
		for _, y := range []*member{c, d} {
			x.svc.Host.Ban(y.svc.Host.ID(), until)
			y.svc.Host.Ban(x.svc.Host.ID(), until)
		}
	}
	b.connect(t, a)
	d.connect(t, c)
	for i := range 5 {
		if _, err := a.n.Admit(request(t, a.n.CoopID(), fmt.Sprintf("left%d", i)), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.n.Admit(request(t, c.n.CoopID(), fmt.Sprintf("right%d", i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	converged(t, a, b)
	converged(t, c, d)
	if digest(a) == digest(c) {
		t.Fatal("the partition did not partition")
	}
	// Heal one link.
	a.svc.Host.Unban(c.svc.Host.ID())
	c.svc.Host.Unban(a.svc.Host.ID())
	a.connect(t, c)
	converged(t, a, b, c, d)
	if got := len(d.n.State().Members); got != 14 {
		t.Fatalf("%d members after healing, want 14", got)
	}
}

// TestOfflineCatchUp: a node closed while others write catches up when it
// comes back, with no user action: it redials the peers it remembers.
func TestOfflineCatchUp(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast)
	converged(t, a, b)
	b.stop(t)
	for i := range 20 {
		if _, err := a.n.Admit(request(t, a.n.CoopID(), fmt.Sprintf("while-away%d", i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	b.reopen(t, fast) // no connect: the peer book was persisted
	converged(t, a, b)
	var seen bool
	for _, p := range b.svc.Replicator.Peers() {
		if p.ID == a.svc.Host.ID() {
			seen = p.Received >= 20 && !p.LastSync.IsZero()
		}
	}
	if !seen {
		t.Fatalf("b's peer record of a: %+v", b.svc.Replicator.Peers())
	}
}

// TestNonMemberRefused: a host that is no member's device cannot connect.
func TestNonMemberRefused(t *testing.T) {
	a := found(t, "Ada", fast)
	k, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := p2p.New(p2p.Config{Device: k.Device(), Allow: p2p.AllowFunc(func(peer.ID) bool { return true })})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = stranger.Connect(ctx, peer.AddrInfo{ID: a.svc.Host.ID(), Addrs: a.svc.Host.Addrs()})
	if err == nil {
		// The dialler may see success before the listener's gater closes it:
		// what counts is that no stream can be opened.
		if s, serr := stranger.NewStream(ctx, a.svc.Host.ID(), SyncProtocol); serr == nil {
			s.Reset()
			t.Fatal("a stranger opened a sync stream")
		}
	}
	waitFor(t, "the refusal to be counted", func() bool { return a.svc.Host.Refused()[stranger.ID()] > 0 })
}

// TestForgedRecordsRefused: a member's device sending tampered and forged
// records gets them refused (not stored), counted by reason, and is
// disconnected and banned once it keeps doing it.
func TestForgedRecordsRefused(t *testing.T) {
	o := fast
	o.BanAfter = 5
	a := found(t, "Ada", o)
	b := join(t, a, "Bo", o)
	converged(t, a, b)
	before := len(a.n.IDs())

	good := request(t, a.n.CoopID(), "Eve").Bytes()
	tampered := append([]byte(nil), good...)
	tampered[bytes.Index(tampered, []byte("Eve"))] = 'A' // Ave: the signature no longer matches
	forged := append([]byte(nil), good...)
	forged[len(forged)-1] ^= 1 // the signature itself
	junk := []byte("not a record")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := b.svc.Host.NewStream(ctx, a.svc.Host.ID(), PushProtocol)
	if err != nil {
		t.Fatal(err)
	}
	fw := &frameWriter{w: bufio.NewWriter(s)}
	fw.write(fHello, helloPayload(a.n.CoopID()))
	fw.write(fRecords, encodeRecords([][]byte{tampered, forged, junk}))
	fw.w.Flush()
	waitFor(t, "refusals counted", func() bool { return refused(a, b) == 3 })
	if got := len(a.n.IDs()); got != before {
		t.Fatalf("a holds %d records, had %d: a refused record was stored", got, before)
	}
	p := peerOf(a, b)
	if p.Refused[node.RefusedSignature] != 2 || p.Refused[node.RefusedMalformed] != 1 {
		t.Fatalf("refusals by reason: %v", p.Refused)
	}
	if !p.BannedUntil.IsZero() {
		t.Fatal("banned after 3 bad records; the threshold is 5")
	}
	fw.write(fRecords, encodeRecords([][]byte{tampered, forged, junk}))
	fw.w.Flush()
	waitFor(t, "the ban", func() bool { return !peerOf(a, b).BannedUntil.IsZero() })
	waitFor(t, "the disconnect", func() bool {
		return a.svc.Host.Network().Connectedness(b.svc.Host.ID()) != network.Connected
	})
	// b keeps redialling; a keeps refusing while the ban lasts.
	waitFor(t, "a refused redial", func() bool { return a.svc.Host.Refused()[b.svc.Host.ID()] > 0 })
}

// TestStrangersRecordsRefused: records signed by a key the co-op does not
// know (an unknown type, a known type at a newer version), sent by a
// member's node over libp2p, are refused, not stored, counted as "unknown
// signer", and not held against the peer (no ban, whatever their number).
func TestStrangersRecordsRefused(t *testing.T) {
	o := fast
	o.BanAfter = 2
	a := found(t, "Ada", o)
	b := join(t, a, "Bo", o)
	converged(t, a, b)
	before := len(a.n.IDs())
	k, _ := identity.Generate(nil)
	var raw [][]byte
	for i := range 4 {
		junk, err := record.New(k.Device(), "ledger.transaction", 1, a.n.CoopID(), time.Now(), []record.ID{a.n.CoopID()}, map[string]int{"n": i})
		if err != nil {
			t.Fatal(err)
		}
		newer, err := record.New(k.Member(), coop.TypeDevice, 9, a.n.CoopID(), time.Now(), []record.ID{a.n.CoopID()}, map[string]int{"n": i})
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, junk.Bytes(), newer.Bytes())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := b.svc.Host.NewStream(ctx, a.svc.Host.ID(), PushProtocol)
	if err != nil {
		t.Fatal(err)
	}
	fw := &frameWriter{w: bufio.NewWriter(s)}
	fw.write(fHello, helloPayload(a.n.CoopID()))
	fw.write(fRecords, encodeRecords(raw))
	fw.w.Flush()
	waitFor(t, "refusals counted", func() bool { return refused(a, b) == uint64(len(raw)) })
	if got := len(a.n.IDs()); got != before {
		t.Fatalf("a holds %d records, had %d: a stranger's record was stored", got, before)
	}
	if p := peerOf(a, b); p.Refused[node.RefusedStranger] != uint64(len(raw)) || !p.BannedUntil.IsZero() {
		t.Fatalf("refusals by reason %v, banned until %v: want %d of %q and no ban", p.Refused, p.BannedUntil, len(raw), node.RefusedStranger)
	}
	if a.n.Refused()[node.RefusedStranger] != len(raw) {
		t.Fatalf("the node counts %v", a.n.Refused())
	}
}

func peerOf(a, b *member) PeerStatus {
	for _, p := range a.svc.Replicator.Peers() {
		if p.ID == b.svc.Host.ID() {
			return p
		}
	}
	return PeerStatus{}
}

func refused(a, b *member) uint64 {
	var n uint64
	for _, c := range peerOf(a, b).Refused {
		n += c
	}
	return n
}

// TestRevokedAndRemoved: what a device signed before its revocation stays
// valid; what it signs after is rejected on every node alike. A member who
// resigns is disconnected and refused by the others.
func TestRevokedAndRemoved(t *testing.T) {
	a := found(t, "Ada", fast)
	b := join(t, a, "Bo", fast, coop.RoleFounder) // Bo may admit
	c := join(t, a, "Cy", fast)
	b.connect(t, c)
	converged(t, a, b, c)

	// Bo certifies a phone, which admits someone: valid.
	phone, _ := identity.Generate(nil)
	cert, err := b.n.CertifyDevice(phone.Device(), "phone")
	if err != nil {
		t.Fatal(err)
	}
	xan := request(t, a.n.CoopID(), "Xan")
	before, err := coop.AdmitRequest(phone.Device(), a.n.CoopID(), xan, "member", nil, time.Now(), cert.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.n.Put(xan, before); err != nil {
		t.Fatal(err)
	}
	converged(t, a, b, c)
	// The phone is lost: Bo revokes it. The thief then admits someone.
	if _, err := b.n.RevokeDevice(phone.DeviceKey(), "lost"); err != nil {
		t.Fatal(err)
	}
	converged(t, a, b, c)
	zed := request(t, a.n.CoopID(), "Zed")
	after, err := coop.AdmitRequest(phone.Device(), a.n.CoopID(), zed, "member", nil, time.Now(), cert.ID, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The record is well signed: the gate stores it; the fold rejects it, everywhere.
	if _, refused, err := c.n.Accept([][]byte{zed.Bytes(), after.Bytes()}, "test"); err != nil || len(refused) != 0 {
		t.Fatalf("the gate refused a well-signed record: %v %v", refused, err)
	}
	converged(t, a, b, c)
	for _, m := range []*member{a, b, c} {
		s := m.n.State()
		if !rejected(s, after.ID) || rejected(s, before.ID) {
			t.Logf("%s holds after: %v; rejected %+v; pending %v; members %d", m.name, m.n.Has(after.ID), s.Rejected, s.Pending, len(s.Members))
			t.Fatalf("%s: after the cut rejected %v (want true), before it %v (want false)", m.name, rejected(s, after.ID), rejected(s, before.ID))
		}
		if len(s.Members) != 4 {
			t.Fatalf("%s: %d members, want 4 (Xan in, Zed out)", m.name, len(s.Members))
		}
	}

	// Cy resigns: the others disconnect Cy's device and refuse it after.
	if _, err := c.n.Resign("moving away"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the resignation to reach a and b", func() bool {
		return a.n.State().DeviceAllowed(c.n.DeviceKey()) == false && b.n.State().DeviceAllowed(c.n.DeviceKey()) == false
	})
	waitFor(t, "Cy's disconnect", func() bool {
		return a.svc.Host.Network().Connectedness(c.svc.Host.ID()) != network.Connected &&
			b.svc.Host.Network().Connectedness(c.svc.Host.ID()) != network.Connected
	})
	waitFor(t, "Cy's redial refused", func() bool { return a.svc.Host.Refused()[c.svc.Host.ID()] > 0 })
	if digest(a) != digest(b) {
		t.Fatal("a and b differ after the resignation")
	}
}

func rejected(s *coop.State, id record.ID) bool {
	for _, r := range s.Rejected {
		if r.ID == id {
			return true
		}
	}
	return false
}
