package app

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/coopnode/coopnode/node"
)

// API is what the CLI needs; *App (in-process) and *Client (a running node) provide it.
type API interface {
	Status() (StatusView, error)
	Members() ([]MemberView, error)
	Bylaws() (BylawsView, error)
	ExportBundle(path, since string) (ExportView, error)
	ImportBundle(path string) (ImportView, error)
	// BundleTransfers is how far the exports and imports of bundles are,
	// those running in the node (one started by a window or browser tab too).
	BundleTransfers() ([]BundleTransferView, error)
	Peers() ([]PeerView, error)
	Invite(hours int) (InviteView, error)
	JoinRequests() ([]JoinRequestView, error)
	Admit(request, class string) (MemberView, error)
	Join(invite, name, passphrase string) (JoinView, error)
	RevokeDevice(deviceKey, reason string) error
	Resign(reason string) error
	Proposals() ([]ProposalView, error)
	Proposal(id string) (ProposalView, error)
	Propose(in ProposeInput) (ProposalView, error)
	Vote(proposal string, v VoteInput) (ProposalView, error)
	CloseProposal(proposal string) (ProposalView, error)
	Delegate(to, proposal, kind string) (DelegationView, error)
	Delegations() ([]DelegationView, error)
	EndDelegation(id string) error
	AddDataFile(path, title string, tags []string) (DataItemView, error)
	Transfers() ([]TransferView, error)
	DataItems() ([]DataItemView, error)
	DataItem(id string) (DataItemView, error)
	ExportData(id, path string) (DataExportView, error)
	RemoveData(id, reason string) error
	DataSignals(item, policyURL string) (SignalsView, error)
	Agreements() ([]AgreementView, error)
	Purposes() ([]PurposeView, error)
	Consents() ([]ConsentView, error)
	Consent(id string) (ConsentDetailView, error)
	GrantConsent(in ConsentInput) (ConsentView, error)
	WithdrawConsent(id, reason string) (ConsentView, error)
	WithdrawVersion(version, reason string) ([]ConsentView, error)
	RefuseAgreement(version, reason string) (ConsentView, error)
	SetItemConsent(item, version, purpose string, allow bool) ([]ConsentView, error)
	ConsentStatus(purpose, recipient string) (ConsentQueryView, error)
}

var _ API = (*App)(nil)
var _ API = (*Client)(nil)

// Client calls a running node's API over loopback HTTP.
type Client struct {
	base, token string
	hc          *http.Client
}

// ErrNoRunningNode: no process serves an API for this home.
var ErrNoRunningNode = errors.New("no running node for this home")

// Dial finds the node running in home (from its API file) and checks it answers.
func Dial(home string) (*Client, error) {
	b, err := os.ReadFile(filepath.Join(home, node.APIFile))
	if err != nil {
		return nil, ErrNoRunningNode
	}
	var info apiInfo
	if json.Unmarshal(b, &info) != nil || info.URL == "" {
		return nil, ErrNoRunningNode
	}
	tok, err := os.ReadFile(filepath.Join(home, node.TokenFile))
	if err != nil {
		return nil, fmt.Errorf("a node is running for %s but its token file is unreadable: %w", home, err)
	}
	c := &Client{base: info.URL, token: string(bytes.TrimSpace(tok)), hc: &http.Client{Timeout: 30 * time.Second}}
	// Before sending the token anywhere, make the server prove it holds it:
	// after a crash api.json may point at a port someone else now listens on.
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	n := hex.EncodeToString(nonce)
	probe := &http.Client{Timeout: 2 * time.Second}
	resp, err := probe.Get(c.base + helloPath + "?nonce=" + n)
	if err != nil {
		return nil, ErrNoRunningNode // a stale API file from a process that died
	}
	defer resp.Body.Close()
	var hello struct{ Proof string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&hello) != nil ||
		!hmac.Equal([]byte(hello.Proof), []byte(helloProof(c.token, n))) {
		return nil, ErrNoRunningNode // not our node: never send it the token
	}
	return c, nil
}

// URL is the running node's base URL.
func (c *Client) URL() string { return c.base }

// streaming are the calls that move whole files and may take minutes.
var streaming = map[string]bool{"AddDataFile": true, "ExportData": true, "ExportBundle": true, "ImportBundle": true}

