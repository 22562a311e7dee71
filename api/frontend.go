package api

import (
	"io/fs"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// serveFrontend serves the built UI: hashed assets cached for a year, and index.html, never
// cached, for every other path that is not the API's, so that the UI's router owns them
// (history-mode URLs like /enterprises survive a reload).
func serveFrontend(e *echo.Echo, dist fs.FS) {
	// The web app manifest (the worker's page on the home screen) is JSON by its own type, which
	// Go's built-in table lacks and a slim image has no /etc/mime.types to supply: without it,
	// it would be sniffed as text/plain.
	_ = mime.AddExtensionType(".webmanifest", "application/manifest+json")
	isAsset := func(p string) bool { return strings.HasPrefix(p, "/assets/") }
	exists := func(p string) bool {
		_, err := fs.Stat(dist, strings.TrimPrefix(p, "/"))
		return err == nil
	}
	e.Use(middleware.StaticWithConfig(middleware.StaticConfig{
		Filesystem: http.FS(dist),
		HTML5:      true,
		// The API's paths are the router's; so is a missing asset, which must be a 404: served
		// index.html under a year-long cache it would break the UI after the next release.
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			// Icons are the router's when they are not files: the drawn PNGs, or a 404.
			icon := strings.HasPrefix(p, "/icons/") && !exists(p)
			return strings.HasPrefix(p, "/api/") || p == "/api" || p == "/healthz" || p == "/readyz" ||
				(isAsset(p) && !exists(p)) || icon
		},
	}))
	e.GET("/icons/:name", func(c echo.Context) error {
		size, ok := iconPath(c.Request().URL.Path)
		if !ok {
			return echo.ErrNotFound
		}
		return serveIcon(c, size)
	})
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := c.Request().URL.Path
			h := c.Response().Header()
			switch {
			case isAsset(p) && exists(p):
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			case !strings.HasPrefix(p, "/api/"):
				h.Set("Cache-Control", "no-cache")
			}
			return next(c)
		}
	})
}
