package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the processor times in /proc/PID/stat: USER_HZ, 100 on every Linux
// build (the kernel converts from its own tick), which a program without cgo cannot ask for.
const userHZ = 100

// CPU reads the processor time the server has used so far, user and system together, from
// /proc (0 where there is none). The difference over a piece of work is what the work cost
// the server, which its wall time cannot tell when the server mostly waits (on a database,
// on a once-a-second tick).
func (s *Server) CPU() time.Duration { return ProcessCPU(s.Pid()) }

// ProcessCPU reads the processor time process pid has used so far, user and system together,
// from /proc/PID/stat (0 where there is none).
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command's name, in parentheses, may hold spaces and parentheses: the fields are
	// counted after the last one.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // stat's 14th field
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // and 15th
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// CommandCPU sums ProcessCPU over the running processes whose command is name: "postgres"
// for PostgreSQL's, whose backends rename their title but not their command. A process that
// ended between two readings takes its time with it: read both while the connections that
// did the work are still open.
func CommandCPU(name string) time.Duration {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var sum time.Duration
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(comm)) == name {
			sum += ProcessCPU(pid)
		}
	}
	return sum
}

// CPUShares is the processor time of the parts of a run on one machine: the server, the
// database's processes and this one, the load generator.
type CPUShares struct{ Server, Postgres, Load time.Duration }

// ReadCPU reads the shares so far; srv may be nil (a run without the server).
func ReadCPU(srv *Server) CPUShares {
	c := CPUShares{Postgres: CommandCPU("postgres"), Load: ProcessCPU(os.Getpid())}
	if srv != nil {
		c.Server = srv.CPU()
	}
	return c
}

// Since is what each part used between then and c.
func (c CPUShares) Since(then CPUShares) CPUShares {
	return CPUShares{Server: c.Server - then.Server, Postgres: c.Postgres - then.Postgres, Load: c.Load - then.Load}
}

// Per is the shares per one of n things done, in microseconds, and their sum: "server 140 +
// PostgreSQL 210 + load 90 = 440 µs".
func (c CPUShares) Per(n int) string {
	if n <= 0 {
		return "–"
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	return fmt.Sprintf("server %.0f + PostgreSQL %.0f + load %.0f = %.0f µs",
		us(c.Server), us(c.Postgres), us(c.Load), us(c.Server+c.Postgres+c.Load))
}
