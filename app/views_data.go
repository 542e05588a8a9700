package app

// Views of the member's data vault, consent and the co-op's data agreements
// (app/data.go). Plain data, as every view.

// DataItemView is one item in this member's vault.
type DataItemView struct {
	ID        string   `json:"id"` // the content's SHA-256, hex: the item's identity everywhere
	Title     string   `json:"title"`
	FileName  string   `json:"fileName"`
	MediaType string   `json:"mediaType"`
	Size      int64    `json:"size"`
	Tags      []string `json:"tags"`
	Added     string   `json:"added"`
	// Purposes: for every purpose of the current version of each agreement,
	// whether this item may be used for it now, and through which consent.
	Purposes []PurposeStatusView `json:"purposes"`
}

// PurposeStatusView says whether an item may be used for one purpose under
// one agreement version, derived from the consent records.
type PurposeStatusView struct {
	Purpose        string `json:"purpose"` // DPV term, e.g. "ai:ModelTraining"
	Label          string `json:"label"`   // e.g. "AI model training"
	Agreement      string `json:"agreement"`
	AgreementTitle string `json:"agreementTitle"`
	Version        string `json:"version"`
	VersionNumber  int    `json:"versionNumber"`
	Allowed        bool   `json:"allowed"`
	// Status is the DPV consent status behind the answer: ConsentGiven,
	// RenewedConsentGiven, ConsentWithdrawn, ConsentExpired, ConsentRefused,
	// or "" when the member was never asked.
	Status  string `json:"status"`
	Receipt string `json:"receipt"` // the consent receipt that decides, if any
	Until   string `json:"until"`   // when that consent ends, if it does
}

// TransferView is a data item streaming into or out of the vault.
type TransferView struct {
	ID   string `json:"id"`
	Name string `json:"name"` // the file's base name, for display: not unique
	// Source is the caller's name for the transfer, known from its start,
	// so a caller running several at once finds its own: the absolute path
	// for AddDataFile (read) and ExportData (written); for the browser's
	// upload, the id its sender chose (?source=); "" for a download.
	Source    string `json:"source"`
	Direction string `json:"direction"` // "in" (adding) or "out" (exporting)
	Done      int64  `json:"done"`
	Total     int64  `json:"total"` // -1 when unknown
	Finished  bool   `json:"finished"`
	Error     string `json:"error"`
	Item      string `json:"item"` // the item's ID once known
}

// DataExportView says where an item was written.
type DataExportView struct {
	Item  string `json:"item"`
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}

// PurposeView is a purpose an agreement may name.
type PurposeView struct {
	ID          string `json:"id"` // DPV term
	Label       string `json:"label"`
	Description string `json:"description"`
}

// AgreementView is one data agreement and its adopted versions, newest first.
type AgreementView struct {
	ID       string                 `json:"id"`
	Title    string                 `json:"title"`
	Current  string                 `json:"current"` // the current version's ID
	Versions []AgreementVersionView `json:"versions"`
}

// AgreementVersionView is one adopted version of a data agreement.
type AgreementVersionView struct {
	ID           string        `json:"id"` // the proposal that adopted it
	Agreement    string        `json:"agreement"`
	Number       int           `json:"number"`
	Title        string        `json:"title"`
	Text         string        `json:"text"`
	TextDigest   string        `json:"textDigest"` // SHA-256 of Text, hex
	Purposes     []PurposeView `json:"purposes"`
	Recipients   []string      `json:"recipients"`
	Royalty      RoyaltyView   `json:"royalty"`
	Retention    string        `json:"retention"` // ISO 8601 duration, e.g. "P3Y"
	Jurisdiction string        `json:"jurisdiction"`
	Language     string        `json:"language"`
	AdoptedBy    string        `json:"adoptedBy"` // the close record
	AdoptedAt    string        `json:"adoptedAt"`
	Current      bool          `json:"current"`
	// Changes is a line diff of Text against the previous version; Terms
	// says in words what else changed (purposes, recipients, royalty, ...).
	Changes []DiffLineView `json:"changes"`
	Terms   []string       `json:"terms"`
	// Mine is this member's answer to this version: "opted-in" while a
	// grant of theirs under it is in force; otherwise what became of their
	// last answer: "opted-out" (they refused it), "withdrawn" (a grant they
	// withdrew), "expired" (a grant whose validity window ended) or
	// "invalidated" (a grant their removal from the co-op ended); "" only
	// when they never answered it (consent is never carried over from a
	// version before).
	Mine string `json:"mine"`
	// MineReceipt is the receipt behind Mine: the grant in force, the
	// refusal, the withdrawal, or the grant that expired or was invalidated.
	MineReceipt string `json:"mineReceipt"`
}

// RoyaltyView is an agreement's royalty terms: the member's share of license revenue.
type RoyaltyView struct {
	Standard string `json:"standard"` // "1/2"
	Extended string `json:"extended"`
	Text     string `json:"text"` // "50% of a standard license, 75% of an extended one"
}

// DiffLineView is one line of a text diff.
type DiffLineView struct {
	Op   string `json:"op"` // "same", "add", "del"
	Text string `json:"text"`
}

