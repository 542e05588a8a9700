//go:build desktop || bindings

package app

import (
	"context"
	"io/fs"
	"os"
	"runtime"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/coopnode/coopnode/node"
)

const desktopBuild = true

// desktopProblem says why no window can open here ("" when one can).
func desktopProblem() string {
	if bindingsBuild {
		return "" // `wails generate module` runs us with no display: go straight to wails.Run
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
	}
	return ""
}

// runWindow opens the desktop window on core and blocks until it closes.
func runWindow(core *Core, assets fs.FS) error {
	title := "coopnode"
	if n := core.Node(); n != nil {
		title = windowTitle(n)
	}
	return wails.Run(&options.App{
		Title:       title,
		Width:       1120,
		Height:      780,
		MinWidth:    720,
		MinHeight:   520,
		AssetServer: &assetserver.Options{Assets: assets},
		OnStartup: func(ctx context.Context) {
			// After an unlock or founding in the window, name the window after the co-op.
			core.OnReady(func(n *node.Node) { wruntime.WindowSetTitle(ctx, windowTitle(n)) })
			core.mu.Lock()
			core.pickFiles = func() ([]string, error) {
				return wruntime.OpenMultipleFilesDialog(ctx, wruntime.OpenDialogOptions{Title: "Add data items to your vault"})
			}
			core.mu.Unlock()
		},
		// Dropped files reach the page as absolute paths (the My data view adds them).
		DragAndDrop: &options.DragAndDrop{EnableFileDrop: true},
		Bind:        []any{NewApp(core)},
	})
}

func windowTitle(n *node.Node) string { return n.State().Name + " — coopnode" }
