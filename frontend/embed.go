// Package frontend embeds the built UI (frontend/dist, made by `npm run build`)
// so the one binary carries it to the window and to browser tabs alike.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets is the built UI, rooted at index.html.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a fixed, embedded directory
	}
	return sub
}
