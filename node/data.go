package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
	"github.com/coopnode/coopnode/node/vault"
)

// VaultDir is the home's folder of encrypted data items (package vault).
const VaultDir = "vault"

// Local, private store prefixes. They are truth kept on this node only:
// Reindex leaves them alone, and nothing here is ever sent to a peer.
var (
	prefixItem    = []byte("d/i/") // d/i/<digest> -> ItemMeta JSON
	prefixLog     = []byte("d/l/") // d/l/<unix nanos, big-endian><id> -> signed private record
	prefixPrivate = []byte("c/")   // c/<id> -> signed private consent record
)

// ErrNoItem: no data item with that ID in this node's vault.
var ErrNoItem = errors.New("no such data item")

// ItemMeta describes a data item in the vault. Only this node holds it.
type ItemMeta struct {
	Digest    vault.Digest `json:"digest"`
	Title     string       `json:"title"`
	FileName  string       `json:"fileName"`
	MediaType string       `json:"mediaType"`
	Size      int64        `json:"size"`
	Tags      []string     `json:"tags"`
	Added     time.Time    `json:"added"`
}

// Private record types: signed like shared records, but kept on this node.
const (
	TypeDataAdded   = "data.added"   // an item entered the vault (signed by the device)
	TypeDataRemoved = "data.removed" // an item left the vault (signed by the device)
	// TypeConsentRecord is a member's full consent record (consent.Private),
	// signed by the consent key: the private half of a receipt.
	TypeConsentRecord = "consent.record"
)

// DataEvent is the body of TypeDataAdded and TypeDataRemoved.
type DataEvent struct {
	Item   vault.Digest `json:"item"`
	Title  string       `json:"title"`
	Reason string       `json:"reason,omitempty"`
}

// AddData streams r into the vault as an item called title (the file name
// if empty) with tags; name is the file's name, for its media type.
// progress, if set, gets the bytes read so far. Adding content already in
// the vault updates nothing and returns the item as it is.
func (n *Node) AddData(r io.Reader, name, title string, tags []string, progress func(int64)) (ItemMeta, error) {
	if n.vault == nil {
		return ItemMeta{}, ErrClosed
	}
	// Sniff the media type from the first bytes without holding more.
	head := make([]byte, 512)
	k, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return ItemMeta{}, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:k]
	d, size, err := n.vault.Put(io.MultiReader(bytes.NewReader(head), r), progress)
	if err != nil {
		return ItemMeta{}, fmt.Errorf("add %s: %w", name, err)
	}
	if m, err := n.Item(d); err == nil {
		return m, nil
	}
	if title == "" {
		title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	m := ItemMeta{Digest: d, Title: title, FileName: filepath.Base(name), MediaType: mediaType(name, head), Size: size, Tags: cleanTags(tags), Added: n.opts.now().UTC()}
	ev, err := record.New(n.keys.Device(), TypeDataAdded, 1, n.coop, m.Added, nil, DataEvent{Item: d, Title: m.Title})
	if err != nil {
		return ItemMeta{}, err
	}
	raw, _ := json.Marshal(m)
	if err := n.kv.Update(func(tx store.Tx) error {
		if err := tx.Set(itemKey(d), raw); err != nil {
			return err
		}
		return tx.Set(logKey(ev), ev.Bytes())
	}); err != nil {
		// The content is in the vault but not listed. It is not removed
		// here (a concurrent add of the same content may list it); the
		// next open sweeps it if nothing does.
		return ItemMeta{}, fmt.Errorf("add %s: record the item: %w (nothing was added; try again)", name, err)
	}
	return m, nil
}

func mediaType(name string, head []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	return mt
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func itemKey(d vault.Digest) []byte { return append(bytes.Clone(prefixItem), d[:]...) }

// logKey orders the activity log by time, then ID.
func logKey(r *record.Record) []byte {
	k := bytes.Clone(prefixLog)
	t := uint64(r.Time.UnixNano())
	for i := 7; i >= 0; i-- {
		k = append(k, byte(t>>(8*i)))
	}
	return append(k, r.ID[:]...)
}

// Item returns an item's metadata, or ErrNoItem.
func (n *Node) Item(d vault.Digest) (ItemMeta, error) {
	raw, err := n.kv.Get(itemKey(d))
	if errors.Is(err, store.ErrNotFound) {
		return ItemMeta{}, fmt.Errorf("%w: %s (see `coopnode data list`)", ErrNoItem, d.Short())
	}
	if err != nil {
		return ItemMeta{}, err
	}
	var m ItemMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return ItemMeta{}, fmt.Errorf("item %s: damaged metadata: %w", d.Short(), err)
	}
	return m, nil
}

