package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/verify"
	"github.com/coopnode/coopnode/sync/replicate"
)

// exitUsage is the exit status for "cannot do that here" (no display, bad flags).
const exitUsage = 2

// Main runs the coopnode command line and returns the process's exit status.
// With no arguments it opens the desktop window.
func Main(args []string, assets fs.FS, stdout, stderr io.Writer) int {
	c := &cli{assets: assets, out: stdout, errw: stderr}
	root := c.root()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintln(stderr, "coopnode:", ee.msg)
			return ee.code
		}
		fmt.Fprintln(stderr, "coopnode:", err)
		if errors.Is(err, identity.ErrWrongPassphrase) {
			fmt.Fprintln(stderr, "Try again, or set COOPNODE_PASSPHRASE for scripts.")
		}
		return 1
	}
	return 0
}

type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

type cli struct {
	assets    fs.FS
	out, errw io.Writer
	home      string
	asJSON    bool
	p2pListen []string
}

// defaultP2PListen: every interface, so members on the LAN can reach us.
var defaultP2PListen = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}

func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "coopnode",
		Short:         "A local-first node for co-operatives",
		Long:          "coopnode keeps your co-op's records, your data and your consents on your own computer.\nWith no command it opens the desktop window.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return c.window() },
	}
	root.PersistentFlags().StringVar(&c.home, "home", "", "where this node keeps everything (default $COOPNODE_HOME, else the per-user data directory)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if bindingsBuild {
			return nil
		}
		if c.home == "" {
			c.home = os.Getenv("COOPNODE_HOME")
		}
		if c.home == "" {
			h, err := node.DefaultHome()
			if err != nil {
				return err
			}
			c.home = h
		}
		abs, err := filepath.Abs(c.home)
		if err != nil {
			return fmt.Errorf("home %q: %w", c.home, err)
		}
		c.home = abs
		return nil
	}
	jsonFlag := func(cmd *cobra.Command) *cobra.Command {
		cmd.Flags().BoolVar(&c.asJSON, "json", false, "print JSON instead of text")
		return cmd
	}
	var name, coopName, addr, verifyAt string
	verifyCmd := jsonFlag(&cobra.Command{Use: "verify BUNDLE", Short: "Check a bundle offline: signatures, IDs, authority; no home needed", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return c.verify(args[0], verifyAt) }})
	verifyCmd.Flags().StringVar(&verifyAt, "at", "", "judge records' claimed times as at this time (RFC 3339, e.g. 2027-01-31T12:00:00Z; default: now): a record dated more than the bylaws' skew after it fails")
	initCmd := &cobra.Command{
		Use:   "init --name NAME --coop NAME",
		Short: "Create your identity and found a co-op in this home",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return c.init(name, coopName) },
	}
	initCmd.Flags().StringVar(&name, "name", "", "your name, as other members will see it")
	initCmd.Flags().StringVar(&coopName, "coop", "", "the co-op's name")
	var out, since string
	exportCmd := &cobra.Command{
		Use:   "export --out FILE [--since BUNDLE]",
		Short: "Write this node's records to a bundle file (all, or those the --since bundle lacks)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return c.export(out, since) },
	}
	exportCmd.Flags().StringVar(&out, "out", "", "the bundle file to write")
	exportCmd.Flags().StringVar(&since, "since", "", "a bundle the receiver already has: leave its records out")
	serveCmd := &cobra.Command{
		Use:   "serve",
		Short: "Run this node headless and serve its UI to a browser on this computer",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return c.serve(cmd.Context(), addr) },
	}
	serveCmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "loopback address to serve on (port 0 picks a free one)")
	serveCmd.Flags().StringSliceVar(&c.p2pListen, "p2p-listen", defaultP2PListen, "libp2p addresses to listen on for other members' nodes (port 0: a free port, kept across restarts)")
	var hours int
	inviteCmd := &cobra.Command{Use: "invite [--hours N]", Short: "Make a one-time invite for someone to join (needs a running node)", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return c.invite(hours) }}
	inviteCmd.Flags().IntVar(&hours, "hours", 72, "how long the invite stays valid (1 to 720)")
	joinCmd := &cobra.Command{Use: "join INVITE --name NAME", Short: "Ask to join a co-op with an invite, creating your identity in this home", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return c.join(args[0], name) }}
	joinCmd.Flags().StringVar(&name, "name", "", "your name, as other members will see it")
	var class string
	admitCmd := &cobra.Command{Use: "admit REQUEST [--class CLASS]", Short: "Admit the member who sent a join request (ID or its first 8+ characters)", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error { return c.admit(api, args[0], class) })
		}}
	admitCmd.Flags().StringVar(&class, "class", "", "the member class to admit into (default: the bylaws' first class)")
	var sure bool
	resignCmd := &cobra.Command{Use: "resign --yes [REASON]", Short: "Leave the co-op (final)", Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if !sure {
				return exitError{exitUsage, "resigning is final: your keys can sign nothing valid afterwards. Run it again with --yes if you mean it"}
			}
			return c.withAPI(func(api API) error {
				if err := api.Resign(strings.Join(args, "")); err != nil {
					return err
				}
				fmt.Fprintln(c.out, "You have left the co-op. Your past records stay valid; your keys can sign nothing valid from now on.")
				return nil
			})
		}}
	resignCmd.Flags().BoolVar(&sure, "yes", false, "yes, I am leaving the co-op")
	root.AddCommand(
		jsonFlag(initCmd),
		serveCmd,
		jsonFlag(&cobra.Command{Use: "status", Short: "Show the co-op, this member and the state digest", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.withAPI(c.status) }}),
		jsonFlag(&cobra.Command{Use: "members", Short: "List the co-op's members", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.withAPI(c.members) }}),
		jsonFlag(&cobra.Command{Use: "bylaws", Short: "Show the bylaws in force", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.withAPI(c.bylaws) }}),
		jsonFlag(exportCmd),
		jsonFlag(inviteCmd),
		jsonFlag(joinCmd),
		jsonFlag(admitCmd),
		&cobra.Command{Use: "revoke-device KEY [REASON]", Short: "Revoke one of your device keys (a lost laptop); final", Args: cobra.RangeArgs(1, 2),
			RunE: func(_ *cobra.Command, args []string) error {
				return c.withAPI(func(api API) error {
					if err := api.RevokeDevice(args[0], strings.Join(args[1:], "")); err != nil {
						return err
					}
					fmt.Fprintln(c.out, "Revoked. Whatever that key signs from now on is invalid everywhere.")
					return nil
				})
			}},
		resignCmd,
		jsonFlag(&cobra.Command{Use: "requests", Short: "List requests to join and whether they were answered", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.withAPI(c.requests) }}),
		jsonFlag(&cobra.Command{Use: "peers", Short: "List the peers this node syncs with (needs a running node)", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.peers() }}),
		jsonFlag(&cobra.Command{Use: "import FILE", Short: "Verify a bundle, then add the records this node lacks", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error { return c.importBundle(args[0]) }}),
		verifyCmd,
		jsonFlag(&cobra.Command{Use: "reindex", Short: "Rebuild every derived index from the stored records", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return c.reindex() }}),
	)
	root.AddCommand(c.governCommands(jsonFlag)...)
	root.AddCommand(c.dataCommands(jsonFlag)...)
	root.AddCommand(c.refcoopCommand())
	root.AddCommand(
		jsonFlag(&cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				v := map[string]string{"version": Version, "go": runtime.Version(), "build": buildKind()}
				return c.print(v, func(w io.Writer) { fmt.Fprintf(w, "coopnode %s (%s build, %s)\n", Version, v["build"], v["go"]) })
			}}),
	)
	return root
}

