package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/coopnode/coopnode/node/consent"
	"golang.org/x/term"
)

// dataCommands are data (add, list, show, export, remove, signals),
// consent (grant, withdraw, refuse, list, show, status) and agreements.
func (c *cli) dataCommands(jsonFlag func(*cobra.Command) *cobra.Command) []*cobra.Command {
	data := &cobra.Command{Use: "data", Short: "Your data items: kept on this node, encrypted, used only as you consent"}
	var title string
	var tags []string
	add := &cobra.Command{
		Use:   "add FILE...",
		Short: "Add files to your vault (encrypted on this node; streams any size)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if title != "" && len(args) > 1 {
				return exitError{exitUsage, "--title names one file: add files one by one to title each"}
			}
			return c.withAPI(func(api API) error {
				var added []DataItemView
				for _, p := range args {
					abs, err := filepath.Abs(p)
					if err != nil {
						return err
					}
					v, err := withProgress(c, api, abs, func() (DataItemView, error) { return api.AddDataFile(abs, title, tags) })
					if err != nil {
						return fmt.Errorf("%s: %w (items added before it are kept)", p, err)
					}
					added = append(added, v)
				}
				return c.print(added, func(w io.Writer) {
					for _, v := range added {
						fmt.Fprintf(w, "Added %q (%s, %s)\n  item %s\n", v.Title, v.MediaType, humanBytes(v.Size), v.ID)
					}
				})
			})
		},
	}
	add.Flags().StringVar(&title, "title", "", "the item's title (default: the file name)")
	add.Flags().StringSliceVar(&tags, "tag", nil, "your own words for the item (repeat or comma-separate); they stay on this node")
	list := &cobra.Command{Use: "list", Short: "List the items in your vault", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return c.withAPI(func(api API) error {
				items, err := api.DataItems()
				if err != nil {
					return err
				}
				return c.print(items, func(w io.Writer) {
					if len(items) == 0 {
						fmt.Fprintln(w, "Your vault is empty: `coopnode data add FILE` adds items.")
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ITEM\tTITLE\tTYPE\tSIZE\tALLOWED USES\tADDED")
					for _, v := range items {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID[:12], v.Title, v.MediaType, humanBytes(v.Size), allowedUses(v), v.Added)
					}
					tw.Flush()
				})
			})
		}}
	show := &cobra.Command{Use: "show ITEM", Short: "Show an item and what it may be used for", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.DataItem(args[0])
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "%s\n  item      %s\n  file      %s (%s, %s)\n  tags      %s\n  added     %s\n\n", v.Title, v.ID, v.FileName, v.MediaType,
						humanBytes(v.Size), strings.Join(v.Tags, ", "), v.Added)
					if len(v.Purposes) == 0 {
						fmt.Fprintln(w, "The co-op has adopted no data agreement yet, so nothing may use it.")
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "AGREEMENT\tVERSION\tPURPOSE\tALLOWED\tSTATUS\tUNTIL")
					for _, p := range v.Purposes {
						fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", p.AgreementTitle, p.VersionNumber, p.Label, yesNo(p.Allowed), consent.Status(p.Status).Words(), p.Until)
					}
					tw.Flush()
				})
			})
		}}
	var out string
	export := &cobra.Command{Use: "export ITEM --out FILE", Short: "Write an item's content, decrypted, to a file", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if out == "" {
				return exitError{exitUsage, "say where to write it: --out FILE"}
			}
			abs, err := filepath.Abs(out)
			if err != nil {
				return err
			}
			return c.withAPI(func(api API) error {
				v, err := withProgress(c, api, abs, func() (DataExportView, error) { return api.ExportData(args[0], abs) })
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "Wrote %s (%s), checked against its digest.\n", v.Path, humanBytes(v.Bytes))
				})
			})
		}}
	export.Flags().StringVar(&out, "out", "", "the file to write")
	var reason string
	remove := &cobra.Command{Use: "remove ITEM", Short: "Delete an item from your vault (the removal is recorded)", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.DataItem(args[0])
				if err != nil {
					return err
				}
				if err := api.RemoveData(v.ID, reason); err != nil {
					return err
				}
				fmt.Fprintf(c.out, "Removed %q from your vault. Your consent records stay as history.\n", v.Title)
				return nil
			})
		}}
	remove.Flags().StringVar(&reason, "reason", "", "why (kept in your activity log)")
	var policy string
	signals := &cobra.Command{Use: "signals ITEM", Short: "Print the machine-readable preferences (aipref, TDMRep, CAWG) matching your consent", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.DataSignals(args[0], policy)
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "HTTP header:\n  %s\nrobots.txt:\n  %s\n\nTDMRep (/.well-known/tdmrep.json):\n%s\n\nCAWG training-and-data-mining assertion:\n%s\n\n%s\n",
						v.ContentUsage, v.RobotsTxt, v.TDMRep, v.TrainingMining, v.Explanation)
				})
			})
		}}
	signals.Flags().StringVar(&policy, "policy", "", "URL of your co-op's licence terms (goes into TDMRep's tdm-policy)")
	for _, cmd := range []*cobra.Command{add, list, show, export, remove, signals} {
		data.AddCommand(jsonFlag(cmd))
	}

	consentCmd := &cobra.Command{Use: "consent", Short: "Grant, withdraw and list your consent to uses of your data"}
	var in ConsentInput
	var all bool
	grant := &cobra.Command{Use: "grant [--version V] (--item ITEM... | --all) [--purpose P]... [--recipient R]... [--until DATE]",
		Short: "Consent to uses of your items under an adopted agreement version",
		Long: "Consent is given to one version of an agreement: a new version asks again. Purposes are W3C DPV terms " +
			"(`coopnode agreements` lists each version's); by default every purpose and recipient of the version.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if all {
				in.Categories = append(in.Categories, "all")
			}
			return c.withAPI(func(api API) error {
				v, err := api.GrantConsent(in)
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "Consent given under %q version %d: %s, for %s, until %s.\n  receipt %s\n", v.AgreementTitle, v.VersionNumber,
						strings.Join(v.Purposes, ", "), strings.Join(v.Recipients, ", "), v.ValidUntil, v.ID)
				})
			})
		}}
	gf := grant.Flags()
	gf.StringVar(&in.Version, "version", "", "agreement version ID (default: the current version of the only agreement)")
	gf.StringArrayVar(&in.Items, "item", nil, "an item (ID prefix or exact title; repeat)")
	gf.BoolVar(&all, "all", false, "every item in your vault, now and later")
	gf.StringSliceVar(&in.Categories, "tag", nil, "every item you tagged so (repeat)")
	gf.StringArrayVar(&in.Purposes, "purpose", nil, "a DPV purpose (repeat; default: all of the version's)")
	gf.StringArrayVar(&in.Recipients, "recipient", nil, "a licensee class (repeat; default: all of the version's)")
	gf.StringVar(&in.ValidUntil, "until", "", "until when (YYYY-MM-DD; default: the version's retention period)")
	gf.StringVar(&in.Reason, "reason", "", "a note for your own records")
	var wreason, wversion string
	withdraw := &cobra.Command{Use: "withdraw (RECEIPT | --version V)", Short: "Withdraw a consent you gave, or all of yours under a version, from now on",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			byVersion := cmd.Flags().Changed("version")
			if byVersion == (len(args) == 1) {
				return exitError{exitUsage, "name one consent (its receipt ID, from `coopnode consent list`) or --version V for all of yours under a version"}
			}
			return c.withAPI(func(api API) error {
				if byVersion {
					vs, err := api.WithdrawVersion(wversion, wreason)
					if err != nil {
						return err
					}
					return c.print(vs, func(w io.Writer) {
						fmt.Fprintf(w, "Withdrew %d %s under %q version %d. No licence made from now on may use them.\n", len(vs), plural(len(vs), "consent", "consents"),
							vs[0].AgreementTitle, vs[0].VersionNumber)
						for _, v := range vs {
							fmt.Fprintf(w, "  consent %s withdrawn by receipt %s\n", short(v.Withdraws), v.ID)
						}
					})
				}
				v, err := api.WithdrawConsent(args[0], wreason)
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "Consent %s withdrawn. No licence made from now on may use it.\n  receipt %s\n", short(v.Withdraws), v.ID)
				})
			})
		}}
	withdraw.Flags().StringVar(&wreason, "reason", "", "a note for your own records")
	withdraw.Flags().StringVar(&wversion, "version", "", "withdraw every consent of yours in force under this agreement version (ID prefix; \"\" for the current version of the only agreement)")
	refuse := &cobra.Command{Use: "refuse VERSION", Short: "Opt out of an agreement version (withdrawing your consent under it)", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.RefuseAgreement(args[0], wreason)
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "You opted out of %q version %d.\n  receipt %s\n", v.AgreementTitle, v.VersionNumber, v.ID)
				})
			})
		}}
	refuse.Flags().StringVar(&wreason, "reason", "", "a note for your own records")
	clist := &cobra.Command{Use: "list", Short: "List every consent event of yours, newest first", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return c.withAPI(func(api API) error {
				cs, err := api.Consents()
				if err != nil {
					return err
				}
				return c.print(cs, func(w io.Writer) {
					if len(cs) == 0 {
						fmt.Fprintln(w, "No consent events yet: `coopnode agreements` shows what the co-op asks.")
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "RECEIPT\tEVENT\tNOW\tAGREEMENT\tPURPOSES\tITEMS\tRECIPIENTS\tTIME")
					for _, v := range cs {
						purposes, titles, cats, recipients := v.Purposes, v.ItemTitles, v.Categories, v.Recipients
						if v.Ends != nil { // a withdrawal: what stopped
							purposes, titles, cats, recipients = v.Ends.Purposes, v.Ends.ItemTitles, v.Ends.Categories, v.Ends.Recipients
						}
						what := strings.Join(titles, ", ")
						if len(cats) > 0 {
							what = strings.TrimPrefix(what+", "+strings.Join(cats, ", "), ", ")
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s v%d\t%s\t%s\t%s\t%s\n", v.ID[:12], v.Event, v.Current, v.AgreementTitle, v.VersionNumber,
							strings.Join(purposes, ","), what, strings.Join(recipients, ","), v.Time)
					}
					tw.Flush()
				})
			})
		}}
	cshow := &cobra.Command{Use: "show RECEIPT", Short: "Show a consent event as a full ISO/IEC TS 27560 record", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.Consent(args[0])
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) { fmt.Fprintln(w, v.Document) })
			})
		}}
	var recipient string
	status := &cobra.Command{Use: "status PURPOSE [--recipient R]", Short: "Which items of the whole co-op may be used for a purpose now", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return c.withAPI(func(api API) error {
				v, err := api.ConsentStatus(args[0], recipient)
				if err != nil {
					return err
				}
				return c.print(v, func(w io.Writer) {
					fmt.Fprintf(w, "%s for %s, now: %d grants in force from %d members, naming %d items (answered in %s).\n", v.Purpose,
						orAny(v.Recipient), v.Receipts, v.Members, v.Items, v.Took)
				})
			})
		}}
	status.Flags().StringVar(&recipient, "recipient", "", "a licensee class (default: any)")
	for _, cmd := range []*cobra.Command{grant, withdraw, refuse, clist, cshow, status} {
		consentCmd.AddCommand(jsonFlag(cmd))
	}

	var purposes bool
	agreements := &cobra.Command{Use: "agreements", Short: "List the co-op's data agreements, their versions and your answers", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return c.withAPI(func(api API) error {
				if purposes {
					ps, err := api.Purposes()
					if err != nil {
						return err
					}
					return c.print(ps, func(w io.Writer) {
						for _, p := range ps {
							fmt.Fprintf(w, "%-24s %s: %s\n", p.ID, p.Label, p.Description)
						}
					})
				}
				as, err := api.Agreements()
				if err != nil {
					return err
				}
				return c.print(as, func(w io.Writer) {
					if len(as) == 0 {
						fmt.Fprintln(w, "No data agreement adopted yet: propose one with `coopnode propose --kind agreement`.")
					}
					for _, a := range as {
						fmt.Fprintf(w, "%s (agreement %s)\n", a.Title, a.ID[:12])
						for _, v := range a.Versions {
							cur := ""
							if v.Current {
								cur = ", current"
							}
							ps := []string{}
							for _, p := range v.Purposes {
								ps = append(ps, p.ID)
							}
							fmt.Fprintf(w, "  version %d (%s%s), adopted %s\n    purposes   %s\n    recipients %s\n    royalty    %s\n    retention  %s, jurisdiction %s\n    you        %s\n",
								v.Number, v.ID[:12], cur, v.AdoptedAt, strings.Join(ps, ", "), strings.Join(v.Recipients, ", "), v.Royalty.Text,
								v.Retention, v.Jurisdiction, mineWords(v.Mine))
							for _, t := range v.Terms {
								fmt.Fprintf(w, "    changed    %s\n", t)
							}
						}
					}
				})
			})
		}}
	agreements.Flags().BoolVar(&purposes, "purposes", false, "list the DPV purposes an agreement may name")
	return []*cobra.Command{data, consentCmd, jsonFlag(agreements)}
}

