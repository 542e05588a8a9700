package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coopnode/coopnode/node/store"
)

// A node must notice when its store lost records (a damaged MANIFEST or
// table file, a store restored from an older backup): a store that opens
// with part of its records looks like a co-op that has fewer, and what is
// derived from it (the vault sweep, what peers are sent) would follow. So
// the home keeps, beside the store, how many records and which write
// version the node last knew it held (StoreCountFile, written with each
// snapshot). It is its own small file so that it survives a missing or
// damaged snapshot; both numbers only grow, so any earlier count is a
// lower bound of what a whole store holds.

// StoreCountFile holds how many records, at which store version, the node
// last knew it held.
const StoreCountFile = "store.count"

type storeCount struct {
	Records int    `json:"records"`
	Version uint64 `json:"version"`
}

func readStoreCount(home string) (storeCount, error) {
	var c storeCount
	b, err := os.ReadFile(filepath.Join(home, StoreCountFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil // a home from before the count was kept: nothing to hold the store to
	}
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	return c, err
}

// writeStoreCount notes what the store holds now.
func (n *Node) writeStoreCount() error {
	var c storeCount
	err := n.kv.Keys(prefixRecord, func([]byte) error { c.Records++; return nil })
	if err == nil {
		c.Version, err = n.kv.Version()
	}
	if err == nil {
		b, _ := json.Marshal(c)
		err = writeFileAtomic(filepath.Join(n.home, StoreCountFile), append(b, '\n'), 0o600)
	}
	if err != nil {
		return fmt.Errorf("note how many records the store holds: %w", err)
	}
	return nil
}

// recovery says how to recover from a damaged store.
func recovery(reindex bool) string {
	s := "Nothing was changed or deleted. To recover: restore the whole home folder from a backup"
	if reindex {
		s += "; or run `coopnode reindex` to accept the store as it is, and let the co-op's members send the missing records again when this node syncs"
	} else {
		s += "; or keep this home aside and join the co-op again in a new home, so that members' nodes send every record (`coopnode reindex` cannot help: it reads the same store)"
	}
	return s + "."
}

// checkStore reads the whole store (see store.Badger.Check) and holds it
// to the count the node last knew. accepted reports a store that holds
// less, opened anyway because opts.AcceptStore asked for it.
func checkStore(home string, kv *store.Badger, opts Options) (accepted string, err error) {
	db := filepath.Join(home, DBDir)
	held, err := kv.Check(prefixRecord)
	if err != nil {
		return "", fmt.Errorf("%w. %s", err, recovery(false))
	}
	known, err := readStoreCount(home)
	if err != nil {
		return "", fmt.Errorf("%w: %s is damaged (%v); it says how many records the store should hold: restore it from a backup, or delete it to open the store without that check", store.ErrDamaged, filepath.Join(home, StoreCountFile), err)
	}
	version, _ := kv.Version()
	if held >= known.Records && version >= known.Version {
		return "", nil
	}
	what := fmt.Sprintf("the store in %s holds %d records at write version %d, but this node last held %d at version %d: part of it is lost (a damaged or truncated MANIFEST or table file, or a store restored from an older backup)", db, held, version, known.Records, known.Version)
	if kv.Orphans != "" {
		what += fmt.Sprintf("; table files its MANIFEST no longer names were kept in %s", kv.Orphans)
	}
	if !opts.AcceptStore {
		return "", fmt.Errorf("%w: %s. %s", store.ErrDamaged, what, recovery(true))
	}
	return what + "; it was accepted as it is (reindex)", nil
}