// passphrase reads COOPNODE_PASSPHRASE, else prompts on the terminal.
// It returns (nil, nil) when neither is available and optional is set.
func (c *cli) passphrase(confirm, optional bool) ([]byte, error) {
	if p, ok := os.LookupEnv("COOPNODE_PASSPHRASE"); ok {
		return []byte(p), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		if optional {
			return nil, nil
		}
		return nil, errors.New("a passphrase is needed: run this in a terminal, or set COOPNODE_PASSPHRASE for scripts")
	}
	fmt.Fprint(c.errw, "Passphrase: ")
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(c.errw)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	if confirm {
		fmt.Fprint(c.errw, "Again, to confirm: ")
		p2, err := term.ReadPassword(fd)
		fmt.Fprintln(c.errw)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		if string(p) != string(p2) {
			return nil, errors.New("the two passphrases differ; nothing was created")
		}
	}
	return p, nil
}

func (c *cli) print(v any, text func(w io.Writer)) error {
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(c.out)
	return nil
}

// withAPI runs f against the running node for this home, if there is one,
// else against the home opened in this process.
func (c *cli) withAPI(f func(API) error) error {
	if cl, err := Dial(c.home); err == nil {
		return f(cl)
	} else if !errors.Is(err, ErrNoRunningNode) {
		return err
	}
	if !node.Initialized(c.home) {
		return fmt.Errorf("%s holds no co-op yet: run `coopnode init --name \"Your Name\" --coop \"Co-op Name\"` (or pass --home)", c.home)
	}
	pass, err := c.passphrase(false, false)
	if err != nil {
		return err
	}
	core := NewCore(c.home, node.Options{})
	if err := core.Unlock(pass); err != nil {
		return err
	}
	defer core.Close()
	return f(NewApp(core))
}