// ConsentView is one consent event of this member (a receipt shared with the co-op).
type ConsentView struct {
	ID             string   `json:"id"`     // the receipt's record ID
	Record         string   `json:"record"` // the full consent record's ID (kept on this node)
	Event          string   `json:"event"`  // "grant", "withdraw" or "refuse"
	Status         string   `json:"status"` // DPV status the event records
	Current        string   `json:"current"`
	Active         bool     `json:"active"` // a grant that is in force now
	Agreement      string   `json:"agreement"`
	AgreementTitle string   `json:"agreementTitle"`
	Version        string   `json:"version"`
	VersionNumber  int      `json:"versionNumber"`
	Purposes       []string `json:"purposes"`
	Items          []string `json:"items"`
	ItemTitles     []string `json:"itemTitles"`
	Categories     []string `json:"categories"`
	Recipients     []string `json:"recipients"`
	ValidFrom      string   `json:"validFrom"`
	ValidUntil     string   `json:"validUntil"`
	Time           string   `json:"time"`
	Withdraws      string   `json:"withdraws"`   // withdraw: the grant it ends
	WithdrawnBy    string   `json:"withdrawnBy"` // grant: the withdrawal that ended it
	Reason         string   `json:"reason"`
	// Ends is, for a withdrawal, what the grant it ends covered: what
	// stopped (a withdrawal's receipt names only the grant). nil for grants
	// and refusals.
	Ends *ScopeView `json:"ends"`
}

// ScopeView is what a grant covers.
type ScopeView struct {
	Grant      string   `json:"grant"`      // the grant's receipt ID
	Purposes   []string `json:"purposes"`   // DPV terms
	Items      []string `json:"items"`      // item IDs (the content's SHA-256)
	ItemTitles []string `json:"itemTitles"` // their titles as this node knows them, else the ID's start
	Categories []string `json:"categories"` // "all" (every item, now and later) or tags
	Recipients []string `json:"recipients"` // licensee classes
	ValidUntil string   `json:"validUntil"`
}

// ConsentDetailView is a consent event with its full ISO/IEC TS 27560 record.
type ConsentDetailView struct {
	ConsentView
	Document string `json:"document"` // the 27560 record as indented JSON (DPV terms)
}

// ConsentInput grants consent under one agreement version.
type ConsentInput struct {
	Version    string   `json:"version"`    // agreement version ID (prefix); "" = the current version of the only agreement
	Items      []string `json:"items"`      // item IDs (prefixes)
	Categories []string `json:"categories"` // "all" = every item of this member, now and later
	Purposes   []string `json:"purposes"`   // empty = every purpose of the version
	Recipients []string `json:"recipients"` // empty = every recipient class of the version
	ValidUntil string   `json:"validUntil"` // RFC 3339 or YYYY-MM-DD; "" = the version's retention from now
	Reason     string   `json:"reason"`
}

// SignalsView is what a member can publish on their own site for an item:
// the same choices, as machine-readable preferences.
type SignalsView struct {
	Item           string `json:"item"`
	ContentUsage   string `json:"contentUsage"`   // IETF aipref: "Content-Usage: train-ai=n"
	RobotsTxt      string `json:"robotsTxt"`      // the same as a robots.txt line
	TDMRep         string `json:"tdmRep"`         // TDMRep JSON
	TrainingMining string `json:"trainingMining"` // CAWG/C2PA training-and-data-mining assertion JSON
	Explanation    string `json:"explanation"`
}

// ConsentQueryView answers, for the whole co-op, which items may be used for
// a purpose by a recipient now.
type ConsentQueryView struct {
	Purpose   string        `json:"purpose"`
	Recipient string        `json:"recipient"`
	At        string        `json:"at"`
	Members   int           `json:"members"`  // distinct consenting members (by pseudonymous key)
	Items     int           `json:"items"`    // distinct items named
	Receipts  int           `json:"receipts"` // grants in force
	Uses      []ConsentUse  `json:"uses"`
	Took      string        `json:"took"`
	Versions  []VersionHits `json:"versions"`
}

// ConsentUse is one grant in force: who (pseudonymous key), under which version, for which items.
type ConsentUse struct {
	Principal  string   `json:"principal"`
	Receipt    string   `json:"receipt"`
	Version    string   `json:"version"`
	Items      []string `json:"items"`
	Categories []string `json:"categories"`
	Until      string   `json:"until"`
}

// VersionHits counts grants in force per agreement version.
type VersionHits struct {
	Version  string `json:"version"`
	Receipts int    `json:"receipts"`
}

// AgreementInput is an agreement version a proposal of kind "agreement" adopts when it passes.
type AgreementInput struct {
	// Replaces is the version (ID prefix) this one follows; "" for a new agreement.
	Replaces     string   `json:"replaces"`
	Title        string   `json:"title"`
	Text         string   `json:"text"`
	Purposes     []string `json:"purposes"`
	Recipients   []string `json:"recipients"`
	Standard     string   `json:"standard"` // royalty share of a standard license, "n/d" or "50%"
	Extended     string   `json:"extended"`
	Retention    string   `json:"retention"` // ISO 8601 duration, e.g. "P3Y"
	Jurisdiction string   `json:"jurisdiction"`
	Language     string   `json:"language"`
}
