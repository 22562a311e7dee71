package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"fugong/scripts/internal/loadtest"
)

// memory reads the server's resident set now and at its peak, in MiB, from /proc.
func memory(s *loadtest.Server) (rss, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Pid()))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// watchMemory samples the server's resident set every 50 ms until stop is called, and
// returns the highest sample: the peak during one piece of work, which VmHWM (the peak since
// the process started) cannot tell.
func watchMemory(s *loadtest.Server) (stop func() float64) {
	done, result := make(chan struct{}), make(chan float64)
	go func() {
		highest := 0.0
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _ := memory(s); rss > highest {
				highest = rss
			}
			select {
			case <-done:
				result <- highest
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 { close(done); return <-result }
}