func (c *cli) init(name, coopName string) error {
	if name == "" || coopName == "" {
		return exitError{exitUsage, "init needs --name \"Your Name\" and --coop \"Co-op Name\""}
	}
	if node.Initialized(c.home) {
		return fmt.Errorf("%w (%s); nothing was changed. Use another --home to found another co-op", node.ErrAlreadyInitialized, c.home)
	}
	pass, err := c.passphrase(true, false)
	if err != nil {
		return err
	}
	a := NewApp(NewCore(c.home, node.Options{}))
	defer a.core.Close()
	if err := a.Init(name, coopName, string(pass)); err != nil {
		return err
	}
	st, err := a.Status()
	if err != nil {
		return err
	}
	return c.print(st, func(w io.Writer) {
		fmt.Fprintf(w, "Founded %q, with %s as its first member.\n\n", st.Coop.Name, st.Me.Name)
		fmt.Fprintf(w, "  co-op ID   %s\n  member ID  %s\n  home       %s\n\n", st.Coop.ID, st.Me.MemberID, st.Home)
		fmt.Fprintln(w, "Next: `coopnode` opens the window; `coopnode serve` serves the same UI to your browser.")
	})
}

func (c *cli) status(api API) error {
	st, err := api.Status()
	if err != nil {
		return err
	}
	return c.print(st, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		switch st.State {
		case StateLocked:
			fmt.Fprintf(tw, "State\tlocked: unlock it in the window or browser\nHome\t%s\n", st.Home)
			return
		case StateUninitialized:
			fmt.Fprintf(tw, "State\tno co-op yet: run `coopnode init`, or `coopnode join INVITE`\nHome\t%s\n", st.Home)
			return
		case StateJoining:
			fmt.Fprintf(tw, "State\tasked to join co-op %s; waiting for a member to admit you\n", st.Coop.ID)
			fmt.Fprintf(tw, "You\t%s\nDevice key\t%s\nHome\t%s\n", st.Me.Name, st.Me.DeviceKey, st.Home)
			if st.Network == nil {
				fmt.Fprintln(tw, "Network\tnot running: run `coopnode serve` (or open the window) to receive the co-op once admitted")
			}
			return
		}
		fmt.Fprintf(tw, "Co-op\t%s\n", st.Coop.Name)
		fmt.Fprintf(tw, "Co-op ID\t%s\n", st.Coop.ID)
		fmt.Fprintf(tw, "Founded\t%s\n", st.Coop.Founded)
		fmt.Fprintf(tw, "Members\t%d\n", st.Coop.Members)
		fmt.Fprintf(tw, "You\t%s (%s)\n", st.Me.Name, strings.Join(append([]string{st.Me.Class}, st.Me.Roles...), ", "))
		fmt.Fprintf(tw, "Member ID\t%s\n", st.Me.MemberID)
		fmt.Fprintf(tw, "Device key\t%s\n", st.Me.DeviceKey)
		fmt.Fprintf(tw, "State digest\t%s\n", st.Digest)
		fmt.Fprintf(tw, "Records\t%d valid, %d pending, %d need a newer coopnode\n", st.Records, st.Pending, st.NeedsNewer)
		fmt.Fprintf(tw, "Home\t%s\n", st.Home)
		if nw := st.Network; nw != nil {
			fmt.Fprintf(tw, "Network\tpeer %s, %d connected, %d strangers refused\n", nw.PeerID, nw.Connected, nw.RefusedHandshakes)
		}
		for _, h := range st.Held {
			fmt.Fprintf(tw, "Held\t%s (%s) dated %s: applied from %s\n", h.ID, h.Type, h.Time, h.Due)
		}
		for _, p := range st.Problems {
			fmt.Fprintf(tw, "Problem\t%s\n", p)
		}
	})
}

