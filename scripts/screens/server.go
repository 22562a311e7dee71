package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fugong/internal/app"
)

// server is Fugong started in this process, as `fugong serve --demo` on a fresh SQLite
// database would be.
type server struct {
	url  string
	stop func() error
}

// startServer runs `serve --demo` on a random port with its data in dataDir and waits until it
// listens. Everything the program writes (its JSON log) goes to logPath, to read when a page
// looks wrong.
func startServer(dataDir, logPath string) (*server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(dataDir, "fugong.db"),
		"FUGONG_DATA_DIR":     dataDir,
		"FUGONG_ADDR":         "127.0.0.1:0",
		"FUGONG_METRICS_ADDR": "off",
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--demo"}, func(k string) string { return env[k] }, strings.NewReader(""), pw)
		pw.Close()
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if u, ok := strings.CutPrefix(line, "Fugong listening on "); ok {
				urlc <- u
			}
		}
		_, _ = io.Copy(io.Discard, pr) // a line past the buffer must not block the server
	}()
	stop := func() error {
		cancel()
		err := <-done
		logFile.Close()
		return err
	}
	// The demo seeds three weeks of data before it listens: on a loaded two-core machine that
	// has taken most of a minute.
	select {
	case u := <-urlc:
		return &server{url: u, stop: stop}, nil
	case err := <-done:
		cancel()
		logFile.Close()
		return nil, errors.Join(errors.New("serve --demo ended before listening (see "+logPath+")"), err)
	case <-time.After(3 * time.Minute):
		return nil, errors.Join(errors.New("serve --demo did not listen within 3 minutes"), stop())
	}
}
