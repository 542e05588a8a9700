//go:build !desktop && !bindings

package app

import (
	"io/fs"
)

const desktopBuild = false

func desktopProblem() string {
	return "this is the headless build of coopnode, which has no window"
}

func runWindow(*Core, fs.FS) error {
	panic("unreachable: desktopProblem is never empty in the headless build")
}
