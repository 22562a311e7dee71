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
func (s *Server) CPU() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.Pid()))
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
