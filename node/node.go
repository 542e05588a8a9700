// Package node is a member's node as a library: it owns a home directory
// (the sealed identity, the encrypted store, the lock) and the co-op state
// folded from the records it holds. Its lifecycle is Open (or Init), Start,
// Close; Close is idempotent.
//
// Records are the truth. The store keeps each record's binary form under
// its ID; everything else in it is derived and rebuilt by Reindex.
package node

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"weak"

	"golang.org/x/sync/errgroup"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
	"github.com/coopnode/coopnode/node/vault"
)

var (
	// ErrInUse: another process holds the home directory.
	ErrInUse = errors.New("home in use")
	// ErrNotInitialized: the home holds no identity; run `coopnode init`.
	ErrNotInitialized = errors.New("home is not initialised")
	// ErrAlreadyInitialized: the home already holds an identity and a co-op.
	ErrAlreadyInitialized = errors.New("home already holds a co-op")
	// ErrClosed: the node was closed.
	ErrClosed = errors.New("node closed")
)

// Store key prefixes. Only prefixRecord and prefixMeta hold truth.
var (
	prefixRecord = []byte("r/") // r/<id> -> binary record
	prefixMeta   = []byte("m/") // m/coop -> coop ID
	prefixIndex  = []byte("i/") // derived; dropped and rebuilt by Reindex
	keyCoop      = []byte("m/coop")
	// keySnapshot binds the snapshot file to the store: the salt of the
	// last one written (see readSnapshot).
	keySnapshot = []byte("m/snapshot")
	// prefixMissing marks records the state (and so a snapshot) names but
	// the store lacks, found by VerifyStored: m/missing/<id> -> "". They
	// are not held, across restarts, until a peer sends them again.
	prefixMissing = []byte("m/missing/")
	prefixByType  = []byte("i/t/") // i/t/<type>\x00<id> -> ""
)

// Options tune a node; the zero value is right for real use.
type Options struct {
	// KDF are the Argon2id parameters used when sealing keys (Init). Tests use cheap ones.
	KDF *identity.Params
	// Now is the clock records are stamped with.
	Now func() time.Time
	// DeviceLabel names this device in its certificate (default: the host name).
	DeviceLabel string
	// Lock, when set, is the home's lock already held by the caller, who keeps
	// it: Init and Open use it instead of locking, and Close leaves it held.
	Lock *HomeLock
	// AcceptStore opens a store that holds fewer records than this node
	// last knew, as it is (`coopnode reindex`); Open otherwise refuses it
	// (see StoreCountFile). A store Badger cannot read whole is refused
	// all the same.
	AcceptStore bool
}

