// Package pgbin finds PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup, postgres)
// and runs them, as the postgres user when we are root: PostgreSQL's programs refuse to run as
// root. The test helpers (repo/dbtest's streaming replica), the fault scripts' private server
// and the cluster script start servers of their own with it.
package pgbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Dir is the folder holding every one of programs: on the PATH, else in Debian's
// /usr/lib/postgresql/*/bin (the postgresql package puts the server programs only there),
// newest version first.
func Dir(programs ...string) (string, error) {
	has := func(d string) bool {
		for _, p := range programs {
			if _, err := os.Stat(filepath.Join(d, p)); err != nil {
				return false
			}
		}
		return true
	}
	if len(programs) > 0 {
		// The folder of the real program, not of a link to it: a machine may link a few of
		// PostgreSQL's programs into /usr/local/bin (this one links initdb, pg_ctl and postgres)
		// while the others, such as the pg_controldata Patroni runs, stay in the folder linked to.
		if p, err := exec.LookPath(programs[0]); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
				return filepath.Dir(real), nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("no %s on the PATH nor in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)",
		strings.Join(programs, ", "))
}

// User is who the programs run as: nil (ourselves) unless we are root; as root, the postgres
// user, to whom dir is handed.
func User(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("as root, PostgreSQL must run as the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Run runs program of the folder bin in dir, as cred (nil: ourselves), for at most two
// minutes; its output comes with the error when it fails.
func Run(ctx context.Context, bin, dir string, cred *syscall.Credential, program string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, program), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Env = append(cmd.Env, "HOME="+dir)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %v\n%s", program, args, err, out)
	}
	return nil
}
