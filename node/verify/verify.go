// Package verify is what an auditor runs: it checks a bundle offline, with
// nothing but the bundle. Every record's signature and ID are checked as the
// bundle is read; then the co-op's rules are replayed from the genesis with
// the same fold every node uses, so a record that its author had no
// authority to sign at that point of the history is named with the reason.
//
// Revocations and removals are final: what a revoked key (a removed
// member's keys) signed outside the revocation's (removal's) causal past is
// invalid, and the report names each such record, the reason and the cut.
//
// Claimed times are bounded by the auditor's clock, as by a node's: a
// record dated more than the bylaws' skew after the time the bundle is
// judged at (BundleAt; the command passes the clock or --at) fails as
// dated in the future, and is left out of the replay, as a node holds it;
// a record dated before the genesis fails by the co-op's rules. The
// package reads no clock itself.
//
// It imports neither storage nor networking.
package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

// Finding is one problem, tied to a record where there is one.
type Finding struct {
	Record string `json:"record,omitempty"` // record ID
	Type   string `json:"type,omitempty"`
	Reason string `json:"reason"`
	// Cut is the revocation or removal whose cut excludes the record, if that is why it fails.
	Cut string `json:"cut,omitempty"`
	// Proposal is the proposal a refused close or ballot is about.
	Proposal string `json:"proposal,omitempty"`
}

// Report is the outcome of verifying a bundle.
type Report struct {
	OK       bool   `json:"ok"`
	Coop     string `json:"coop"`
	CoopName string `json:"coopName"`
	Created  string `json:"created"`
	// At is the time the bundle was judged at (empty: no time given, so no
	// record was judged as dated in the future).
	At         string         `json:"at,omitempty"`
	Records    int            `json:"records"`    // records read and verified
	Signatures int            `json:"signatures"` // signatures checked
	Types      map[string]int `json:"types"`
	Valid      int            `json:"valid"`      // records applied by the co-op's rules
	Members    int            `json:"members"`    // current members
	Removed    int            `json:"removed"`    // members who left (resigned); not counted in Members
	Revoked    int            `json:"revoked"`    // device keys revoked
	Cut        int            `json:"cut"`        // records outside a revocation's or removal's cut (each also a failure)
	Digest     string         `json:"digest"`     // state digest after replay: compare with `coopnode status`
	NeedsNewer int            `json:"needsNewer"` // records of types this version cannot judge (not failures)
	// Decisions are the closed proposals, each recounted from its close's
	// causal past (a close whose count or result is wrong is a failure).
	Decisions []Decision `json:"decisions"`
	Open      int        `json:"open"` // proposals not closed
	// AwaitingTellers counts the open proposals with a close that awaits
	// its tellers' co-signatures (not a failure: it decides nothing yet).
	AwaitingTellers int `json:"awaitingTellers"`
	// Superseded counts closes as full as the close that decides, which
	// lost only the tie (the earlier, then the lower ID): not failures.
	Superseded int `json:"superseded"`
	// Agreements are the adopted data agreement versions; Consent counts
	// the valid consent receipts (a receipt the rules refuse is a failure).
	Agreements []AgreementVersion `json:"agreements"`
	Consent    ConsentSummary     `json:"consent"`
	Failures   []Finding          `json:"failures"`
}

// AgreementVersion is one adopted version of a data agreement.
type AgreementVersion struct {
	Agreement  string   `json:"agreement"`
	Version    string   `json:"version"`
	Number     int      `json:"number"`
	Title      string   `json:"title"`
	TextSHA256 string   `json:"textSha256"`
	Purposes   []string `json:"purposes"`
	Adopted    string   `json:"adopted"` // the close
	Grants     int      `json:"grants"`  // valid grants under it
}

// ConsentSummary counts the co-op's consent records.
type ConsentSummary struct {
	Keys        int `json:"keys"`        // registered pseudonymous consent keys
	Grants      int `json:"grants"`      // valid grants
	Withdrawals int `json:"withdrawals"` // grants withdrawn
	Refusals    int `json:"refusals"`    // opt-outs of a version
}

