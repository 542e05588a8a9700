// Package sync will carry the co-op's records between members' nodes: the
// libp2p host with member-only gating, range-based set reconciliation of the
// record set, Automerge document sync, and bundle export/import. It depends
// on node's interfaces only; the domain never imports it.
//
// It is empty in the walking skeleton: replication is the next issue.
package sync