// lock returns the home's lock and whether this call took it.
func (o *Options) lock(home string) (*HomeLock, bool, error) {
	if o.Lock != nil {
		return o.Lock, false, nil
	}
	l, err := LockHome(home)
	return l, true, err
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Node is an opened home.
type Node struct {
	home string
	opts Options
	lock *HomeLock
	owns bool // whether Close releases lock
	keys *identity.Keyring
	kv   store.KV
	coop record.ID
	// vault holds the member's data items, encrypted (package vault).
	vault *vault.Store

	// consentMu serialises consent changes: each reads what is in force
	// and writes what follows from it.
	consentMu sync.Mutex

	mu sync.RWMutex
	// folder keeps the state current: new records are applied to it
	// directly where they can be, and a full fold waits for the next read
	// where they cannot (see coop.Folder).
	folder *coop.Folder
	last   *coop.State // the last state reached
	// held is the set of stored record IDs; the records stay in the store.
	held map[record.ID]struct{}
	// book is the keys the held records introduce: only what they sign is
	// stored (see coop.KeyBook). refused counts the records refused, by kind.
	book    *coop.KeyBook
	refused map[string]int
	// early are the stored records held until their dates, kept out of
	// the Folder (see hold.go); wake tells releaseHeld of new ones.
	early   map[record.ID]heldRecord
	wake    chan struct{}
	missing map[record.ID]bool // named by the state, not in the store (see prefixMissing)
	corrupt []string           // problems found reading the store
	snapMu  sync.Mutex         // writing a snapshot, and Reindex
	// digestMu guards the digest of digestOf, computed once per state:
	// it covers the whole state, so a status poll must not redo it.
	digestMu sync.Mutex
	digestOf weak.Pointer[coop.State] // weak: a state replaced is not kept for it
	digest   [32]byte
	// bad are records damaged since stored (see VerifyStored): never read.
	// It has its own lock: the Folder's Source reads it under mu.
	badMu sync.RWMutex
	bad   map[record.ID]bool
	notes map[string]string // other problems, by topic
	// Snapshots (see snapshot.go): records stored since the last one, when
	// it was written, whether one is due regardless, and whether the
	// stored records still need checking again.
	sinceSnapshot int
	snapshotAt    time.Time
	snapshotDue   bool
	closedStore   bool
	closed        bool
	hooks         map[int]func([]*record.Record, string)
	nextHook      int

	ctx      context.Context // background work (sync, from package sync) runs under it
	cancel   context.CancelFunc
	group    *errgroup.Group
	stopOnce sync.Once
}

// Init creates an identity in home, seals it under passphrase, and founds a
// co-op named coopName with founderName as its first member and default bylaws.
func Init(home, founderName, coopName string, passphrase []byte, opts Options) (*Node, error) {
	if founderName == "" || coopName == "" {
		return nil, errors.New("init: give your name (--name) and the co-op's name (--coop)")
	}
	return create(home, passphrase, opts, func(keys *identity.Keyring, label string) (record.ID, []*record.Record, error) {
		genesis, cert, err := coop.Found(keys.Member(), keys.Device(), coopName, founderName, label, coop.DefaultBylaws(coopName), opts.now())
		if err != nil {
			return record.ID{}, nil, err
		}
		return genesis.ID, []*record.Record{genesis, cert}, nil
	})
}

// Join creates an identity in home for joining the co-op coopID (from an
// invite). The node holds none of the co-op's records until a member admits
// it and it syncs; see RequestJoin.
func Join(home string, coopID record.ID, passphrase []byte, opts Options) (*Node, error) {
	if coopID.IsZero() {
		return nil, errors.New("join: the invite names no co-op")
	}
	return create(home, passphrase, opts, func(*identity.Keyring, string) (record.ID, []*record.Record, error) {
		return coopID, nil, nil
	})
}

// create makes a new home: keys, sealed key file, store naming the co-op
// that first returns, and the records it returns.
func create(home string, passphrase []byte, opts Options, first func(keys *identity.Keyring, label string) (record.ID, []*record.Record, error)) (*Node, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("init: the passphrase must not be empty")
	}
	lock, owns, err := opts.lock(home)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok && owns {
			lock.Release()
		}
	}()
	if Initialized(home) {
		return nil, fmt.Errorf("%w (%s); nothing was changed. Use another --home for another co-op", ErrAlreadyInitialized, home)
	}
	if entries, _ := os.ReadDir(filepath.Join(home, DBDir)); len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s has a store but no identity file; restore %s or use another --home", ErrAlreadyInitialized, home, KeyFile)
	}
	keys, err := identity.Generate(nil)
	if err != nil {
		return nil, err
	}
	params := identity.DefaultParams
	if opts.KDF != nil {
		params = *opts.KDF
	}
	label := opts.DeviceLabel
	if label == "" {
		label, _ = os.Hostname()
	}
	coopID, recs, err := first(keys, label)
	if err != nil {
		return nil, err
	}
	sealed, err := keys.Seal(passphrase, params)
	if err != nil {
		return nil, err
	}
	kv, err := store.OpenBadger(filepath.Join(home, DBDir), keys.StorageKey("badger"))
	if err != nil {
		return nil, err
	}
	n := &Node{home: home, opts: opts, lock: lock, owns: owns, keys: keys, kv: kv, coop: coopID, held: map[record.ID]struct{}{},
		early: map[record.ID]heldRecord{}, wake: make(chan struct{}, 1), folder: coop.NewFolder(coopID, nil), snapshotDue: true,
		book: coop.NewKeyBook(coopID)}
	n.folder.UseSource(n.source)
	n.vault, err = vault.Open(filepath.Join(home, VaultDir), keys.StorageKey("vault"))
	if err == nil {
		err = kv.Update(func(tx store.Tx) error { return tx.Set(keyCoop, coopID[:]) })
	}
	if err == nil && len(recs) > 0 {
		err = n.Put(recs...)
	}
	// The key file goes last: a home without it is not initialised, so a failed Init can be retried.
	if err == nil {
		err = writeFileAtomic(filepath.Join(home, KeyFile), sealed, 0o600)
	}
	if err != nil {
		kv.Close()
		os.RemoveAll(filepath.Join(home, DBDir))
		os.RemoveAll(filepath.Join(home, VaultDir))
		return nil, fmt.Errorf("init: %w", err)
	}
	ok = true
	return n, nil
}