// Decision is one closed proposal as the recount found it.
type Decision struct {
	Proposal string `json:"proposal"`
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Method   string `json:"method"`
	Outcome  string `json:"outcome"`
	Ballots  int    `json:"ballots"` // counted directly
	Proxies  int    `json:"proxies"` // counted through delegations
	Close    string `json:"close"`   // the close record
	Effect   string `json:"effect,omitempty"`
}

// Bundle verifies the bundle read from r without a time to judge claimed
// times by (see BundleAt).
func Bundle(r io.Reader) (Report, error) { return BundleAt(r, time.Time{}) }

// BundleAt verifies the bundle read from r as at time at: a record dated
// more than the bylaws' skew after at fails as dated in the future (the
// zero time judges no record so). A bad bundle gives a Report with OK
// false and the reasons; the error is only for failures to read at all.
func BundleAt(r io.Reader, at time.Time) (Report, error) {
	rep := Report{Types: map[string]int{}, Failures: []Finding{}}
	if !at.IsZero() {
		rep.At = at.UTC().Format(record.TimeFormat)
	}
	br, err := bundle.NewReader(r)
	if err != nil {
		if errors.Is(err, bundle.ErrNotBundle) || errors.Is(err, bundle.ErrTruncated) || errors.Is(err, bundle.ErrTampered) {
			rep.Failures = append(rep.Failures, Finding{Reason: err.Error()})
			return rep, nil
		}
		return rep, err
	}
	defer br.Close()
	hdr := br.Header()
	rep.Coop, rep.Created = hdr.Coop.String(), hdr.Created.UTC().Format(record.TimeFormat)
	// The signatures are checked on the other cores while this one replays
	// the co-op's rules: the replay is thrown away unless every one verifies.
	recs, verify, err := br.AllUnverified()
	if err == nil {
		full := rep
		full.Types = map[string]int{}
		for _, rec := range recs {
			full.Records++
			full.Signatures += len(rec.Sigs)
			full.Types[rec.Type]++
		}
		full = RecordsAt(hdr.Coop, recs, full, at)
		if err = verify(); err == nil {
			return full, nil
		}
	}
	// Signatures, IDs, truncation and tampering: nothing after this point
	// can be trusted. A record refused in an intact bundle is named.
	f := Finding{Reason: err.Error()}
	var re *bundle.RecordError
	if errors.As(err, &re) && !re.ID.IsZero() {
		f.Record, f.Type = re.ID.String(), re.Type
	}
	rep.Failures = append(rep.Failures, f)
	return rep, nil
}

// Records replays verified records of co-op coopID and adds the findings
// to rep, judging no record as dated in the future (see RecordsAt).
func Records(coopID record.ID, recs []*record.Record, rep Report) Report {
	return RecordsAt(coopID, recs, rep, time.Time{})
}

