package coop

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/coopnode/coopnode/node/record"
)

// Strangers cannot store. A node stores a record only if its author is a
// key the co-op knows, so that no one outside the co-op can fill members'
// disks by getting records relayed or a bundle imported (a validly signed
// record of an unknown type or a newer version is otherwise kept, as
// "needs a newer coopnode"). A KeyBook is that knowledge: the keys that
// the records a node holds introduce, starting from the genesis:
//
//   - the genesis of the node's co-op introduces its author, the founder;
//   - an admission introduces the admitted member key, a device
//     certificate the device key, a consent key registration the consent
//     key; each only when its own author is known;
//   - a join request lets its author store that request, and nothing
//     else: a joiner is new by nature. Its member and device keys become
//     known once a known key answers it (an admission or an admission
//     proposal naming it).
//
// This guards disks; it does not judge validity, which is the fold's. So a
// key once known stays known (a removed member's, a revoked device's: what
// they sign outside their cut is rejected by the fold, yet stored), and a
// known key that introduces another (even by a record the fold rejects)
// lets it store: either way it is a key of the co-op filling disks, which
// that key could do by signing junk itself. What the guard stops is
// anyone else. Records of types or versions this code cannot read
// introduce nothing here: what only they make known waits for an upgrade.
//
// A KeyBook is monotone and does not depend on the order records are
// added, so a node can judge a batch with the keys the batch itself
// introduces (a certificate arriving with the records it authorises).
type KeyBook struct {
	coop  record.ID
	known map[record.PublicKey]bool
	// Introductions waiting for their introducer to be known.
	waiting map[record.PublicKey][]record.PublicKey
	// Join requests seen (their keys), and those a known key answered.
	requests map[record.ID][2]record.PublicKey
	answered map[record.ID]bool
	// Join requests answered by keys not known yet.
	answers map[record.PublicKey][]record.ID
}

// ErrStranger: a record signed by a key the co-op does not know.
var ErrStranger = errors.New("signed by a key this co-op does not know")

// StrangerError says which record a node refused to store, and why.
type StrangerError struct {
	ID     record.ID
	Type   string
	Author record.PublicKey
}

func (e *StrangerError) Error() string {
	return fmt.Sprintf("record %s (%s) is %v (%s): not a member's key, a certified device, a consent key nor a joiner on their own join request. A node stores only what the co-op's keys sign; if it is yours, join the co-op first",
		e.ID.Short(), e.Type, ErrStranger, e.Author.String()[:12])
}

func (e *StrangerError) Unwrap() error { return ErrStranger }

// NewKeyBook returns an empty book for co-op coop: it knows no key until
// the co-op's genesis is added.
func NewKeyBook(coop record.ID) *KeyBook {
	return &KeyBook{coop: coop, known: map[record.PublicKey]bool{}, waiting: map[record.PublicKey][]record.PublicKey{},
		requests: map[record.ID][2]record.PublicKey{}, answered: map[record.ID]bool{}, answers: map[record.PublicKey][]record.ID{}}
}

// Clone returns a copy that can learn more without changing b.
func (b *KeyBook) Clone() *KeyBook {
	c := &KeyBook{coop: b.coop, known: maps.Clone(b.known), waiting: maps.Clone(b.waiting),
		requests: maps.Clone(b.requests), answered: maps.Clone(b.answered), answers: maps.Clone(b.answers)}
	// The lists are appended to: a clone must not append into b's arrays.
	for k, v := range c.waiting {
		c.waiting[k] = v[:len(v):len(v)]
	}
	for k, v := range c.answers {
		c.answers[k] = v[:len(v):len(v)]
	}
	return c
}

// Knows reports whether k is a key of the co-op (see KeyBook).
func (b *KeyBook) Knows(k record.PublicKey) bool { return b.known[k] }

// MayStore says whether a node may store r: nil, or a *StrangerError.
// r's own introductions count only if they were added (Add) first.
func (b *KeyBook) MayStore(r *record.Record) error {
	switch {
	case r.ID == b.coop, b.known[r.Author]:
		return nil
	case r.Type == TypeJoinRequest && Known(r.Type, r.V):
		// The joiner's own request. Whether it is well-formed is the
		// fold's to say: anyone can write a well-formed one, so checking
		// here would keep out nothing, at the cost of two key checks.
		return nil
	}
	return &StrangerError{ID: r.ID, Type: r.Type, Author: r.Author}
}

// Add learns what r introduces (see KeyBook), now if its author is known,
// else once it is.
func (b *KeyBook) Add(r *record.Record) {
	if r.ID == b.coop && r.Type == TypeGenesis {
		b.learn(r.Author)
		return
	}
	if r.Coop != b.coop || !Known(r.Type, r.V) {
		return
	}
	switch r.Type {
	case TypeDevice:
		var d Device
		if r.DecodeBody(&d) == nil {
			b.introduce(r.Author, d.Key)
		}
	case TypeAdmitted:
		var p Profile
		if r.DecodeBody(&p) == nil {
			b.introduce(r.Author, p.MemberKey)
			b.answer(r.Author, p.Request)
		}
	case TypeProposal:
		var p struct {
			Request record.ID `json:"request"`
		}
		if json.Unmarshal(r.Body, &p) == nil {
			b.answer(r.Author, p.Request)
		}
	case TypeConsentKey:
		var k ConsentKey
		if r.DecodeBody(&k) == nil {
			b.introduce(r.Author, k.Key)
		}
	case TypeJoinRequest:
		if keys, ok := joinRequestKeys(r); ok {
			b.requests[r.ID] = keys
			if b.answered[r.ID] {
				b.learn(keys[:]...)
			}
		}
	}
}

// KeyTypes are the types of the records that can make keys known: what a
// node reads to rebuild its KeyBook, and sends a peer first.
func KeyTypes() []string {
	return []string{TypeGenesis, TypeAdmitted, TypeDevice, TypeConsentKey, TypeJoinRequest, TypeProposal}
}

// joinRequestKeys returns a join request's member and device keys.
func joinRequestKeys(r *record.Record) ([2]record.PublicKey, bool) {
	var j JoinRequest
	if r.DecodeBody(&j) != nil {
		return [2]record.PublicKey{}, false
	}
	return [2]record.PublicKey{r.Author, j.DeviceKey}, true
}

func (b *KeyBook) introduce(by, k record.PublicKey) {
	if b.known[by] {
		b.learn(k)
	} else {
		b.waiting[by] = append(b.waiting[by], k)
	}
}

func (b *KeyBook) answer(by record.PublicKey, req record.ID) {
	switch {
	case req.IsZero():
	case b.known[by]:
		b.answered[req] = true
		if keys, ok := b.requests[req]; ok {
			b.learn(keys[:]...)
		}
	default:
		b.answers[by] = append(b.answers[by], req)
	}
}

// learn marks keys known, and with them what they introduced while unknown.
func (b *KeyBook) learn(keys ...record.PublicKey) {
	todo := append([]record.PublicKey(nil), keys...)
	for len(todo) > 0 {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if b.known[k] {
			continue
		}
		b.known[k] = true
		todo = append(todo, b.waiting[k]...)
		delete(b.waiting, k)
		for _, req := range b.answers[k] {
			b.answered[req] = true
			if keys, ok := b.requests[req]; ok {
				todo = append(todo, keys[:]...)
			}
		}
		delete(b.answers, k)
	}
}
