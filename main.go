// Command coopnode is a local-first node for co-operatives. main only wires:
// the command line, the API and the window live in package app.
package main

import (
	"os"

	"github.com/coopnode/coopnode/app"
	"github.com/coopnode/coopnode/frontend"
)

func main() {
	os.Exit(app.Main(os.Args[1:], frontend.Assets(), os.Stdout, os.Stderr))
}