// withProgress runs f (a call that streams the file at path, absolute)
// while drawing its progress from Transfers on a terminal: the transfer
// whose Source is path, so another of the same name is not mistaken for it.
func withProgress[T any](c *cli, api API, path string, f func() (T, error)) (T, error) {
	name := filepath.Base(path)
	ef, ok := c.errw.(*os.File)
	if !ok || !term.IsTerminal(int(ef.Fd())) || c.asJSON {
		return f()
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ts, err := api.Transfers()
				if err != nil {
					continue
				}
				for _, t := range ts {
					if t.Source == path && !t.Finished {
						fmt.Fprintf(ef, "\r%s", progressBar(name, t.Done, t.Total))
						break
					}
				}
			}
		}
	}()
	v, err := f()
	close(done)
	fmt.Fprintf(ef, "\r%s\r", strings.Repeat(" ", 78))
	return v, err
}

func progressBar(name string, done, total int64) string {
	if len(name) > 24 {
		name = name[:21] + "..."
	}
	if total <= 0 {
		return fmt.Sprintf("%-24s %s", name, humanBytes(done))
	}
	const width = 30
	k := int(done * width / total)
	return fmt.Sprintf("%-24s [%s%s] %3d%% %s / %s", name, strings.Repeat("#", k), strings.Repeat(".", width-k), done*100/total,
		humanBytes(done), humanBytes(total))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func allowedUses(v DataItemView) string {
	var out []string
	for _, p := range v.Purposes {
		if p.Allowed {
			out = append(out, p.Label)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func mineWords(m string) string {
	switch m {
	case "opted-in":
		return "opted in"
	case "opted-out":
		return "opted out"
	case "withdrawn":
		return "withdrew your consent (`coopnode consent grant --version ...` opts in again)"
	case "expired":
		return "your consent expired (`coopnode consent grant --version ...` renews it)"
	case "invalidated":
		return "your consent ended when you left the co-op"
	}
	return "not answered yet: this version asks you again (`coopnode consent grant --version ...` or `consent refuse`)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orAny(s string) string {
	if s == "" {
		return "any recipient"
	}
	return s
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