func (c *cli) members(api API) error {
	ms, err := api.Members()
	if err != nil {
		return err
	}
	return c.print(ms, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		fmt.Fprintln(tw, "NAME\tCLASS\tROLES\tADMITTED\tDEVICES\tMEMBER ID")
		for _, m := range ms {
			name := m.Name
			if m.Me {
				name += " (you)"
			}
			if m.Left != "" {
				name += " (left " + m.Left[:10] + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", name, m.Class, strings.Join(m.Roles, ","), m.Admitted[:10], m.Devices, m.ID[:12])
		}
	})
}

func (c *cli) bylaws(api API) error {
	b, err := api.Bylaws()
	if err != nil {
		return err
	}
	return c.print(b, func(w io.Writer) {
		fmt.Fprintf(w, "Voting     %s\nQuorum     %s\nThreshold  %s (support must exceed it)\n", b.VotingRule, b.Quorum.Text, b.Threshold.Text)
		if len(b.Special) > 0 {
			fmt.Fprintln(w, "Special rules (these kinds of proposal need more)")
			for _, kind := range specialKinds(b.Special) {
				r := b.Special[kind]
				methods := "any method that passes or fails"
				if len(r.Methods) > 0 {
					methods = strings.Join(r.Methods, " or ") + " only"
				}
				fmt.Fprintf(w, "  %-14s quorum %s, threshold %s; %s\n", kind, r.Quorum.Text, r.Threshold.Text, methods)
			}
		}
		fmt.Fprintf(w, "Admission  %s by %s\nClasses\n", b.AdmissionRule, strings.Join(b.AdmitRoles, ", "))
		for _, cl := range b.Classes {
			votes := "votes"
			if !cl.Votes {
				votes = "does not vote"
			}
			fmt.Fprintf(w, "  %-12s %s (%s)\n", cl.Name, cl.Description, votes)
		}
		if b.Tellers > 0 {
			fmt.Fprintf(w, "Tellers    %d other members co-sign a close before it decides\n", b.Tellers)
		} else {
			fmt.Fprintf(w, "Tellers    none: a close decides on its closer's word\n")
		}
		if b.TellersAdvice != "" {
			fmt.Fprintf(w, "           %s\n", b.TellersAdvice)
		}
		fmt.Fprintf(w, "Adopted    %s by record %s\n\n%s", b.AdoptedAt, b.AdoptedBy, b.Text)
	})
}

func (c *cli) reindex() error {
	if cl, err := Dial(c.home); err == nil {
		return fmt.Errorf("a node is running for %s (%s): close it first, then run reindex", c.home, cl.URL())
	}
	pass, err := c.passphrase(false, false)
	if err != nil {
		return err
	}
	// Reindex is the way out of a store that lost records: it accepts
	// the store as it is (see node.Options.AcceptStore).
	n, err := node.Open(c.home, pass, node.Options{AcceptStore: true})
	if err != nil {
		return err
	}
	defer n.Close()
	rep, err := n.Reindex()
	if err != nil {
		return err
	}
	return c.print(rep, func(w io.Writer) {
		fmt.Fprintf(w, "Reindexed %d records (dropped %d derived entries first); %d damaged.\nState digest %s\n", rep.Records, rep.Dropped, rep.Damaged, rep.Digest)
		for _, n := range rep.Notes {
			fmt.Fprintln(w, "  ", n)
		}
	})
}