// Items lists the vault's items, newest first.
func (n *Node) Items() ([]ItemMeta, error) {
	var out []ItemMeta
	err := n.kv.Scan(prefixItem, func(_, v []byte) error {
		var m ItemMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("damaged item metadata: %w", err)
		}
		out = append(out, m)
		return nil
	})
	slices.SortFunc(out, func(a, b ItemMeta) int {
		if c := b.Added.Compare(a.Added); c != 0 {
			return c
		}
		return strings.Compare(a.Title, b.Title)
	})
	return out, err
}

// FindItem finds an item by ID prefix (at least 8 hex digits) or exact
// title. It returns ErrNoItem when none matches, ErrRefused when several
// do; any other error is this node failing to read its store.
func (n *Node) FindItem(ref string) (ItemMeta, error) {
	items, err := n.Items()
	if err != nil {
		return ItemMeta{}, err
	}
	var hits []ItemMeta
	for _, m := range items {
		if (len(ref) >= 8 && strings.HasPrefix(m.Digest.String(), strings.ToLower(ref))) || m.Title == ref {
			hits = append(hits, m)
		}
	}
	switch len(hits) {
	case 0:
		return ItemMeta{}, fmt.Errorf("%w: %q (give the ID, at least 8 of its hex digits, or the exact title; see `coopnode data list`)", ErrNoItem, ref)
	case 1:
		return hits[0], nil
	}
	return ItemMeta{}, refusedf("%q names %d items: give more of the ID", ref, len(hits))
}

// OpenData returns a reader of an item's content. Each chunk is
// authenticated as it is read; a tampered vault file fails with vault.ErrCorrupt.
func (n *Node) OpenData(d vault.Digest) (*vault.Reader, error) {
	if _, err := n.Item(d); err != nil {
		return nil, err
	}
	return n.vault.Open(d)
}

// RemoveData deletes an item from the vault, recording the removal (signed,
// on this node). Consent receipts that name it stay as they are: they are
// history; nothing can be licensed from an item that is gone.
func (n *Node) RemoveData(d vault.Digest, reason string) error {
	m, err := n.Item(d)
	if err != nil {
		return err
	}
	ev, err := record.New(n.keys.Device(), TypeDataRemoved, 1, n.coop, n.opts.now(), nil, DataEvent{Item: d, Title: m.Title, Reason: reason})
	if err != nil {
		return err
	}
	if err := n.kv.Update(func(tx store.Tx) error {
		if err := tx.Delete(itemKey(d)); err != nil {
			return err
		}
		return tx.Set(logKey(ev), ev.Bytes())
	}); err != nil {
		return fmt.Errorf("remove %s: %w", m.Title, err)
	}
	if err := n.vault.Remove(d); err != nil && !errors.Is(err, vault.ErrNotFound) {
		return fmt.Errorf("remove %s: the item is no longer listed, but its encrypted file could not be deleted: %w", m.Title, err)
	}
	return nil
}

// ActivityLog returns this node's private records (items added and
// removed, full consent records), newest first.
func (n *Node) ActivityLog() ([]*record.Record, error) {
	var out []*record.Record
	err := n.kv.Scan(prefixLog, func(k, v []byte) error {
		r, err := record.Decode(v)
		if err != nil {
			return fmt.Errorf("activity log entry damaged: %w", err)
		}
		out = append(out, r)
		return nil
	})
	slices.Reverse(out)
	return out, err
}

// Now is the node's clock (what its records are stamped with).
func (n *Node) Now() time.Time { return n.opts.now() }

// QuarantineDir is the folder, in the vault's, where vault files no item
// lists are moved (one folder per sweep, by date): never deleted, since a
// store that lost part of its list must not cost the member their files.
const QuarantineDir = "quarantine"

// sweepVault moves aside vault files no item lists: what a crash between
// storing content and listing it (or between unlisting and deleting it)
// left behind, or what a damaged store no longer lists. Only a store that
// passed its check (checkStore) is swept. Damaged files are reported as
// problems, not moved.
func (n *Node) sweepVault() {
	ds, err := n.vault.List()
	if err != nil {
		n.corrupt = append(n.corrupt, fmt.Sprintf("data vault: %v", err))
	}
	to := filepath.Join(n.home, VaultDir, QuarantineDir, n.opts.now().UTC().Format("2006-01-02T150405Z"))
	moved := 0
	for _, d := range ds {
		if _, err := n.kv.Get(itemKey(d)); errors.Is(err, store.ErrNotFound) {
			if err := n.vault.MoveAside(d, to); err != nil {
				n.corrupt = append(n.corrupt, fmt.Sprintf("data vault: %v", err))
				continue
			}
			moved++
		}
	}
	if moved > 0 {
		p := fmt.Sprintf("data vault: %d encrypted item files that no item lists were moved to %s, not deleted (left by a crash, or by a store that lost their listing). Move them back into %s to keep them, if the store is restored; delete them once you are sure they are not needed.", moved, to, filepath.Join(n.home, VaultDir))
		n.corrupt = append(n.corrupt, p)
		log.Print(p)
	}
}
