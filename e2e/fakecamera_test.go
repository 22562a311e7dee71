package e2e

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Chromium's fake camera (--use-fake-device-for-media-stream) plays a file given by
// --use-file-for-fake-video-capture: a .mjpeg or a .y4m (YUV4MPEG2). Y4M is a text header and
// raw 4:2:0 planes, a few lines of Go with image/color's YCbCr conversion, so the tests need no
// ffmpeg (nor anything else beyond Chromium) to make a camera out of a picture.

// Camera frame of the fake video: a phone camera's usual 4:3, small enough to decode quickly.
const (
	y4mWidth  = 640
	y4mHeight = 480
	y4mFrames = 30 // one second at 30 fps; Chromium plays the file in a loop
)

// qrVideo writes the QR code image of a data URL (as the phone page's <img> holds it) into a
// Y4M video in the test's temp folder and returns its path (the name must end in .y4m: that is
// how Chromium picks the parser).
func qrVideo(t *testing.T, dataURL string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		t.Fatalf("QR image: got %.40q…, want a PNG data URL", dataURL)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("QR image: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("QR image: %v", err)
	}
	path := filepath.Join(t.TempDir(), "pass-qr.y4m")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := writeY4M(w, img, y4mWidth, y4mHeight, y4mFrames); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeY4M writes frames identical frames of width×height (both even), each img scaled to fit
// the frame's height less a white quiet zone of a twelfth of it on each side, centred on white.
// Scaling is nearest-neighbour, so a QR code's modules keep hard edges; transparency is laid
// over white. The header is the one Chromium's parser reads (media/capture/video/
// file_video_capture_device.cc): W, H, F, I, A and C420jpeg, then "FRAME\n" before each frame.
func writeY4M(w io.Writer, img image.Image, width, height, frames int) error {
	if width%2 != 0 || height%2 != 0 || width <= 0 || height <= 0 {
		return fmt.Errorf("y4m: frame %dx%d: width and height must be even and positive", width, height)
	}
	quiet := min(width, height) / 12
	side := min(width, height) - 2*quiet
	left, top := (width-side)/2, (height-side)/2
	src := img.Bounds()

	// The picture as full-resolution Y, Cb and Cr, then Cb and Cr averaged over 2×2 blocks.
	n := width * height
	y, cb, cr := make([]byte, n), make([]int, n), make([]int, n)
	for py := range height {
		for px := range width {
			r, g, b := uint8(255), uint8(255), uint8(255)
			if px >= left && px < left+side && py >= top && py < top+side {
				sx := src.Min.X + (px-left)*src.Dx()/side
				sy := src.Min.Y + (py-top)*src.Dy()/side
				r, g, b = overWhite(img.At(sx, sy))
			}
			yy, u, v := color.RGBToYCbCr(r, g, b)
			i := py*width + px
			y[i], cb[i], cr[i] = yy, int(u), int(v)
		}
	}
	cw, ch := width/2, height/2
	u, v := make([]byte, cw*ch), make([]byte, cw*ch)
	for cy := range ch {
		for cx := range cw {
			i := 2*cy*width + 2*cx
			u[cy*cw+cx] = byte((cb[i] + cb[i+1] + cb[i+width] + cb[i+width+1] + 2) / 4)
			v[cy*cw+cx] = byte((cr[i] + cr[i+1] + cr[i+width] + cr[i+width+1] + 2) / 4)
		}
	}

	if _, err := fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", width, height); err != nil {
		return fmt.Errorf("y4m header: %w", err)
	}
	for range frames {
		for _, part := range [][]byte{[]byte("FRAME\n"), y, u, v} {
			if _, err := w.Write(part); err != nil {
				return fmt.Errorf("y4m frame: %w", err)
			}
		}
	}
	return nil
}

// overWhite is c laid over a white background, as 8-bit RGB.
func overWhite(c color.Color) (r, g, b uint8) {
	cr, cg, cb, ca := c.RGBA() // premultiplied, 16 bits
	white := 0xffff - ca
	return uint8((cr + white) >> 8), uint8((cg + white) >> 8), uint8((cb + white) >> 8)
}

// TestY4M checks the fake camera's file: Chromium's header, the frame count, each frame
// "FRAME\n" and 640×480×1.5 bytes, the picture centred on white with its quiet zone.
func TestY4M(t *testing.T) {
	// A 10×10 picture, black but for a transparent top-left pixel.
	img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	for py := range 10 {
		for px := range 10 {
			img.Set(px, py, color.NRGBA{A: 255})
		}
	}
	img.Set(0, 0, color.NRGBA{})
	var buf bytes.Buffer
	if err := writeY4M(&buf, img, y4mWidth, y4mHeight, 3); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	header, rest, ok := bytes.Cut(out, []byte("\n"))
	if want := "YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg"; !ok || string(header) != want {
		t.Fatalf("header: got %q, want %q", header, want)
	}
	frame := y4mWidth * y4mHeight * 3 / 2
	if got, want := len(rest), 3*(len("FRAME\n")+frame); got != want {
		t.Fatalf("got %d bytes after the header, want %d (3 frames of %d)", got, want, frame)
	}
	for i := range 3 {
		f := rest[i*(6+frame):]
		if !bytes.HasPrefix(f, []byte("FRAME\n")) {
			t.Fatalf("frame %d: starts %q, want FRAME\\n", i, f[:6])
		}
	}
	luma := rest[6 : 6+y4mWidth*y4mHeight]
	at := func(x, y int) byte { return luma[y*y4mWidth+x] }
	// quiet = 480/12 = 40, side 400, left 120, top 40: one source pixel is 40×40.
	for _, c := range []struct {
		name string
		x, y int
		want byte
	}{
		{"frame corner", 0, 0, 255},
		{"quiet zone above", 320, 39, 255},
		{"quiet zone left", 119, 240, 255},
		{"picture, transparent pixel", 125, 45, 255},
		{"picture, black", 165, 45, 0},
		{"picture centre", 320, 240, 0},
		{"picture's last pixel", 519, 439, 0},
		{"quiet zone right", 520, 240, 255},
		{"quiet zone below", 320, 440, 255},
	} {
		if got := at(c.x, c.y); got != c.want {
			t.Errorf("%s (%d,%d): got Y %d, want %d", c.name, c.x, c.y, got, c.want)
		}
	}
	chroma := rest[6+y4mWidth*y4mHeight : 6+frame]
	for i, c := range chroma {
		if c != 128 {
			t.Fatalf("chroma byte %d: got %d, want 128 (grey has no colour)", i, c)
		}
	}
	if err := writeY4M(io.Discard, img, 641, 480, 1); err == nil {
		t.Errorf("odd width: got no error, want one")
	}
}