// startCore makes a Core for a long-running process: unlocked when a
// passphrase is at hand, else left locked for the UI to unlock.
func (c *cli) startCore() (*Core, error) {
	if cl, err := Dial(c.home); err == nil {
		return nil, fmt.Errorf("a node is already running for %s: open %s (the link it printed has the token)", c.home, cl.URL())
	}
	core := NewCore(c.home, node.Options{})
	listen := c.p2pListen
	if listen == nil {
		listen = defaultP2PListen
	}
	core.EnableNetwork(replicate.Options{Listen: listen, Log: slog.Default()})
	if err := core.Hold(); err != nil {
		return nil, err
	}
	if node.Initialized(c.home) {
		pass, err := c.passphrase(false, true)
		if err == nil && pass != nil {
			err = core.Unlock(pass)
		}
		if err != nil {
			core.Close()
			return nil, err
		}
	}
	return core, nil
}

// serveAPI serves the API on addr until ctx ends, advertising it in the home.
func (c *cli) serveAPI(ctx context.Context, core *Core, addr string) (*Server, func() error, error) {
	tok, err := LoadToken(c.home)
	if err != nil {
		return nil, nil, err
	}
	srv, err := Listen(addr, NewApp(core), tok, c.assets)
	if err != nil {
		return nil, nil, err
	}
	unadvertise, err := srv.Advertise(c.home)
	if err != nil {
		return nil, nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	return srv, func() error { err := <-done; unadvertise(); return err }, nil
}

func (c *cli) serve(ctx context.Context, addr string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	core, err := c.startCore()
	if err != nil {
		return err
	}
	defer core.Close()
	srv, wait, err := c.serveAPI(ctx, core, addr)
	if err != nil {
		return err
	}
	what := "a node with no co-op yet (found one in the browser)"
	if n := core.Node(); n != nil {
		what = n.State().Name
	} else if node.Initialized(c.home) {
		what = "a locked node (unlock it in the browser)"
	}
	fmt.Fprintf(c.out, "coopnode is serving %s from %s\nOpen this link in your browser:\n\n  %s\n\nPress Ctrl+C to stop.\n", what, c.home, srv.URL())
	slog.Info("serving", "addr", srv.Addr(), "home", c.home)
	err = wait()
	fmt.Fprintln(c.out, "coopnode stopped.")
	return err
}

// window opens the desktop window, also serving the API so the CLI and a
// browser can reach this node while the window is open.
func (c *cli) window() error {
	if p := desktopProblem(); p != "" {
		return exitError{exitUsage, p + ".\nRun `coopnode serve` to use coopnode in your browser instead."}
	}
	if bindingsBuild {
		return runWindow(NewCore("", node.Options{}), c.assets)
	}
	core, err := c.startCore()
	if err != nil {
		return err
	}
	defer core.Close()
	ctx, cancel := context.WithCancel(context.Background())
	srv, wait, err := c.serveAPI(ctx, core, "127.0.0.1:0")
	if err != nil {
		cancel()
		return err
	}
	fmt.Fprintf(c.out, "coopnode window open; the same UI is at %s\n", srv.URL())
	err = runWindow(core, c.assets)
	cancel()
	if werr := wait(); err == nil {
		err = werr
	}
	return err
}

func buildKind() string {
	if desktopBuild {
		return "desktop"
	}
	return "headless"
}

func (c *cli) export(out, since string) error {
	if out == "" {
		return exitError{exitUsage, "export needs --out FILE"}
	}
	out, _ = filepath.Abs(out)
	if since != "" {
		since, _ = filepath.Abs(since)
	}
	return c.withAPI(func(api API) error {
		var v ExportView
		err := c.withBundleProgress(api, "export", out, func() (err error) {
			v, err = api.ExportBundle(out, since)
			return err
		})
		if err != nil {
			return err
		}
		return c.print(v, func(w io.Writer) {
			fmt.Fprintf(w, "Wrote %d records (%d bytes) to %s", v.Records, v.Bytes, v.Path)
			if since != "" {
				fmt.Fprintf(w, ", leaving out %d the receiver has", v.Skipped)
			}
			fmt.Fprintln(w, ".")
		})
	})
}

func (c *cli) importBundle(file string) error {
	file, _ = filepath.Abs(file)
	return c.withAPI(func(api API) error {
		var v ImportView
		err := c.withBundleProgress(api, "import", file, func() (err error) {
			v, err = api.ImportBundle(file)
			return err
		})
		if err != nil {
			return err
		}
		return c.print(v, func(w io.Writer) {
			fmt.Fprintf(w, "Verified %d records from %s: %d added, %d already here.\n", v.Read, v.Path, v.Added, v.Had)
			if v.Pending > 0 {
				fmt.Fprintf(w, "%d wait for records this node has not seen yet; they apply once those arrive.\n", v.Pending)
			}
			if v.Invalid > 0 {
				fmt.Fprintf(w, "%d break the co-op's rules: kept for the record, never applied (see `coopnode status`).\n", v.Invalid)
			}
		})
	})
}

// withBundleProgress runs f, the export or import (kind) of the bundle at
// path, drawing its progress from BundleTransfers on one line of stderr
// while it runs, if stderr is a terminal; else it draws nothing, and the
// caller's summary is all there is. stdout is never written to.
func (c *cli) withBundleProgress(api API, kind, path string, f func() error) error {
	ef, ok := c.errw.(*os.File)
	if !ok || !term.IsTerminal(int(ef.Fd())) {
		return f()
	}
	width := 80
	if w, _, err := term.GetSize(int(ef.Fd())); err == nil && w > 20 {
		width = w
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	drawn := 0 // the length of the line on the terminal
	go func() {
		defer close(stopped)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			ts, err := api.BundleTransfers()
			if err != nil {
				continue
			}
			for _, t := range ts { // newest first
				if t.Kind == kind && t.Path == path && !t.Finished {
					line := bundleProgressLine(t, width-1)
					fmt.Fprintf(ef, "\r%s%s", line, strings.Repeat(" ", max(drawn-len(line), 0)))
					drawn = len(line)
					break
				}
			}
		}
	}()
	err := f()
	close(done)
	<-stopped
	if drawn > 0 {
		fmt.Fprintf(ef, "\r%s\r", strings.Repeat(" ", drawn))
	}
	return err
}

// bundleProgressLine says how far t is in at most width (ASCII) characters:
// "1/2 Verifying [#####...............]  25%  100,000 of 406,607 records, 16.1 of 64.3 MiB".
func bundleProgressLine(t BundleTransferView, width int) string {
	phase := strings.ToUpper(t.Phase[:min(1, len(t.Phase))]) + t.Phase[min(1, len(t.Phase)):]
	head := phase
	if t.Steps > 1 {
		head = fmt.Sprintf("%d/%d %s", t.Step, t.Steps, phase)
	}
	if t.Total <= 0 {
		return truncate(head+"...", width)
	}
	const bar = 20
	k := min(t.Records, t.Total) * bar / t.Total
	line := fmt.Sprintf("%s [%s%s] %3d%%  %s of %s records", head, strings.Repeat("#", k), strings.Repeat(".", bar-k),
		min(t.Records, t.Total)*100/t.Total, thousands(t.Records), thousands(t.Total))
	more := ""
	switch {
	case t.Size > 0:
		more = fmt.Sprintf(", %s of %s", humanBytes(t.Bytes), humanBytes(t.Size))
	case t.Phase == "storing" && t.Records >= t.Total:
		more = ", applying the co-op's rules" // before the import returns
	}
	if len(line)+len(more) <= width {
		line += more
	}
	return truncate(line, width)
}

func truncate(s string, width int) string {
	if len(s) > width {
		return s[:max(width, 0)]
	}
	return s
}

// thousands writes n with commas: 406,607.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func (c *cli) verify(file, atText string) error {
	at := time.Now() // an auditor judges claimed times by their own clock, as a node does
	if atText != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, atText); err != nil {
			return fmt.Errorf("--at %q is not a time: give one in RFC 3339, like 2027-01-31T12:00:00Z", atText)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := verify.BundleAt(f, at)
	if err != nil {
		return fmt.Errorf("verify %s: %w", file, err)
	}
	if err := c.print(rep, func(w io.Writer) {
		if rep.Coop != "" {
			fmt.Fprintf(w, "Bundle of %q (co-op %s), written %s\n", rep.CoopName, rep.Coop, rep.Created)
		}
		fmt.Fprintf(w, "Records     %d read, %d signatures checked, %d valid by the co-op's rules\n", rep.Records, rep.Signatures, rep.Valid)
		fmt.Fprintf(w, "Members     %d\nDigest      %s\nJudged at   %s\n", rep.Members, rep.Digest, rep.At)
		if rep.NeedsNewer > 0 {
			fmt.Fprintf(w, "Note        %d records are of types this coopnode does not know: not judged; verify with a newer coopnode\n", rep.NeedsNewer)
		}
		if len(rep.Decisions)+rep.Open > 0 {
			fmt.Fprintf(w, "Decisions   %d closed proposals recounted from their ballots, %d open\n", len(rep.Decisions), rep.Open)
			if rep.Superseded > 0 {
				fmt.Fprintf(w, "            %d closes were superseded by a close as full that decides (not a failure)\n", rep.Superseded)
			}
			if rep.AwaitingTellers > 0 {
				fmt.Fprintf(w, "            %d of the open ones have a close awaiting its tellers' co-signatures\n", rep.AwaitingTellers)
			}
			for _, d := range rep.Decisions {
				fmt.Fprintf(w, "            %s %q (%s, %s): %s, %d ballots", d.Proposal[:12], d.Title, d.Kind, d.Method, d.Outcome, d.Ballots)
				if d.Proxies > 0 {
					fmt.Fprintf(w, " + %d by proxy", d.Proxies)
				}
				if d.Effect != "" {
					fmt.Fprintf(w, "; %s", d.Effect)
				}
				fmt.Fprintln(w)
			}
		}
		if len(rep.Agreements) > 0 || rep.Consent.Keys > 0 {
			fmt.Fprintf(w, "Consent     %d consent keys; %d grants (%d withdrawn), %d opt-outs, each checked against its adopted agreement version\n",
				rep.Consent.Keys, rep.Consent.Grants, rep.Consent.Withdrawals, rep.Consent.Refusals)
			for _, a := range rep.Agreements {
				fmt.Fprintf(w, "            %s %q version %d (text sha256 %s…): %d grants\n", a.Version[:12], a.Title, a.Number, a.TextSHA256[:12], a.Grants)
			}
		}
		for _, f := range rep.Failures {
			if f.Proposal != "" {
				fmt.Fprintf(w, "FAIL        proposal %s, record %s (%s): %s\n", f.Proposal, f.Record, f.Type, f.Reason)
			} else if f.Record != "" {
				fmt.Fprintf(w, "FAIL        record %s (%s): %s\n", f.Record, f.Type, f.Reason)
			} else {
				fmt.Fprintf(w, "FAIL        %s\n", f.Reason)
			}
		}
		if rep.OK {
			fmt.Fprintln(w, "OK          every signature, record ID and author's authority checks out")
		}
	}); err != nil {
		return err
	}
	if !rep.OK {
		return exitError{1, fmt.Sprintf("verification of %s failed: %d problems", file, len(rep.Failures))}
	}
	return nil
}

