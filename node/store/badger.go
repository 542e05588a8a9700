package store

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// Badger is a KV in a Badger database directory.
type Badger struct {
	db        *badger.DB
	closeOnce sync.Once
	closeErr  error
}

// OpenBadger opens (or creates) a Badger database in dir. A non-nil key
// (16, 24 or 32 bytes) encrypts it at rest; the same key must open it again.
// Writes are synchronous: an Update that returned nil survives power loss.
func OpenBadger(dir string, key []byte) (*Badger, error) {
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(nil).
		WithNumVersionsToKeep(1).
		// Small tables keep an idle node's memory modest; a co-op's records are small.
		WithMemTableSize(16 << 20).
		WithValueLogFileSize(64 << 20).
		// The node keeps its state in memory and reads records rarely (a
		// peer's sync, an export): Badger's default 256 MB block cache
		// would be a quarter of a large co-op's memory, for little.
		WithBlockCacheSize(32 << 20)
	if key != nil {
		opts = opts.WithEncryptionKey(key).WithIndexCacheSize(16 << 20)
	}
	db, err := badger.Open(opts)
	if err != nil {
		if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
			return nil, fmt.Errorf("open store %s: it was encrypted with another key (is this the right home?): %w", dir, err)
		}
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return &Badger{db: db}, nil
}

func wrap(err error) error {
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	case errors.Is(err, badger.ErrDBClosed):
		return ErrClosed
	}
	return err
}

func (s *Badger) Get(key []byte) (v []byte, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key)
		if err != nil {
			return err
		}
		v, err = it.ValueCopy(nil)
		return err
	})
	return v, wrap(err)
}

func (s *Badger) Scan(prefix []byte, fn func(k, v []byte) error) error {
	return wrap(s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
				return err
			}
		}
		return nil
	}))
}

type badgerTx struct{ txn *badger.Txn }

// Keys iterates over keys only: Badger then reads no values at all.
func (s *Badger) Keys(prefix []byte, fn func(k []byte) error) error {
	return s.KeysSince(prefix, 0, fn)
}

// Version is Badger's commit timestamp: each transaction's writes carry
// the next one.
func (s *Badger) Version() (uint64, error) {
	if s.db.IsClosed() {
		return 0, ErrClosed
	}
	return s.db.MaxVersion(), nil
}

// KeysSince skips, besides the keys written up to since, every table that
// holds only such keys (Badger's SinceTs).
func (s *Badger) KeysSince(prefix []byte, since uint64, fn func(k []byte) error) error {
	return wrap(s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false, SinceTs: since})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := fn(it.Item().Key()); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (t badgerTx) Get(key []byte) ([]byte, error) {
	it, err := t.txn.Get(key)
	if err != nil {
		return nil, wrap(err)
	}
	return it.ValueCopy(nil)
}
func (t badgerTx) Set(key, value []byte) error { return t.txn.Set(key, value) }
func (t badgerTx) Delete(key []byte) error     { return t.txn.Delete(key) }

// Update runs fn in one transaction. Badger limits a transaction's size; the
// records a user creates at once are far below it.
func (s *Badger) Update(fn func(Tx) error) error {
	return wrap(s.db.Update(func(txn *badger.Txn) error { return fn(badgerTx{txn}) }))
}

func (s *Badger) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.db.Close() })
	return s.closeErr
}

// SyncWrites reports whether every Update is fsynced before it returns.
func (s *Badger) SyncWrites() bool { return s.db.Opts().SyncWrites }
