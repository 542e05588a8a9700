package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/refcoop"
)

// refcoopCommand generates DESIGN's reference co-op for the benchmarks
// (`make bench-refcoop`). It is hidden: members never need it.
func (c *cli) refcoopCommand() *cobra.Command {
	var scale float64
	var bundleOut string
	cmd := &cobra.Command{Use: "refcoop", Hidden: true, Args: cobra.NoArgs,
		Short: "Generate DESIGN's reference co-op in a new home, through the node's API (for benchmarks)",
		RunE: func(*cobra.Command, []string) error {
			if scale <= 0 || scale > 1 {
				return fmt.Errorf("--scale must be in (0, 1], not %g", scale)
			}
			pass, err := c.passphrase(true, false)
			if err != nil {
				return err
			}
			size := refcoop.Reference.Scaled(scale)
			fmt.Fprintf(c.errw, "generating %d members, %d proposals, %d ballots, %d consent receipts in %s\n",
				size.Members, size.Proposals, size.Ballots, size.Receipts, c.home)
			rep, err := refcoop.Generate(c.home, pass, size, func(s string) { fmt.Fprintln(c.errw, "  "+s) })
			if err != nil {
				return err
			}
			types := make([]string, 0, len(rep.ByType))
			for t, n := range rep.ByType {
				types = append(types, fmt.Sprintf("%s %d", t, n))
			}
			slices.Sort(types)
			fmt.Fprintf(c.out, "Generated co-op %s: %d records (%s) in %s; the founder's node folded everything %d times and applied records directly %d times\n",
				rep.Coop, rep.Records, strings.Join(types, ", "), rep.Elapsed.Round(1e7), rep.FullFolds, rep.DirectApplies)
			if bundleOut == "" {
				return nil
			}
			n, err := node.Open(c.home, pass, node.Options{})
			if err != nil {
				return err
			}
			defer n.Close()
			tmp := bundleOut + ".partial"
			f, err := os.Create(tmp)
			if err != nil {
				return err
			}
			k, err := n.Export(f, nil)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp, bundleOut)
			}
			if err != nil {
				os.Remove(tmp)
				return fmt.Errorf("export the bundle: %w", err)
			}
			abs, _ := filepath.Abs(bundleOut)
			fmt.Fprintf(c.out, "Wrote %d records to %s\n", k, abs)
			return nil
		}}
	cmd.Flags().Float64Var(&scale, "scale", 1, "fraction of the reference co-op to generate")
	cmd.Flags().StringVar(&bundleOut, "bundle", "", "also export the co-op as a bundle to this file")
	return cmd
}
