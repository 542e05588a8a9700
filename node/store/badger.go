package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Badger is a KV in a Badger database directory.
type Badger struct {
	db        *badger.DB
	closeOnce sync.Once
	closeErr  error
	// Orphans is where table files the MANIFEST did not name were kept
	// (see OrphansDir), "" if there were none.
	Orphans string
}

// OpenBadger opens (or creates) a Badger database in dir. A non-nil key
// (16, 24 or 32 bytes) encrypts it at rest; the same key must open it again.
// Writes are synchronous: an Update that returned nil survives power loss.
// A store Badger cannot open, or that would panic inside Badger, fails with
// an error wrapping ErrDamaged.
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
		WithBlockCacheSize(32 << 20).
		// An altered block then fails its read instead of decoding as
		// garbage; a block's checksum costs little beside reading it.
		WithChecksumVerificationMode(options.OnBlockRead).
		// A value read from the value log is checked too: a missing or
		// cut value log file otherwise reads as empty values.
		WithVerifyValueChecksum(true)
	if key != nil {
		opts = opts.WithEncryptionKey(key).WithIndexCacheSize(16 << 20)
	}
	kept, err := checkDir(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	db, err := openRecovered(opts)
	if err != nil {
		if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
			return nil, fmt.Errorf("open store %s: it was encrypted with another key (is this the right home?): %w", dir, err)
		}
		if !errors.Is(err, ErrDamaged) {
			err = fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return &Badger{db: db, Orphans: kept}, nil
}

// openRecovered is badger.Open, with a panic on this goroutine (Badger's
// answer to some damaged files) turned into an error.
func openRecovered(opts badger.Options) (db *badger.DB, err error) {
	defer recovered(&err)
	return badger.Open(opts)
}

// recovered turns a panic inside Badger into an error wrapping ErrDamaged.
// Use it deferred.
func recovered(err *error) {
	if r := recover(); r != nil {
		*err = damagedf("Badger failed reading it: %v", r)
	}
}

// recoveredUnless is recovered for reads that call back: a panic of the
// caller's function is the caller's, and goes on.
func recoveredUnless(err *error, inCaller *bool) {
	if r := recover(); r != nil {
		if *inCaller {
			panic(r)
		}
		*err = damagedf("Badger failed reading it: %v", r)
	}
}

// Check reads every key and value in the store, as a node does when it
// opens to know that Badger can read all of it, and counts the keys with
// prefix. It fails, wrapping ErrDamaged, at the first that cannot be read.
func (s *Badger) Check(prefix []byte) (count int, err error) {
	defer recovered(&err)
	// Iterators end early, saying nothing, at a block that fails its
	// checksum: check every table's blocks first.
	if err := s.db.VerifyChecksum(); err != nil {
		return 0, damagedf("%v", err)
	}
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{AllVersions: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			// Large values live in the value log: read them too. A value
			// log file that is missing or cut short reads as a short
			// value, without an error.
			var got int
			if err := item.Value(func(v []byte) error { got = len(v); return nil }); err != nil {
				return damagedf("read the value of key %q: %v", item.Key(), err)
			}
			if want := item.ValueSize(); int64(got)+32 < want {
				return damagedf("read the value of key %q: %d bytes, not about %d (is a value log file missing or cut short?)", item.Key(), got, want)
			}
			if bytes.HasPrefix(item.Key(), prefix) {
				count++
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return count, err
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
	defer recovered(&err)
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

func (s *Badger) Scan(prefix []byte, fn func(k, v []byte) error) (err error) {
	var inFn bool
	defer recoveredUnless(&err, &inFn)
	return wrap(s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			if err := item.Value(func(v []byte) error {
				inFn = true
				err := fn(item.Key(), v)
				inFn = false
				return err
			}); err != nil {
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
func (s *Badger) KeysSince(prefix []byte, since uint64, fn func(k []byte) error) (err error) {
	var inFn bool
	defer recoveredUnless(&err, &inFn)
	return wrap(s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false, SinceTs: since})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			inFn = true
			err := fn(it.Item().Key())
			inFn = false
			if err != nil {
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
