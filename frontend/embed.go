// Package frontend embeds the built web UI (frontend/dist) into the binary, so building and
// running Fugong needs only Go.
package frontend

import "embed"

// Dist holds index.html and the hashed assets that `npm run build` writes to dist/.
//
//go:embed all:dist
var Dist embed.FS