// running returns the API of the node running for this home: commands that
// need its network (invite, peers) have nothing to do without one.
func (c *cli) running(why string) (*Client, error) {
	cl, err := Dial(c.home)
	if errors.Is(err, ErrNoRunningNode) {
		return nil, fmt.Errorf("%w%s", ErrNoNetwork, why)
	}
	return cl, err
}

func (c *cli) invite(hours int) error {
	cl, err := c.running(" (the joiner reaches your node through it)")
	if err != nil {
		return err
	}
	v, err := cl.Invite(hours)
	if err != nil {
		return err
	}
	return c.print(v, func(w io.Writer) {
		fmt.Fprintf(w, "Give this invite to the person joining (valid until %s, for one person):\n\n%s\n\n", v.Expires, v.Text)
		fmt.Fprintln(w, "They run `coopnode join INVITE --name \"Their Name\"` (or paste it in the app).")
		fmt.Fprintln(w, "Their request then shows in `coopnode requests`; admit it with `coopnode admit REQUEST`.")
		fmt.Fprintln(w, "The app shows the same invite as a QR code.")
	})
}

func (c *cli) join(text, name string) error {
	var api API
	if cl, err := Dial(c.home); err == nil {
		api = cl
	} else if !errors.Is(err, ErrNoRunningNode) {
		return err
	}
	pass, err := c.passphrase(!node.Initialized(c.home), false)
	if err != nil {
		return err
	}
	if api == nil {
		core := NewCore(c.home, node.Options{})
		defer core.Close()
		api = NewApp(core)
	}
	v, err := api.Join(text, name, string(pass))
	if err != nil {
		if v.Request != "" {
			return fmt.Errorf("%w\nYour identity and request %s are kept in %s: run the same command again to resend it", err, v.Request[:12], c.home)
		}
		return err
	}
	return c.print(v, func(w io.Writer) {
		fmt.Fprintf(w, "Asked to join %q. Request %s\n\n%s\n", v.Coop, v.Request, v.Message)
	})
}