// Open unlocks home's identity with passphrase and loads its co-op.
// Errors: ErrNotInitialized, ErrInUse, identity.ErrWrongPassphrase.
func Open(home string, passphrase []byte, opts Options) (*Node, error) {
	if !Initialized(home) {
		return nil, fmt.Errorf("%w: %s has no identity; run `coopnode init --name NAME --coop NAME` first", ErrNotInitialized, home)
	}
	lock, owns, err := opts.lock(home)
	if err != nil {
		return nil, err
	}
	sealed, err := os.ReadFile(filepath.Join(home, KeyFile))
	if err == nil {
		var keys *identity.Keyring
		if keys, err = identity.Open(sealed, passphrase); err == nil {
			var n *Node
			if n, err = openStore(home, keys, lock, opts); err == nil {
				n.owns = owns
				return n, nil
			}
		}
	}
	if owns {
		lock.Release()
	}
	if errors.Is(err, identity.ErrWrongPassphrase) {
		return nil, fmt.Errorf("%w for %s; nothing was changed", err, home)
	}
	return nil, fmt.Errorf("open %s: %w", home, err)
}

func openStore(home string, keys *identity.Keyring, lock *HomeLock, opts Options) (*Node, error) {
	kv, err := store.OpenBadger(filepath.Join(home, DBDir), keys.StorageKey("badger"))
	if errors.Is(err, store.ErrDamaged) {
		return nil, fmt.Errorf("%w. %s", err, recovery(false))
	}
	if err != nil {
		return nil, err
	}
	accepted, err := checkStore(home, kv, opts)
	if err != nil {
		kv.Close()
		return nil, err
	}
	c, err := kv.Get(keyCoop)
	if err != nil || len(c) != 32 {
		kv.Close()
		return nil, fmt.Errorf("the store names no co-op (m/coop: %v); the home is damaged", err)
	}
	n := &Node{home: home, opts: opts, lock: lock, keys: keys, kv: kv, held: map[record.ID]struct{}{},
		early: map[record.ID]heldRecord{}, wake: make(chan struct{}, 1)}
	copy(n.coop[:], c)
	if n.vault, err = vault.Open(filepath.Join(home, VaultDir), keys.StorageKey("vault")); err != nil {
		kv.Close()
		return nil, err
	}
	// A snapshot being written when the process died (hundreds of MB for
	// a large co-op); the home is locked, so no one is writing one now.
	if tmps, _ := filepath.Glob(filepath.Join(home, "."+SnapshotFile+".tmp*")); len(tmps) > 0 {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	if err := n.load(true); err != nil {
		kv.Close()
		return nil, err
	}
	if kv.Orphans != "" {
		n.corrupt = append(n.corrupt, fmt.Sprintf("table files of the store that its MANIFEST did not name were kept in %s (Badger would have deleted them). If every record is here, that folder may be deleted; otherwise keep it for recovery.", kv.Orphans))
	}
	if accepted != "" {
		// What the store no longer lists is not swept while it is short.
		n.corrupt = append(n.corrupt, accepted)
		return n, nil
	}
	n.sweepVault()
	return n, nil
}

// load lists the stored records and restores the state: from the
// snapshot and the records it does not cover, if withSnapshot and the
// snapshot is usable; otherwise by reading, checking and folding every
// record. A record that fails to decode is reported as a problem and left
// untouched in the store.
func (n *Node) load(withSnapshot bool) error {
	var corrupt []string
	var held map[record.ID]struct{}
	var f *coop.Folder
	var extra []record.ID
	if withSnapshot {
		var err error
		if f, held, extra, err = n.readSnapshot(); err != nil {
			f, held, extra = nil, nil, nil // derived data: fold the records instead
			os.Remove(filepath.Join(n.home, SnapshotFile))
		}
	}
	if f == nil {
		held = map[record.ID]struct{}{}
		err := n.kv.Keys(prefixRecord, func(k []byte) error {
			if id, ok := recordID(k); ok {
				held[id] = struct{}{}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list records: %w", err)
		}
	}
	since, fromSnapshot := len(extra), f != nil
	var last *coop.State // a state to answer with should a full fold fail
	var early map[record.ID]heldRecord
	if f != nil {
		var recs []*record.Record
		for _, id := range extra {
			raw, err := n.kv.Get(recordKey(id))
			if err != nil {
				return fmt.Errorf("read record %s: %w", id.Short(), err)
			}
			r, err := record.ReadStored(raw, id) // signatures: VerifyStored, as for the rest
			if err != nil {
				corrupt = append(corrupt, damaged(id, err))
				n.markBad(id)
				continue
			}
			recs = append(recs, r)
		}
		last, _ = f.Current()
		// Records held when the snapshot was written are not in it: due
		// ones are folded now, the others held again.
		var err error
		if recs, early, err = n.loadHeld(last, held, recs); err != nil {
			return err
		}
		f.Add(causalOrder(recs)...) // predecessors first, so they apply directly
	} else {
		recs, problems, bad, err := n.readAll(false)
		if err != nil {
			return err
		}
		corrupt = append(corrupt, problems...)
		n.markBad(bad...)
		if recs, early, err = n.loadHeld(nil, held, recs); err != nil {
			return err
		}
		f = coop.NewFolder(n.coop, recs)
		f.UseSource(n.source)
		last, _ = f.Current()
	}
	missing, notes, err := n.loadMissing(held, fromSnapshot)
	if err != nil {
		return err
	}
	corrupt = append(corrupt, notes...)
	book, err := n.readKeyBook(held)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.held, n.early, n.missing, n.corrupt, n.folder, n.last, n.book = held, early, missing, corrupt, f, last, book
	n.sinceSnapshot = since
	n.snapshotDue = !fromSnapshot // write one soon
	n.snapshotAt = time.Now()
	return nil
}

// Start lets the node run background work (see Go) until ctx ends or Close
// is called. Sync and discovery (package sync) attach through Go.
func (n *Node) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if n.cancel != nil {
		return nil // started already
	}
	n.ctx, n.cancel = context.WithCancel(ctx)
	n.group, n.ctx = errgroup.WithContext(n.ctx)
	n.group.Go(func() error { return n.maintain(n.ctx) })
	n.group.Go(func() error { return n.tellInBackground(n.ctx) })
	n.group.Go(func() error { return n.releaseHeld(n.ctx) })
	return nil
}

// Go runs f as the node's background work: f must return when ctx ends,
// which happens at Close (which waits for it) or when any other such work
// fails. It fails with ErrClosed after Close, and before Start.
func (n *Node) Go(f func(ctx context.Context) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || n.group == nil {
		return fmt.Errorf("node background work: %w (or not started)", ErrClosed)
	}
	ctx := n.ctx
	n.group.Go(func() error { return f(ctx) })
	return nil
}

// Close stops the node's background work, waits for it, and releases the
// home. It is safe to call more than once. It returns the first error of
// the background work, if any, or of closing the store.
func (n *Node) Close() error {
	var err error
	n.stopOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		if n.cancel != nil {
			n.cancel()
		}
		g := n.group
		n.mu.Unlock()
		if g != nil {
			if gerr := g.Wait(); gerr != nil && !errors.Is(gerr, context.Canceled) {
				err = gerr
			}
		}
		// A snapshot spares the next Open reading every record.
		n.mu.RLock()
		due := n.snapshotDue || n.sinceSnapshot > 0
		n.mu.RUnlock()
		if due {
			n.State() // a full fold that is due, so the snapshot can be written
			if serr := n.writeSnapshot(); err == nil {
				err = serr
			}
		}
		n.mu.Lock()
		n.closedStore = true
		n.mu.Unlock()
		if cerr := n.kv.Close(); err == nil {
			err = cerr
		}
		if n.owns {
			n.lock.Release()
		}
	})
	return err
}