func (c *Client) call(method string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	body, _ := json.Marshal(args)
	req, _ := http.NewRequest(http.MethodPost, c.base+"/api/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	hc := c.hc
	if streaming[method] {
		// Streams hundreds of MB: no overall deadline (the node reports progress in Transfers).
		hc = &http.Client{}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("call the running node at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  string          `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("running node answered %s with something that is not JSON: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("running node: %s", env.Error)
	}
	if out == nil || len(env.Result) == 0 {
		return nil
	}
	return json.Unmarshal(env.Result, out)
}

func (c *Client) Status() (v StatusView, err error)    { err = c.call("Status", &v); return }
func (c *Client) Members() (v []MemberView, err error) { err = c.call("Members", &v); return }
func (c *Client) Bylaws() (v BylawsView, err error)    { err = c.call("Bylaws", &v); return }
func (c *Client) ExportBundle(path, since string) (v ExportView, err error) {
	err = c.call("ExportBundle", &v, path, since)
	return
}
func (c *Client) ImportBundle(path string) (v ImportView, err error) {
	err = c.call("ImportBundle", &v, path)
	return
}
func (c *Client) Peers() (v []PeerView, err error) { err = c.call("Peers", &v); return }
func (c *Client) Invite(hours int) (v InviteView, err error) {
	err = c.call("Invite", &v, hours)
	return
}
func (c *Client) JoinRequests() (v []JoinRequestView, err error) {
	err = c.call("JoinRequests", &v)
	return
}
func (c *Client) Admit(request, class string) (v MemberView, err error) {
	err = c.call("Admit", &v, request, class)
	return
}
func (c *Client) Join(invite, name, passphrase string) (v JoinView, err error) {
	err = c.call("Join", &v, invite, name, passphrase)
	return
}
func (c *Client) RevokeDevice(deviceKey, reason string) error {
	return c.call("RevokeDevice", nil, deviceKey, reason)
}
func (c *Client) Resign(reason string) error               { return c.call("Resign", nil, reason) }
func (c *Client) Proposals() (v []ProposalView, err error) { err = c.call("Proposals", &v); return }
func (c *Client) Proposal(id string) (v ProposalView, err error) {
	err = c.call("Proposal", &v, id)
	return
}
func (c *Client) Propose(in ProposeInput) (v ProposalView, err error) {
	err = c.call("Propose", &v, in)
	return
}
func (c *Client) Vote(proposal string, in VoteInput) (v ProposalView, err error) {
	err = c.call("Vote", &v, proposal, in)
	return
}
func (c *Client) CloseProposal(proposal string) (v ProposalView, err error) {
	err = c.call("CloseProposal", &v, proposal)
	return
}
func (c *Client) Delegate(to, proposal, kind string) (v DelegationView, err error) {
	err = c.call("Delegate", &v, to, proposal, kind)
	return
}
func (c *Client) Delegations() (v []DelegationView, err error) {
	err = c.call("Delegations", &v)
	return
}
func (c *Client) EndDelegation(id string) error { return c.call("EndDelegation", nil, id) }

func (c *Client) AddDataFile(path, title string, tags []string) (v DataItemView, err error) {
	err = c.call("AddDataFile", &v, path, title, tags)
	return
}
func (c *Client) Transfers() (v []TransferView, err error) { err = c.call("Transfers", &v); return }
func (c *Client) DataItems() (v []DataItemView, err error) { err = c.call("DataItems", &v); return }
func (c *Client) DataItem(id string) (v DataItemView, err error) {
	err = c.call("DataItem", &v, id)
	return
}
func (c *Client) ExportData(id, path string) (v DataExportView, err error) {
	err = c.call("ExportData", &v, id, path)
	return
}
func (c *Client) RemoveData(id, reason string) error { return c.call("RemoveData", nil, id, reason) }
func (c *Client) DataSignals(item, policyURL string) (v SignalsView, err error) {
	err = c.call("DataSignals", &v, item, policyURL)
	return
}
func (c *Client) Agreements() (v []AgreementView, err error) { err = c.call("Agreements", &v); return }
func (c *Client) Purposes() (v []PurposeView, err error)     { err = c.call("Purposes", &v); return }
func (c *Client) Consents() (v []ConsentView, err error)     { err = c.call("Consents", &v); return }
func (c *Client) Consent(id string) (v ConsentDetailView, err error) {
	err = c.call("Consent", &v, id)
	return
}
func (c *Client) GrantConsent(in ConsentInput) (v ConsentView, err error) {
	err = c.call("GrantConsent", &v, in)
	return
}
func (c *Client) WithdrawConsent(id, reason string) (v ConsentView, err error) {
	err = c.call("WithdrawConsent", &v, id, reason)
	return
}
func (c *Client) WithdrawVersion(version, reason string) (v []ConsentView, err error) {
	err = c.call("WithdrawVersion", &v, version, reason)
	return
}
func (c *Client) RefuseAgreement(version, reason string) (v ConsentView, err error) {
	err = c.call("RefuseAgreement", &v, version, reason)
	return
}
func (c *Client) SetItemConsent(item, version, purpose string, allow bool) (v []ConsentView, err error) {
	err = c.call("SetItemConsent", &v, item, version, purpose, allow)
	return
}
func (c *Client) ConsentStatus(purpose, recipient string) (v ConsentQueryView, err error) {
	err = c.call("ConsentStatus", &v, purpose, recipient)
	return
}
