// Package app is the product's one API. The same App is bound to the Wails
// window, served as JSON over loopback HTTP (browser tabs and the CLI), and
// called in-process by CLI commands when no node is running. Core owns the
// node behind it: opening, unlocking, founding and closing a home.
package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/sync/replicate"
)

// Version is the program's version, set at build time with -ldflags "-X ...app.Version=...".
var Version = "0.1.0-dev"

// ErrLocked: the API was asked for co-op data before the node was unlocked.
var ErrLocked = errors.New("the node is locked: unlock it with your passphrase first")

// ErrUninitialized: the API was asked for co-op data in a home without a co-op.
var ErrUninitialized = errors.New("this home has no co-op yet: found one first (in the window or browser, or with `coopnode init` when no node is running)")

// ErrInvalidInput: the caller gave something the API cannot accept; the message says what.
var ErrInvalidInput = errors.New("invalid input")

type invalidError struct{ msg string }

func (e invalidError) Error() string { return e.msg }
func (e invalidError) Unwrap() error { return ErrInvalidInput }

func invalid(format string, args ...any) error { return invalidError{fmt.Sprintf(format, args...)} }

// Core holds the node behind the API. It is not bound: only App is.
type Core struct {
	home string
	opts node.Options

	mu      sync.Mutex
	n       *node.Node
	onReady []func(*node.Node)
	netOpts *replicate.Options // nil: no network (one-shot CLI commands)
	net     *network
	// pickFiles opens the window's file dialog; nil outside the window.
	pickFiles func() ([]string, error)
	transfers transfers
}

// NewCore prepares a Core for home; nothing is opened yet.
func NewCore(home string, opts node.Options) *Core { return &Core{home: home, opts: opts} }

// Home is the home directory.
func (c *Core) Home() string { return c.home }

// Hold takes the home's lock for the Core's whole life, so that a process
// serving a home keeps others out even before it is unlocked or founded.
// Close releases it.
func (c *Core) Hold() error {
	l, err := node.LockHome(c.home)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.opts.Lock = l
	c.mu.Unlock()
	return nil
}

// OnReady registers f to run each time a node becomes ready (opened or founded).
func (c *Core) OnReady(f func(*node.Node)) {
	c.mu.Lock()
	c.onReady = append(c.onReady, f)
	n := c.n
	c.mu.Unlock()
	if n != nil {
		f(n)
	}
}

// Unlock opens the home with passphrase. Unlocking an unlocked node is a no-op.
func (c *Core) Unlock(passphrase []byte) error {
	return c.become(true, func(o node.Options) (*node.Node, error) { return node.Open(c.home, passphrase, o) })
}

// Found creates an identity and a co-op in an empty home.
func (c *Core) Found(name, coopName string, passphrase []byte) error {
	return c.become(false, func(o node.Options) (*node.Node, error) { return node.Init(c.home, name, coopName, passphrase, o) })
}

// become opens a node with open, unless one is open already: then it is a
// no-op if reuse is set, else an error (founding twice must not report success).
func (c *Core) become(reuse bool, open func(node.Options) (*node.Node, error)) error {
	c.mu.Lock()
	if c.n != nil {
		c.mu.Unlock()
		if reuse {
			return nil
		}
		return fmt.Errorf("%w: this node already holds %q", node.ErrAlreadyInitialized, c.Node().State().Name)
	}
	tuneGC()
	n, err := open(c.opts)
	if err == nil {
		err = n.Start(context.Background()) // stopped by n.Close
	}
	if err == nil {
		err = c.attach(n)
	}
	if err != nil {
		if n != nil {
			n.Close()
		}
		c.mu.Unlock()
		return err
	}
	c.n = n
	hooks := append([]func(*node.Node){}, c.onReady...)
	c.mu.Unlock()
	for _, f := range hooks {
		f(n)
	}
	return nil
}

// Node is the open node, or nil while locked or uninitialised.
func (c *Core) Node() *node.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Close closes the node, if open, and releases a held lock. Safe to call more than once.
func (c *Core) Close() error {
	c.mu.Lock()
	n, l := c.n, c.opts.Lock
	c.n, c.opts.Lock, c.net = nil, nil, nil
	c.mu.Unlock()
	var err error
	if n != nil {
		err = n.Close()
	}
	if l != nil {
		l.Release()
	}
	return err
}

// App is the API. Every exported method is callable from the window, the
// browser and the CLI; keep them few, and their results plain data (views.go).
type App struct{ core *Core }

// NewApp returns the API over core.
func NewApp(core *Core) *App { return &App{core: core} }

func (a *App) ready() (*node.Node, error) {
	if n := a.core.Node(); n != nil {
		return n, nil
	}
	if node.Initialized(a.core.home) {
		return nil, ErrLocked
	}
	return nil, ErrUninitialized
}