// Home is the node's home directory.
func (n *Node) Home() string { return n.home }

// CoopID is the co-op's ID (its genesis record ID).
func (n *Node) CoopID() record.ID { return n.coop }

// MemberKey and DeviceKey are this node's public keys.
func (n *Node) MemberKey() record.PublicKey { return n.keys.MemberKey() }
func (n *Node) DeviceKey() record.PublicKey { return n.keys.DeviceKey() }

// State is the current co-op state. Callers must not modify it; it never
// changes once returned. New records are applied to it as they are stored
// where that gives the same state as folding them all (ballots, receipts,
// proposals, most closes); otherwise the next State folds everything, so a
// burst of such records costs one fold.
func (n *Node) State() *coop.State {
	n.mu.RLock()
	s, ok := n.folder.Current()
	n.mu.RUnlock()
	if ok {
		return s
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s, err := n.folder.State()
	if err != nil {
		// The store could not be read: keep answering with the last state,
		// and say so.
		if n.notes == nil {
			n.notes = map[string]string{}
		}
		n.notes["state"] = fmt.Sprintf("the state may be out of date: %v", err)
		return n.last
	}
	delete(n.notes, "state")
	n.last = s
	return s
}

// StateDigest returns the current state and its digest (coop.State.Digest),
// computed once per state: a large co-op's takes a second.
func (n *Node) StateDigest() (*coop.State, [32]byte) {
	s := n.State()
	n.digestMu.Lock()
	defer n.digestMu.Unlock()
	if n.digestOf.Value() != s {
		n.digestOf, n.digest = weak.Make(s), s.Digest()
	}
	return s, n.digest
}

// FoldCounts says how often the state was reached by a full fold and by
// applying new records directly (see coop.Folder), for status and benchmarks.
func (n *Node) FoldCounts() (full, direct int) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.folder.Full, n.folder.Incremental
}

