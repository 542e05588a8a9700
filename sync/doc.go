// Package sync carries the co-op's records between members' nodes. Its
// subpackages: p2p (the libp2p host on the device key, member-only gating),
// recon (range-based set reconciliation of record IDs), replicate (sessions,
// push and catch-up over libp2p streams) and invite (invites and the join
// exchange). Automerge document sync arrives with the documents issue. It
// depends on node's interfaces only; the domain never imports it.
package sync
