package app

// The types in this file are the product's API contract: they are what the
// window (through Wails bindings), the browser (through the JSON API) and the
// CLI (--json) all see. Field names are the JSON names; keep them stable.

// NodeState says what the node behind the API can do right now.
const (
	// StateUninitialized: the home holds no identity and no co-op yet.
	StateUninitialized = "uninitialized"
	// StateLocked: the home holds a co-op, but its keys are still encrypted.
	StateLocked = "locked"
	// StateReady: the node is unlocked and serving its co-op.
	StateReady = "ready"
	// StateJoining: the node holds an identity for a co-op that has not
	// admitted it yet (it asked with an invite).
	StateJoining = "joining"
)

// StatusView is what `coopnode status` prints and the UI's header shows.
type StatusView struct {
	State   string `json:"state"` // one of StateUninitialized, StateLocked, StateJoining, StateReady
	Home    string `json:"home"`
	Version string `json:"version"`
	// Coop and Me are nil unless State is StateReady.
	Coop *CoopView     `json:"coop,omitempty"`
	Me   *IdentityView `json:"me,omitempty"`
	// Digest is the hex SHA-256 state digest: two nodes that agree on it hold the same co-op state.
	Digest string `json:"digest"`
	// Records counts the valid records folded into state.
	Records int `json:"records"`
	// Pending counts records waiting for predecessors this node has not seen yet.
	Pending int `json:"pending"`
	// NeedsNewer counts validly signed records of types this version does not understand.
	NeedsNewer int `json:"needsNewer"`
	// Problems are human-readable sentences about what is wrong and what to do.
	Problems []string `json:"problems"`
	// Held are records dated too far ahead of this node's clock: stored,
	// but neither applied nor sent to peers until their time (see node.Held).
	Held []HeldView `json:"held,omitempty"`
	// JoinRequest is the ID of this node's own request to join, while State is StateJoining.
	JoinRequest string `json:"joinRequest,omitempty"`
	// Network is nil when this process runs no network (one-shot CLI commands).
	Network *NetworkView `json:"network,omitempty"`
}

// HeldView is a record held until its date.
type HeldView struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Time string `json:"time"` // the time the record claims
	Due  string `json:"due"`  // when this node applies it
}

// NetworkView is this node's place on the co-op's network.
type NetworkView struct {
	PeerID            string   `json:"peerId"` // libp2p peer ID (of the device key)
	Addrs             []string `json:"addrs"`
	Connected         int      `json:"connected"`         // peers connected now
	RefusedHandshakes int64    `json:"refusedHandshakes"` // connections refused: not a member's device
}

// PeerView is one peer this node knows.
type PeerView struct {
	PeerID      string        `json:"peerId"`
	DeviceKey   string        `json:"deviceKey"`
	Member      string        `json:"member"` // the member's name, if the device is a member's
	Connected   bool          `json:"connected"`
	Via         []string      `json:"via"`   // "tcp", "quic"
	Addrs       []string      `json:"addrs"` // where it was reached
	LastSync    string        `json:"lastSync"`
	Sent        uint64        `json:"sent"`     // records sent to it
	Received    uint64        `json:"received"` // records from it that were new here
	Refused     []RefusalView `json:"refused"`  // records from it that failed verification
	BannedUntil string        `json:"bannedUntil"`
	LastError   string        `json:"lastError"`
}

// RefusalView counts refused records of one reason.
type RefusalView struct {
	Reason string `json:"reason"`
	Count  uint64 `json:"count"`
}

// InviteView is an invite to give someone.
type InviteView struct {
	Text    string   `json:"text"` // COOPNODE1...: paste it into `coopnode join` or the app
	QR      string   `json:"qr"`   // the text as a QR code: a data: URL of a PNG
	ID      string   `json:"id"`
	Expires string   `json:"expires"`
	Addrs   []string `json:"addrs"` // where it will reach this node
}

// JoinRequestView is a request to join.
type JoinRequestView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DeviceLabel string `json:"deviceLabel"`
	MemberKey   string `json:"memberKey"`
	Requested   string `json:"requested"`
	Admitted    bool   `json:"admitted"`
	MayAdmit    bool   `json:"mayAdmit"` // whether you may admit it now
	Why         string `json:"why"`      // why you may not, if not
	// Invite is the ID of the invite the request came with (InviteView.ID):
	// an invite is used once a request naming it is here.
	Invite string `json:"invite"`
}

// JoinView says what a join did.
type JoinView struct {
	Request string `json:"request"` // the join request's record ID
	Coop    string `json:"coop"`    // the co-op's name, as the inviter gave it
	CoopID  string `json:"coopId"`
	Inviter string `json:"inviter"` // the inviter's peer ID
	Message string `json:"message"`
}

// CoopView names the co-op.
type CoopView struct {
	ID      string `json:"id"`      // the genesis record's ID
	Name    string `json:"name"`    // e.g. "Riverside Data Co-op"
	Founded string `json:"founded"` // RFC 3339
	Members int    `json:"members"` // current members (not those who left)
}