// Problems are sentences about what is wrong in this home and what to do.
func (n *Node) Problems() []string {
	s := n.State()
	held := n.Held()
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := append([]string(nil), n.corrupt...)
	for _, k := range slices.Sorted(maps.Keys(n.notes)) {
		out = append(out, n.notes[k])
	}
	for _, r := range s.Rejected {
		out = append(out, fmt.Sprintf("record %s (%s) breaks the co-op's rules: %s", r.ID.Short(), r.Type, r.Reason))
	}
	return append(out, heldProblems(held)...)
}

// Records reads every record this node holds (whether or not the co-op's
// rules accept it: see State for that) from the store, in ID order.
// Damaged records are left out (Problems names them), and so are records
// held until their dates (Held): until then they are as if not arrived.
func (n *Node) Records() ([]*record.Record, error) {
	recs, _, _, err := n.readAll(true)
	if err != nil {
		return nil, err
	}
	if early := n.heldSet(); len(early) > 0 {
		recs = slices.DeleteFunc(recs, func(r *record.Record) bool { _, ok := early[r.ID]; return ok })
	}
	slices.SortFunc(recs, func(a, b *record.Record) int { return record.CompareIDs(a.ID, b.ID) })
	return recs, nil
}

// ErrForeignCoop: records or a bundle of another co-op.
var ErrForeignCoop = errors.New("belongs to another co-op")

// Put verifies and durably stores records; state is refolded when next
// read. Records already held are skipped. If any record fails to verify,
// or is signed by a key the co-op does not know (coop.ErrStranger; the
// records given count as known, so a certificate may come with what its
// device signs), none is stored. Records are stored in transactions of
// storeBatch: a failure to store (a full disk) keeps the earlier batches,
// which are verified and durable, and says how many; calling Put again
// resumes.
func (n *Node) Put(recs ...*record.Record) error {
	verified := make([]*record.Record, len(recs))
	for i, r := range recs {
		v, err := r.Verified() // store and fold only what the signed bytes say
		if err != nil {
			return fmt.Errorf("record %s: %w", r.ID.Short(), err)
		}
		verified[i] = v
	}
	// Judged first, so that nothing is stored; the book only grows, so
	// what passes here passes when stored.
	n.mu.Lock()
	_, refused, err := n.strangers(verified, nil)
	n.mu.Unlock()
	if len(refused) > 0 {
		return fmt.Errorf("%w; nothing was stored", err)
	}
	_, _, err = n.store(verified, storeBatch, "", nil)
	return err
}

