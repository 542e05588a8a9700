// Package store is the node's local key-value storage: one small interface,
// KV, with a Badger implementation (encrypted at rest, durable writes) and an
// in-memory one. Both pass the conformance suite in package storetest.
//
// Records are the truth; everything else a node keeps in a KV is derived
// from them and can be rebuilt (see node.Reindex).
package store

import "errors"

// ErrNotFound: no value under the key.
var ErrNotFound = errors.New("not found")

// ErrClosed: the store was closed.
var ErrClosed = errors.New("store closed")

// KV is an ordered key-value store with atomic, durable batches.
type KV interface {
	// Get returns a copy of the value under key, or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Scan calls fn for every key with prefix, in key order, until fn returns an error
	// (which Scan returns). Keys and values are valid only during the call.
	Scan(prefix []byte, fn func(key, value []byte) error) error
	// Keys is Scan without the values: a node lists what it holds this way
	// without reading every record.
	Keys(prefix []byte, fn func(key []byte) error) error
	// Version is the store's write version: every write so far has a
	// version at most this, every later one a greater.
	Version() (uint64, error)
	// KeysSince is Keys for the keys last written after version since: a
	// node that wrote down what it held at a version lists only what came
	// after, without touching the rest of the store.
	KeysSince(prefix []byte, since uint64, fn func(key []byte) error) error
	// Update runs fn in a read-write transaction. When Update returns nil the
	// writes are durable (they survive a crash); when fn fails, none are applied.
	Update(fn func(tx Tx) error) error
	// Close releases the store; it is safe to call more than once.
	Close() error
}

// Tx is a read-write transaction.
type Tx interface {
	Get(key []byte) ([]byte, error)
	Set(key, value []byte) error
	Delete(key []byte) error
}
