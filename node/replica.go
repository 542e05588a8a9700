package node

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
)

// What package sync needs of a node: the set of record IDs, records by ID,
// a gate for records from peers, and a little local state of its own.

// IDs returns the ID of every record this node holds, valid or not: the
// set that replicas reconcile. Records held until their dates are left
// out: they are not this node's to vouch for until then (see hold.go).
func (n *Node) IDs() []record.ID {
	n.mu.RLock()
	defer n.mu.RUnlock()
	bad := n.damagedIDs() // not served: a peer's intact copy can replace it
	out := make([]record.ID, 0, len(n.held))
	for id := range n.held {
		if !bad[id] && !n.isHeldLocked(id) {
			out = append(out, id)
		}
	}
	return out
}

// Get reads the records held among ids from the store, in the order
// asked; IDs not held, records held until their dates, and records
// damaged on disk, are left out.
func (n *Node) Get(ids []record.ID) []*record.Record {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*record.Record, 0, len(ids))
	for _, id := range ids {
		if _, ok := n.held[id]; !ok || n.isHeldLocked(id) {
			continue
		}
		if r, err := n.getLocked(id); err == nil {
			out = append(out, r)
		}
	}
	return out
}

// Has reports whether the node holds id (and serves it: not damaged, not
// held until its date).
func (n *Node) Has(id record.ID) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	_, ok := n.held[id]
	return ok && !n.isBad(id) && !n.isHeldLocked(id)
}

// Refusal is a record a node would not store, and why.
type Refusal struct {
	ID     record.ID // zero when the bytes did not decode
	Kind   string    // a short, stable reason to count by ("bad signature", ...)
	Reason string    // the full reason
}

// Kinds of refusal.
const (
	RefusedMalformed    = "malformed"
	RefusedNonCanonical = "not canonical"
	RefusedSignature    = "bad signature"
	RefusedForeign      = "another co-op"
	// RefusedStranger: signed by a key the co-op does not know (coop.ErrStranger).
	// A peer relaying one is not at fault, as it may hold it from before
	// this rule, or send it before the certificate that makes its key known.
	RefusedStranger = "unknown signer"
)

func refusal(err error) Refusal {
	k := RefusedMalformed
	switch {
	case errors.Is(err, record.ErrBadSignature):
		k = RefusedSignature
	case errors.Is(err, record.ErrNonCanonical):
		k = RefusedNonCanonical
	}
	return Refusal{Kind: k, Reason: err.Error()}
}

// Accept is the gate for records from peer from: each one is verified
// (encoding, signatures, ID, co-op) on its own, and refused if signed by a
// key the co-op does not know, counting those the batch itself makes
// known (see coop.KeyBook); the good ones are stored durably in one write,
// the others refused with a reason. Authority is not judged here but in
// the fold. It returns how many were new. The error is
// only for failures to store (ErrClosed, a full disk): then nothing of
// this call was stored.
func (n *Node) Accept(raw [][]byte, from string) (added int, refused []Refusal, err error) {
	recs, errs := record.DecodeAll(raw)
	good := make([]*record.Record, 0, len(raw))
	for i, r := range recs {
		if errs[i] != nil {
			refused = append(refused, refusal(errs[i]))
			continue
		}
		if r.ID != n.coop && r.Coop != n.coop {
			refused = append(refused, Refusal{ID: r.ID, Kind: RefusedForeign, Reason: fmt.Sprintf("record %s %s (%s)", r.ID.Short(), ErrForeignCoop, r.Coop.Short())})
			continue
		}
		good = append(good, r)
	}
	n.mu.Lock()
	n.countRefused(refused)
	n.mu.Unlock()
	added, strangers, err := n.store(good, storeBatch, from, nil)
	return added, append(refused, strangers...), err
}

// DeviceAllowed reports whether k may sync with this node: a certified
// device of a current member or, while this node awaits its own admission
// (it holds no member roll to judge by), a device it trusts from its invite.
func (n *Node) DeviceAllowed(k record.PublicKey) bool {
	if n.State().DeviceAllowed(k) {
		return true
	}
	if n.Admitted() {
		return false
	}
	_, err := n.Local("trust").Get(k.String())
	return err == nil
}

// TrustUntilAdmitted lets device k (the inviter's, from an invite) sync with
// this node until this node's member is admitted, so that it can receive
// the co-op's records: they are verified as always, and the genesis
// record's ID is the co-op's ID, so a false co-op cannot be passed off.
func (n *Node) TrustUntilAdmitted(k record.PublicKey) error {
	return n.Local("trust").Set(k.String(), nil)
}

// ErrNotFound: no local value under the key.
var ErrNotFound = store.ErrNotFound

// Local is a namespace of the node's own, unreplicated state (a sync
// layer's peer book and progress). It is not derived from records, so
// Reindex leaves it alone.
type Local struct {
	n      *Node
	prefix []byte
}

// Local returns the namespace ns.
func (n *Node) Local(ns string) Local {
	return Local{n: n, prefix: append([]byte("l/"+ns), 0)}
}

// Get returns the value under key, or ErrNotFound.
func (l Local) Get(key string) ([]byte, error) {
	return l.n.kv.Get(append(bytes.Clone(l.prefix), key...))
}

// Set stores value under key, durably.
func (l Local) Set(key string, value []byte) error {
	return l.n.kv.Update(func(tx store.Tx) error { return tx.Set(append(bytes.Clone(l.prefix), key...), value) })
}

// Delete removes key; a missing key is not an error.
func (l Local) Delete(key string) error {
	return l.n.kv.Update(func(tx store.Tx) error {
		err := tx.Delete(append(bytes.Clone(l.prefix), key...))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
}

// Each calls fn for every key and value in the namespace, in key order.
func (l Local) Each(fn func(key string, value []byte) error) error {
	return l.n.kv.Scan(l.prefix, func(k, v []byte) error { return fn(string(k[len(l.prefix):]), bytes.Clone(v)) })
}

// SendOrder orders ids for sending to a peer: first the records that can
// make keys known (coop.KeyTypes), each after those of its predecessors
// among them, then the rest in the order given. A peer stores only what
// keys it knows sign, judging each batch by what it already holds and the
// batch itself, so a certificate must come no later than what its device
// signed. ids in another order would still converge, over more sessions.
func (n *Node) SendOrder(ids []record.ID) []record.ID {
	if len(ids) < 2 {
		return ids
	}
	want := make(map[record.ID]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var keyIDs []record.ID
	for _, t := range coop.KeyTypes() {
		if t == coop.TypeJoinRequest {
			continue // storable by itself, and known to the book whenever it comes: no need to hold them all here
		}
		got, err := n.IDsOfType(t)
		if err != nil {
			return ids // the order saves sessions; it is not needed to converge
		}
		for _, id := range got {
			if want[id] {
				keyIDs = append(keyIDs, id)
			}
		}
	}
	if len(keyIDs) == 0 {
		return ids
	}
	out := make([]record.ID, 0, len(ids))
	first := make(map[record.ID]bool, len(keyIDs))
	for _, r := range causalOrder(n.Get(keyIDs)) {
		out = append(out, r.ID)
		first[r.ID] = true
	}
	for _, id := range ids {
		if !first[id] {
			out = append(out, id)
		}
	}
	return out
}