// strangers splits recs into those the node may store and those signed by
// a key the co-op does not know, judged by the keys the held records, recs
// themselves and whole (if not nil: the rest of a bundle) introduce. It
// counts the refusals, and returns the first refusal's error. n.mu is held.
func (n *Node) strangers(recs []*record.Record, whole *coop.KeyBook) (keep []*record.Record, refused []Refusal, first error) {
	errs := make([]error, len(recs))
	var judge *coop.KeyBook // the held records' and recs' keys, made only if needed
	for i, r := range recs {
		if errs[i] = n.book.MayStore(r); errs[i] != nil && judge == nil {
			judge = n.book.Clone()
			for _, r := range recs {
				judge.Add(r)
			}
		}
	}
	keep = make([]*record.Record, 0, len(recs))
	for i, r := range recs {
		err := errs[i]
		if err != nil {
			err = judge.MayStore(r)
		}
		if err != nil && whole != nil {
			err = whole.MayStore(r)
		}
		if err != nil {
			refused = append(refused, Refusal{ID: r.ID, Kind: RefusedStranger, Reason: err.Error()})
			first = cmp.Or(first, err)
			continue
		}
		keep = append(keep, r)
	}
	n.countRefused(refused)
	return keep, refused, first
}

// countRefused adds refused to the counts Refused reports. n.mu is held.
func (n *Node) countRefused(refused []Refusal) {
	if len(refused) == 0 {
		return
	}
	if n.refused == nil {
		n.refused = map[string]int{}
	}
	for _, r := range refused {
		n.refused[r.Kind]++
	}
}

// Refused counts the records this node refused to store since it opened
// (from peers, bundles and Put), by kind (RefusedSignature, RefusedStranger...).
func (n *Node) Refused() map[string]int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return maps.Clone(n.refused)
}

// readKeyBook rebuilds the book of known keys from the held records that
// can introduce keys (through the type index; see coop.KeyTypes). A record
// that cannot be read is left out, as Open reports it.
func (n *Node) readKeyBook(held map[record.ID]struct{}) (*coop.KeyBook, error) {
	book := coop.NewKeyBook(n.coop)
	for _, t := range coop.KeyTypes() {
		ids, err := n.IDsOfType(t)
		if err != nil {
			return nil, fmt.Errorf("read the co-op's keys: %w", err)
		}
		for _, id := range ids {
			if _, ok := held[id]; !ok {
				continue
			}
			raw, err := n.kv.Get(recordKey(id))
			if err != nil {
				return nil, fmt.Errorf("read the co-op's keys: record %s: %w", id.Short(), err)
			}
			if r, err := record.ReadStored(raw, id); err == nil {
				book.Add(r)
			}
		}
	}
	return book, nil
}

// OnStored registers f to be called with the records each write stored
// (new ones, or ones that gained co-signatures) and where they came from
// (a peer, or "" for this node's own writes and imports). f runs after the
// write is durable, on the writer's goroutine: it must be quick. The
// returned function unregisters f.
func (n *Node) OnStored(f func(recs []*record.Record, from string)) (cancel func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.hooks == nil {
		n.hooks = map[int]func([]*record.Record, string){}
	}
	id := n.nextHook
	n.nextHook++
	n.hooks[id] = f
	return func() {
		n.mu.Lock()
		delete(n.hooks, id)
		n.mu.Unlock()
	}
}

// At most storeBatch records, and about batchBytes, go in one store
// transaction: Badger caps a transaction's size (about 2 MB with our 16 MB
// memtable), and each transaction costs an fsync.
const (
	storeBatch = 2000
	batchBytes = 1 << 20
)

// store durably stores the records not yet held, batch records per
// transaction, and marks state for refolding. It returns how many were
// new, and tells the OnStored hooks. Records signed by keys the co-op
// does not know are refused (see strangers; whole may be nil).
func (n *Node) store(recs []*record.Record, batch int, from string, whole *coop.KeyBook) (int, []Refusal, error) {
	for _, r := range recs {
		if r.ID != n.coop && r.Coop != n.coop {
			return 0, nil, fmt.Errorf("record %s %w (%s)", r.ID.Short(), ErrForeignCoop, r.Coop.Short())
		}
	}
	stored, relay, refused, err := n.storeLocked(recs, batch, whole)
	if len(relay) > 0 {
		n.tell(relay, from)
	}
	if len(relay) < len(stored) {
		n.wakeHeld()
	}
	return len(stored), refused, err
}

// tell calls the OnStored hooks with recs, from from.
func (n *Node) tell(recs []*record.Record, from string) {
	n.mu.RLock()
	hooks := make([]func([]*record.Record, string), 0, len(n.hooks))
	for _, f := range n.hooks {
		hooks = append(hooks, f)
	}
	n.mu.RUnlock()
	for _, f := range hooks {
		f(recs, from)
	}
}