// IdentityView is this node's own member and device.
type IdentityView struct {
	MemberID  string   `json:"memberId"`
	Name      string   `json:"name"`
	MemberKey string   `json:"memberKey"` // hex Ed25519 public key
	DeviceKey string   `json:"deviceKey"` // hex Ed25519 public key
	Class     string   `json:"class"`
	Roles     []string `json:"roles"`
}

// Ratio is an exact fraction, e.g. a quorum of 1/2.
type Ratio struct {
	Num  int64  `json:"num"`
	Den  int64  `json:"den"`
	Text string `json:"text"` // "1/2 (50%)", for display
}

// MemberClassView is one class of membership the bylaws define.
type MemberClassView struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Votes       bool   `json:"votes"` // whether members of this class vote
}

// BylawsView is the bylaws in force.
type BylawsView struct {
	Text       string            `json:"text"`
	VotingRule string            `json:"votingRule"` // "one-member-one-vote"
	Quorum     Ratio             `json:"quorum"`
	Threshold  Ratio             `json:"threshold"`
	Classes    []MemberClassView `json:"classes"`
	// AdmissionRule is "direct" (a member holding one of AdmitRoles admits) or "by-decision".
	AdmissionRule string   `json:"admissionRule"`
	AdmitRoles    []string `json:"admitRoles"`
	// Methods are the decision methods proposals may use; empty allows all.
	Methods []string `json:"methods"`
	// CloseGraceHours: after a proposal's closing time only its author may close it for this long.
	CloseGraceHours int `json:"closeGraceHours"`
	// Tellers: how many members besides its author co-sign a close before
	// it decides (0: bylaws from before tellers, the closer alone).
	Tellers int `json:"tellers"`
	// TellersAdvice, for bylaws from before tellers in a co-op of more than
	// one member: what to propose so closes are checked by other members.
	TellersAdvice string `json:"tellersAdvice"`
	// MaxSkewMinutes: how far ahead of a node's clock a record may be dated
	// and still be applied on arrival (0: the default, 5 minutes).
	MaxSkewMinutes int    `json:"maxSkewMinutes"`
	AdoptedBy      string `json:"adoptedBy"` // record ID that put these bylaws in force
	AdoptedAt      string `json:"adoptedAt"` // RFC 3339

	// Special are the stricter rules for kinds of proposal ("special
	// resolutions"), keyed by kind; empty: every kind uses Quorum and Threshold.
	Special map[string]DecisionRuleView `json:"special"`
}

// MemberView is one member of the co-op.
type MemberView struct {
	ID         string   `json:"id"` // member ID: record ID of the admission (the genesis for founders)
	Name       string   `json:"name"`
	Class      string   `json:"class"`
	Roles      []string `json:"roles"`
	Admitted   string   `json:"admitted"`   // RFC 3339
	AdmittedBy string   `json:"admittedBy"` // member ID of who admitted them; empty for founders
	Devices    int      `json:"devices"`
	Founder    bool     `json:"founder"`
	Me         bool     `json:"me"`
	Left       string   `json:"left"` // RFC 3339 time they left (resigned); empty for current members
}

// ExportView says what an export wrote.
type ExportView struct {
	Path    string `json:"path"`
	Records int    `json:"records"`
	Skipped int    `json:"skipped"` // records left out because the --since bundle has them
	Bytes   int64  `json:"bytes"`
}

// BundleTransferView is a bundle export or import, running or recently
// finished (App.BundleTransfers): the UI and the CLI poll it while the
// ExportBundle or ImportBundle call runs.
type BundleTransferView struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // "export" or "import"
	Path string `json:"path"` // the bundle written or read
	// Phase: an export is "reading" (its --since bundle) then "writing"; an
	// import is "verifying" (every record, before anything is stored) then
	// "storing".
	Phase    string `json:"phase"`
	Step     int    `json:"step"`    // the phase's number, from 1
	Steps    int    `json:"steps"`   // how many phases this transfer has
	Records  int    `json:"records"` // records done in this phase
	Total    int    `json:"total"`   // records in this phase (0 until known)
	Bytes    int64  `json:"bytes"`   // of the file read so far (reading, verifying)
	Size     int64  `json:"size"`    // the file's size (reading, verifying; else 0)
	Finished bool   `json:"finished"`
	Error    string `json:"error"`
}

// ImportView says what an import did.
type ImportView struct {
	Path    string `json:"path"`
	Read    int    `json:"read"`    // records in the bundle, all verified before anything was stored
	Added   int    `json:"added"`   // new to this node
	Had     int    `json:"had"`     // already held
	Pending int    `json:"pending"` // waiting for records this node has not seen yet
	Invalid int    `json:"invalid"` // breaking the co-op's rules: kept, never applied
}