func (c *cli) admit(api API, request, class string) error {
	m, err := api.Admit(request, class)
	if err != nil {
		return err
	}
	return c.print(m, func(w io.Writer) {
		fmt.Fprintf(w, "Admitted %s as a %s; member ID %s.\nTheir node receives the co-op's records when it next connects to a member's node.\n", m.Name, m.Class, m.ID)
	})
}

func (c *cli) requests(api API) error {
	rs, err := api.JoinRequests()
	if err != nil {
		return err
	}
	return c.print(rs, func(w io.Writer) {
		if len(rs) == 0 {
			fmt.Fprintln(w, "No requests to join.")
			return
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		fmt.Fprintln(tw, "REQUEST\tNAME\tDEVICE\tREQUESTED\tSTATUS")
		for _, r := range rs {
			st := "waiting"
			if r.Admitted {
				st = "admitted"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID[:16], r.Name, r.DeviceLabel, r.Requested, st)
		}
		if !rs[0].MayAdmit && rs[0].Why != "" {
			fmt.Fprintf(tw, "\nYou cannot admit: %s\n", rs[0].Why)
		}
	})
}

func (c *cli) peers() error {
	cl, err := c.running("")
	if err != nil {
		return err
	}
	ps, err := cl.Peers()
	if err != nil {
		return err
	}
	return c.print(ps, func(w io.Writer) {
		if len(ps) == 0 {
			fmt.Fprintln(w, "No peers yet. Invite someone (`coopnode invite`) or join with an invite.")
			return
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		fmt.Fprintln(tw, "PEER\tMEMBER\tCONNECTED\tLAST SYNC\tSENT\tRECEIVED\tREFUSED")
		for _, p := range ps {
			conn := "no"
			if p.Connected {
				conn = strings.Join(p.Via, "+")
			}
			var refused []string
			for _, r := range p.Refused {
				refused = append(refused, fmt.Sprintf("%d %s", r.Count, r.Reason))
			}
			if p.BannedUntil != "" {
				refused = append(refused, "disconnected until "+p.BannedUntil)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", p.PeerID[len(p.PeerID)-8:], p.Member, conn, p.LastSync, p.Sent, p.Received, strings.Join(refused, "; "))
		}
	})
}