// storeLocked stores recs but those signed by strangers (refused); it
// returns those stored (new, or with more co-signatures) and, of those,
// the ones not held until their dates: what peers may be told of.
func (n *Node) storeLocked(recs []*record.Record, batch int, whole *coop.KeyBook) (stored, relay []*record.Record, refused []Refusal, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, nil, nil, ErrClosed
	}
	recs, refused, _ = n.strangers(recs, whole)
	var fresh []*record.Record
	seen := map[record.ID]bool{}
	for _, r := range recs {
		if _, ok := n.held[r.ID]; ok && !n.isBad(r.ID) {
			old, err := n.getLocked(r.ID)
			if err != nil {
				return nil, nil, refused, err
			}
			// A copy with more co-signatures replaces the one we hold; the ID is the same.
			merged := record.MergeSignatures(old.Sigs, r.Sigs)
			if len(merged) == len(old.Sigs) {
				continue
			}
			c := *old
			c.Sigs = merged
			r = &c
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			fresh = append(fresh, r)
		}
	}
	// A new record dated beyond the node's clock and the skew is held; a
	// copy of one held stays held; one already folded stays folded.
	limit := n.opts.now().Add(n.skewLocked())
	hold := func(r *record.Record) bool {
		if _, stored := n.held[r.ID]; stored && !n.isBad(r.ID) {
			return n.isHeldLocked(r.ID)
		}
		return r.Time.After(limit)
	}
	for i := 0; i < len(fresh); {
		// Up to batch records and batchBytes per transaction.
		end, size := i, 0
		for end < len(fresh) && end-i < batch && (end == i || size+len(fresh[end].Payload) < batchBytes) {
			size += len(fresh[end].Payload)
			end++
		}
		chunk := fresh[i:end]
		held := make([]bool, len(chunk))
		for j, r := range chunk {
			held[j] = hold(r)
		}
		err := n.kv.Update(func(tx store.Tx) error {
			for j, r := range chunk {
				if err := tx.Set(recordKey(r.ID), r.Bytes()); err != nil {
					return err
				}
				if held[j] {
					if err := tx.Set(heldKey(r.ID), []byte(r.Time.UTC().Format(record.TimeFormat))); err != nil {
						return err
					}
				}
				if err := tx.Set(typeKey(r), nil); err != nil {
					return err
				}
				if n.missing[r.ID] {
					if err := tx.Delete(missingKey(r.ID)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			// What earlier batches stored is durable and verified; a re-run resumes.
			return fresh[:i], relay, refused, fmt.Errorf("store records: %w (%d of %d new records were stored; run it again to resume)", err, i, len(fresh))
		}
		apply := make([]*record.Record, 0, len(chunk))
		for j, r := range chunk {
			n.book.Add(r) // held until its date or not: its author is known
			n.held[r.ID] = struct{}{}
			delete(n.missing, r.ID)
			n.repaired(r.ID)
			if held[j] {
				n.early[r.ID] = heldRecord{typ: r.Type, at: r.Time}
			} else {
				apply = append(apply, r)
			}
		}
		n.sinceSnapshot += len(chunk)
		if s, ok := n.folder.Current(); ok {
			n.last = s
		}
		if len(apply) > 0 {
			n.folder.Add(apply...)
		}
		relay = append(relay, apply...)
		i = end
	}
	return fresh, relay, refused, nil
}

// getLocked reads a held record from the store.
func (n *Node) getLocked(id record.ID) (*record.Record, error) {
	n.badMu.RLock()
	bad := n.bad[id]
	n.badMu.RUnlock()
	if bad {
		return nil, fmt.Errorf("record %s is damaged in the store", id.Short())
	}
	raw, err := n.kv.Get(recordKey(id))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", id.Short(), err)
	}
	r, err := record.ReadStored(raw, id)
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", id.Short(), err)
	}
	return r, nil
}

func recordKey(id record.ID) []byte { return append(bytes.Clone(prefixRecord), id[:]...) }

func missingKey(id record.ID) []byte { return append(bytes.Clone(prefixMissing), id[:]...) }

func typeKey(r *record.Record) []byte {
	k := append(bytes.Clone(prefixByType), r.Type...)
	k = append(k, 0)
	return append(k, r.ID[:]...)
}

// IDsOfType lists the stored records of type t, from the derived type index.
func (n *Node) IDsOfType(t string) ([]record.ID, error) {
	p := append(append(bytes.Clone(prefixByType), t...), 0)
	var ids []record.ID
	err := n.kv.Scan(p, func(k, _ []byte) error {
		var id record.ID
		copy(id[:], k[len(p):])
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// causalOrder orders recs so that each comes after those of its
// predecessors that are among them (ID order otherwise).
func causalOrder(recs []*record.Record) []*record.Record {
	in := make(map[record.ID]*record.Record, len(recs))
	for _, r := range recs {
		in[r.ID] = r
	}
	slices.SortFunc(recs, func(a, b *record.Record) int { return record.CompareIDs(a.ID, b.ID) })
	out := make([]*record.Record, 0, len(recs))
	done := make(map[record.ID]bool, len(recs))
	var visit func(r *record.Record)
	visit = func(r *record.Record) {
		if done[r.ID] {
			return
		}
		done[r.ID] = true
		for _, p := range r.Prev {
			if q, ok := in[p]; ok {
				visit(q)
			}
		}
		out = append(out, r)
	}
	for _, r := range recs {
		visit(r)
	}
	return out
}

// recordsOfType reads the stored records of the given types (through the
// type index). Records that cannot be read are left out.
// It returns what it could read, and the first error of a record it could
// not (damaged, or the store failing).
func (n *Node) recordsOfType(types ...string) ([]*record.Record, error) {
	var ids []record.ID
	for _, t := range types {
		got, err := n.IDsOfType(t)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*record.Record, 0, len(ids))
	var first error
	for _, id := range ids {
		if _, ok := n.held[id]; !ok || n.isHeldLocked(id) {
			continue
		}
		r, err := n.getLocked(id)
		if err != nil {
			first = cmp.Or(first, err)
			continue
		}
		out = append(out, r)
	}
	return out, first
}

// ReindexReport says what Reindex did.
type ReindexReport struct {
	Records int      `json:"records"` // records read and indexed
	Damaged int      `json:"damaged"` // records that failed to decode (left in place)
	Dropped int      `json:"dropped"` // derived entries removed before rebuilding
	Digest  string   `json:"digest"`
	Notes   []string `json:"notes"`
}

// Reindex drops every derived index and rebuilds it from the stored records.
func (n *Node) Reindex() (ReindexReport, error) {
	var rep ReindexReport
	n.mu.Lock()
	closed := n.closed
	n.mu.Unlock()
	if closed {
		return rep, ErrClosed
	}
	var old [][]byte
	if err := n.kv.Scan(prefixIndex, func(k, _ []byte) error { old = append(old, bytes.Clone(k)); return nil }); err != nil {
		return rep, err
	}
	// The snapshot is derived too: fold from the records, and write a new one.
	n.snapMu.Lock()
	defer n.snapMu.Unlock()
	if err := os.Remove(filepath.Join(n.home, SnapshotFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("drop the state snapshot: %w", err)
	}
	if err := n.load(false); err != nil {
		return rep, err
	}
	if _, err := n.VerifyStored(context.Background()); err != nil {
		return rep, err
	}
	recs, err := n.Records()
	if err != nil {
		return rep, err
	}
	n.mu.RLock()
	rep.Notes = append(rep.Notes, n.corrupt...)
	rep.Damaged = len(n.corrupt)
	n.mu.RUnlock()
	// Badger caps a transaction's size: rebuild in batches.
	const batch = 1000
	for i := 0; i < len(old); i += batch {
		chunk := old[i:min(i+batch, len(old))]
		if err := n.kv.Update(func(tx store.Tx) error {
			for _, k := range chunk {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return rep, fmt.Errorf("drop old index: %w", err)
		}
	}
	for i := 0; i < len(recs); i += batch {
		chunk := recs[i:min(i+batch, len(recs))]
		if err := n.kv.Update(func(tx store.Tx) error {
			for _, r := range chunk {
				if err := tx.Set(typeKey(r), nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return rep, fmt.Errorf("rebuild index: %w", err)
		}
	}
	rep.Records, rep.Dropped = len(recs), len(old)
	_, d := n.StateDigest()
	rep.Digest = fmt.Sprintf("%x", d)
	return rep, nil
}