// Status says what this node is and holds.
func (a *App) Status() (StatusView, error) {
	v := StatusView{Home: a.core.home, Version: Version, Problems: []string{}}
	n := a.core.Node()
	v.Network = a.network()
	switch {
	case n != nil && !n.Admitted():
		v.State = StateJoining
		v.Coop = &CoopView{ID: n.CoopID().String(), Name: n.State().Name}
		v.Me = &IdentityView{MemberKey: n.MemberKey().String(), DeviceKey: n.DeviceKey().String(), Roles: []string{}}
		if reqs := n.OwnJoinRequests(); len(reqs) > 0 {
			v.Me.Name = reqs[len(reqs)-1].Body.Name
			v.JoinRequest = reqs[len(reqs)-1].Record.ID.String()
		}
		v.Problems = append(v.Problems, n.Problems()...)
		return v, nil
	case n != nil:
		v.State = StateReady
	case node.Initialized(a.core.home):
		v.State = StateLocked
		return v, nil
	default:
		v.State = StateUninitialized
		return v, nil
	}
	s, d := n.StateDigest()
	v.Digest = fmt.Sprintf("%x", d)
	v.Records, v.Pending, v.NeedsNewer = s.Applied, len(s.Pending), len(s.NeedsNewer)
	v.Problems = append(v.Problems, n.Problems()...)
	for _, h := range n.Held() {
		v.Held = append(v.Held, HeldView{ID: h.ID.String(), Type: h.Type, Time: h.Time.UTC().Format(timeLayout), Due: h.Due.UTC().Format(timeLayout)})
	}
	current := 0
	for _, m := range s.Members {
		if !m.Removed {
			current++
		}
	}
	v.Coop = &CoopView{ID: s.CoopID.String(), Name: s.Name, Founded: s.Founded.UTC().Format(timeLayout), Members: current}
	me := &IdentityView{MemberKey: n.MemberKey().String(), DeviceKey: n.DeviceKey().String(), Roles: []string{}}
	if m, ok := s.MemberByKey(n.MemberKey()); ok {
		me.MemberID, me.Name, me.Class, me.Roles = m.ID.String(), m.Name, m.Class, nonNil(m.Roles)
	}
	v.Me = me
	return v, nil
}

// Members lists the co-op's members, founders first, then by admission.
func (a *App) Members() ([]MemberView, error) {
	n, err := a.ready()
	if err != nil {
		return nil, err
	}
	s := n.State()
	out := []MemberView{}
	for _, m := range s.SortedMembers() {
		out = append(out, memberView(n, m))
	}
	return out, nil
}

func memberView(n *node.Node, m *coop.Member) MemberView {
	by := ""
	if m.AdmittedBy != (coop.MemberID{}) {
		by = m.AdmittedBy.String()
	}
	v := MemberView{ID: m.ID.String(), Name: m.Name, Class: m.Class, Roles: nonNil(m.Roles),
		Admitted: m.Admitted.UTC().Format(timeLayout), AdmittedBy: by, Devices: len(m.Devices),
		Founder: m.Founder, Me: m.Key == n.MemberKey()}
	if m.Removed {
		v.Left = m.RemovedAt.UTC().Format(timeLayout)
	}
	return v
}

// Bylaws returns the bylaws in force.
func (a *App) Bylaws() (BylawsView, error) {
	n, err := a.ready()
	if err != nil {
		return BylawsView{}, err
	}
	s := n.State()
	b := s.Bylaws
	v := BylawsView{Text: b.Text, VotingRule: b.VotingRule, Quorum: ratio(b.Quorum), Threshold: ratio(b.Threshold),
		Classes: []MemberClassView{}, AdmissionRule: b.Admission.Rule, AdmitRoles: nonNil(b.Admission.Roles),
		AdoptedBy: s.BylawsFrom.String(), AdoptedAt: adoptedAt(n, s).UTC().Format(timeLayout), Methods: []string{}, CloseGraceHours: b.CloseGraceHours,
		Tellers: b.Tellers, MaxSkewMinutes: b.MaxSkewMinutes, Special: specialView(b)}
	if b.Tellers == 0 && len(s.RollNow(nil)) > 1 {
		v.TellersAdvice = fmt.Sprintf("These bylaws predate tellers: a close decides on its closer's word alone. Propose an amendment with tellers set to %d, so that other members' nodes check each close against the ballots they hold before it decides.",
			coop.DefaultBylaws("").Tellers)
	}
	for _, m := range b.Methods {
		v.Methods = append(v.Methods, string(m))
	}
	for _, c := range b.Classes {
		v.Classes = append(v.Classes, MemberClassView{Name: c.Name, Description: c.Description, Votes: c.Votes})
	}
	return v, nil
}

// Unlock opens this node's keys with the passphrase.
func (a *App) Unlock(passphrase string) error {
	if passphrase == "" {
		return invalid("enter your passphrase")
	}
	err := a.core.Unlock([]byte(passphrase))
	if errors.Is(err, identity.ErrWrongPassphrase) {
		return fmt.Errorf("%w: nothing was changed; try again", identity.ErrWrongPassphrase)
	}
	return err
}

// Init founds a co-op in this (empty) home: your name, the co-op's name, a passphrase for your keys.
func (a *App) Init(name, coopName, passphrase string) error {
	if len(passphrase) < 8 {
		return invalid("choose a passphrase of at least 8 characters: it protects your keys")
	}
	if strings.TrimSpace(name) == "" || strings.TrimSpace(coopName) == "" {
		return invalid("give your name and the co-op's name")
	}
	return a.core.Found(name, coopName, []byte(passphrase))
}

const timeLayout = record.TimeFormat

func ratio(r exact.Ratio) Ratio {
	return Ratio{Num: r.Num, Den: r.Den, Text: fmt.Sprintf("%s (%s)", r, r.Percent())}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
