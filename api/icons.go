package api

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// The worker page's home-screen icon as PNG (issue 21): iOS takes only a PNG for
// apple-touch-icon, and some Android launchers only PNGs from the manifest, but the repository
// keeps no binary files, so the icon of frontend/public/icons/icon.svg is drawn here, at run
// time, in the sizes the platforms ask for: /icons/icon-180.png (iOS), -192 and -512 (Android).
var iconSizes = map[int]bool{180: true, 192: true, 512: true}

// iconPath reports whether p is one of the drawn icons, and its size.
func iconPath(p string) (int, bool) {
	s, ok := strings.CutPrefix(p, "/icons/icon-")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".png")
	n, err := strconv.Atoi(s)
	if !ok || err != nil || !iconSizes[n] {
		return 0, false
	}
	return n, true
}

var (
	iconMu    sync.Mutex
	iconCache = map[int][]byte{}
)

// serveIcon answers a drawn icon, drawn once per size.
func serveIcon(c echo.Context, size int) error {
	iconMu.Lock()
	b, ok := iconCache[size]
	if !ok {
		b = drawIcon(size)
		iconCache[size] = b
	}
	iconMu.Unlock()
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", b)
}

// drawIcon paints icon.svg's picture (in its 512-unit space) on a full square, since iOS and
// maskable icons round the corners themselves: the blue ground, a thermometer with its red
// column and bulb, and a green tick. Each pixel is shaded by its distance to each shape, which
// smooths the edges.
func drawIcon(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scale := 512 / float64(size)
	blue := color.NRGBA{0x12, 0x41, 0x7f, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	red := color.NRGBA{0xd0, 0x31, 0x2d, 0xff}
	green := color.NRGBA{0x1f, 0xbf, 0x5c, 0xff}
	for y := range size {
		for x := range size {
			px, py := (float64(x)+0.5)*scale, (float64(y)+0.5)*scale
			c := blue
			// The thermometer's outline: a rounded bar 72 wide, stroked 24.
			c = over(c, white, coverage(math.Abs(roundedBox(px, py, 150, 96, 72, 236, 36))-12, scale))
			c = over(c, white, coverage(circle(px, py, 186, 360, 62), scale))
			c = over(c, red, coverage(roundedBox(px, py, 174, 200, 24, 150, 12), scale))
			c = over(c, red, coverage(circle(px, py, 186, 360, 38), scale))
			tick := min(segment(px, py, 264, 292, 324, 352), segment(px, py, 324, 352, 424, 212)) - 20
			c = over(c, green, coverage(tick, scale))
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding to memory cannot fail
	return buf.Bytes()
}

// coverage is how much of a pixel a shape at signed distance d (negative inside) covers, for
// pixels of scale units.
func coverage(d, scale float64) float64 { return math.Max(0, math.Min(1, 0.5-d/scale)) }

func over(dst, src color.NRGBA, a float64) color.NRGBA {
	mix := func(d, s uint8) uint8 { return uint8(float64(d)*(1-a) + float64(s)*a + 0.5) }
	return color.NRGBA{mix(dst.R, src.R), mix(dst.G, src.G), mix(dst.B, src.B), 0xff}
}

func circle(px, py, cx, cy, r float64) float64 { return math.Hypot(px-cx, py-cy) - r }

// roundedBox is the signed distance to a rectangle at (x, y), w×h, with corners of radius r.
func roundedBox(px, py, x, y, w, h, r float64) float64 {
	cx, cy := x+w/2, y+h/2
	qx, qy := math.Abs(px-cx)-w/2+r, math.Abs(py-cy)-h/2+r
	return math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - r
}

// segment is the distance to the segment from (ax, ay) to (bx, by).
func segment(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}
