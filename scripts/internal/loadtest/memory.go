package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Memory reads the server's resident set now and at its peak since it started, in MiB, from
// /proc (0, 0 where there is none).
func (s *Server) Memory() (rss, peak float64) {
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

// WatchMemory samples the server's resident set at every tick until stop is called, and
// returns the highest sample: the peak during one piece of work, which the peak since the
// process started cannot tell.
func (s *Server) WatchMemory(every time.Duration) (stop func() float64) {
	done, result := make(chan struct{}), make(chan float64)
	go func() {
		highest := 0.0
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if rss, _ := s.Memory(); rss > highest {
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
