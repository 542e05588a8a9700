package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/record"
)

// ExportBundle writes this node's records to a bundle file at path (absolute),
// leaving out those in the bundle at since, if given. The file appears only
// once complete. BundleTransfers says how far it is meanwhile.
func (a *App) ExportBundle(path, since string) (ExportView, error) {
	n, err := a.ready()
	if err != nil {
		return ExportView{}, err
	}
	if !filepath.IsAbs(path) || (since != "" && !filepath.IsAbs(since)) {
		return ExportView{}, invalid("give absolute paths (got %q, %q)", path, since)
	}
	steps := 1
	if since != "" {
		steps = 2
	}
	tr := a.core.transfers.startBundle("export", path, steps)
	v, err := exportBundle(n, path, since, tr.progress)
	tr.finish(err)
	return v, err
}

func exportBundle(n *node.Node, path, since string, progress func(node.BundleProgress)) (ExportView, error) {
	var skip []record.ID
	if since != "" {
		f, err := os.Open(since)
		if err != nil {
			return ExportView{}, fmt.Errorf("--since: %w", err)
		}
		var size int64
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		hdr, ids, err := node.BundleIDs(f, size, progress)
		f.Close()
		if err != nil {
			return ExportView{}, fmt.Errorf("--since %s: %w", since, err)
		}
		if hdr.Coop != n.CoopID() {
			return ExportView{}, fmt.Errorf("--since %s is a bundle of another co-op (%s)", since, hdr.Coop.Short())
		}
		slices.SortFunc(ids, record.CompareIDs)
		skip = slices.Compact(ids)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part*")
	if err != nil {
		return ExportView{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	k, err := n.ExportWithProgress(tmp, skip, progress)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return ExportView{}, fmt.Errorf("export to %s: %w", path, err)
	}
	st, _ := os.Stat(path)
	v := ExportView{Path: path, Records: k, Skipped: len(skip)}
	if st != nil {
		v.Bytes = st.Size()
	}
	return v, nil
}

// ImportBundle verifies the bundle at path (absolute) and stores the records
// this node lacks. BundleTransfers says how far it is meanwhile.
func (a *App) ImportBundle(path string) (ImportView, error) {
	n, err := a.ready()
	if err != nil {
		return ImportView{}, err
	}
	if !filepath.IsAbs(path) {
		return ImportView{}, invalid("give an absolute path (got %q)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportView{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	tr := a.core.transfers.startBundle("import", path, 2)
	rep, err := n.ImportWithProgress(f, tr.progress)
	tr.finish(err)
	v := ImportView{Path: path, Read: rep.Read, Added: rep.Added, Had: rep.Had, Pending: rep.Pending, Invalid: rep.Invalid}
	if err != nil {
		return v, fmt.Errorf("import %s: %w", path, err)
	}
	return v, nil
}

// BundleTransfers lists the bundle exports and imports running or recently
// finished, newest first: poll it while ExportBundle or ImportBundle runs.
func (a *App) BundleTransfers() ([]BundleTransferView, error) {
	return a.core.transfers.bundleList(), nil
}

// BundleTransfers is App.BundleTransfers of the running node.
func (c *Client) BundleTransfers() (v []BundleTransferView, err error) {
	err = c.call("BundleTransfers", &v)
	return
}

// bundleTransfer is one entry of transfers.bundles, updated by its call.
type bundleTransfer struct {
	t *transfers
	v *BundleTransferView
}

// keepBundles is how many bundle transfers are listed: the running ones,
// and the latest finished ones up to this many in all.
const keepBundles = 10

func (t *transfers) startBundle(kind, path string, steps int) bundleTransfer {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextBundle++
	v := &BundleTransferView{ID: strconv.Itoa(t.nextBundle), Kind: kind, Path: path, Steps: steps}
	t.bundles = append(t.bundles, v)
	for i := 0; len(t.bundles) > keepBundles && i < len(t.bundles); {
		if t.bundles[i].Finished {
			t.bundles = slices.Delete(t.bundles, i, i+1)
		} else {
			i++
		}
	}
	return bundleTransfer{t, v}
}

// progress records p; phases count as steps in the order they come.
func (b bundleTransfer) progress(p node.BundleProgress) {
	b.t.mu.Lock()
	defer b.t.mu.Unlock()
	v := b.v
	if p.Phase != v.Phase {
		v.Phase = p.Phase
		v.Step = min(v.Step+1, max(v.Steps, 1))
	}
	v.Records, v.Total, v.Bytes, v.Size = p.Records, p.Total, p.Bytes, p.Size
}

func (b bundleTransfer) finish(err error) {
	b.t.mu.Lock()
	defer b.t.mu.Unlock()
	b.v.Finished = true
	if err != nil {
		b.v.Error = err.Error()
	}
}

func (t *transfers) bundleList() []BundleTransferView {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]BundleTransferView, 0, len(t.bundles))
	for i := len(t.bundles) - 1; i >= 0; i-- {
		out = append(out, *t.bundles[i])
	}
	return out
}