// RecordsAt is Records as at time at: records dated more than the bylaws'
// skew after at are failures, and left out of the replay as a node whose
// clock reads at holds them (so the digest is that node's).
func RecordsAt(coopID record.ID, recs []*record.Record, rep Report, at time.Time) Report {
	var future []*record.Record
	if !at.IsZero() {
		recs, future = coop.SplitAt(coopID, recs, at)
	}
	s := coop.Fold(coopID, recs)
	// Only findings look records up: a good bundle needs no index.
	var byID map[record.ID]*record.Record
	if len(s.Rejected)+len(s.Pending)+len(future) > 0 {
		byID = make(map[record.ID]*record.Record, len(recs))
		for _, r := range recs {
			byID[r.ID] = r
		}
	}
	late := make(map[record.ID]bool, len(future))
	for _, r := range future {
		late[r.ID] = true
		rep.Failures = append(rep.Failures, Finding{Record: r.ID.String(), Type: r.Type, Proposal: proposalOf(r),
			Reason: fmt.Sprintf("dated in the future: %s is more than the bylaws' skew (%s) after the time judged at, %s; a node holds it until then, so verify again with --at a later time to judge it",
				r.Time.UTC().Format(record.TimeFormat), s.Bylaws.Skew(), at.UTC().Format(record.TimeFormat))})
	}
	if s.Name == "" {
		rep.Failures = append(rep.Failures, Finding{Record: coopID.String(), Type: coop.TypeGenesis,
			Reason: "the co-op's genesis record is missing or invalid: nothing can be judged without it"})
	}
	rep.Cut = 0
	for _, rj := range s.Rejected {
		if rj.Void && rj.LeftOut.IsZero() {
			rep.Superseded++ // as full as the close that decides: no rule broken
			continue
		}
		f := Finding{Record: rj.ID.String(), Type: rj.Type, Reason: rj.Reason}
		if r, ok := byID[rj.ID]; ok {
			f.Proposal = proposalOf(r)
		}
		if !rj.Cut.IsZero() && !rj.Void {
			f.Cut = rj.Cut.String()
			rep.Cut++
		}
		rep.Failures = append(rep.Failures, f)
	}
	for _, id := range s.Pending {
		var missing, early []string
		for _, p := range byID[id].Prev {
			if late[p] {
				early = append(early, p.Short())
			} else if _, ok := byID[p]; !ok {
				missing = append(missing, p.Short())
			}
		}
		reason := "relies on a record that is itself waiting for a missing one"
		switch {
		case len(missing) > 0:
			reason = fmt.Sprintf("relies on records not in the bundle (%v): the bundle is incomplete", missing)
		case len(early) > 0:
			reason = fmt.Sprintf("relies on records dated in the future (%v), so it waits for them", early)
		}
		rep.Failures = append(rep.Failures, Finding{Record: id.String(), Type: byID[id].Type, Reason: reason})
	}
	sort.SliceStable(rep.Failures, func(i, j int) bool { return rep.Failures[i].Record < rep.Failures[j].Record })
	d := s.Digest()
	rep.CoopName, rep.Valid, rep.NeedsNewer = s.Name, s.Applied, len(s.NeedsNewer)
	rep.Members, rep.Removed, rep.Revoked = 0, 0, 0
	for _, m := range s.Members {
		if m.Removed {
			rep.Removed++
		} else {
			rep.Members++
		}
		rep.Revoked += len(m.Revoked)
	}
	rep.Digest = fmt.Sprintf("%x", d)
	rep.Decisions, rep.Open = []Decision{}, 0
	for _, p := range s.Proposals() {
		if p.Close == nil {
			rep.Open++
			if len(s.Awaiting(p.ID)) > 0 {
				rep.AwaitingTellers++
			}
			continue
		}
		rep.Decisions = append(rep.Decisions, Decision{Proposal: p.ID.String(), Title: p.Title, Kind: p.Kind, Method: string(p.Method),
			Outcome: p.Close.Result.Outcome, Ballots: len(p.Now.Counted), Proxies: len(p.Now.Proxies), Close: p.Close.ID.String(), Effect: p.Effect})
	}
	rep.Agreements = []AgreementVersion{}
	grants := map[record.ID]int{}
	for _, g := range s.Consents().Grants {
		grants[g.Version]++
		rep.Consent.Grants++
		if len(g.Withdrawals) > 0 {
			rep.Consent.Withdrawals++
		}
	}
	rep.Consent.Refusals = len(s.Consents().Refusals)
	for _, a := range s.Agreements() {
		for _, v := range a.Versions {
			av := AgreementVersion{Agreement: a.ID.String(), Version: v.ID.String(), Number: v.Number, Title: v.Terms.Title,
				TextSHA256: v.TextDigest, Purposes: []string{}, Adopted: v.Adopted.String(), Grants: grants[v.ID]}
			for _, p := range v.Terms.Purposes {
				av.Purposes = append(av.Purposes, string(p))
			}
			rep.Agreements = append(rep.Agreements, av)
		}
	}
	rep.Consent.Keys = s.ConsentKeyCount()
	rep.OK = len(rep.Failures) == 0
	return rep
}

// proposalOf names the proposal a close or ballot record is about ("" for other records).
func proposalOf(r *record.Record) string {
	var body struct {
		Proposal record.ID `json:"proposal"`
	}
	switch r.Type {
	case coop.TypeClosed, coop.TypeBallot:
		if json.Unmarshal(r.Body, &body) == nil && !body.Proposal.IsZero() {
			return body.Proposal.String()
		}
	}
	return ""
}
