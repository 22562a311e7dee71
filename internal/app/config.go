package app

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fugong/repo"
)

// Config is everything Fugong reads from its environment, validated once at start and then
// passed down explicitly.
type Config struct {
	Env            string // "development" (default) or "production"
	DatabaseURL    string
	Addr           string
	MetricsAddr    string // a separate listener, so /metrics is not public; "off" disables it
	DataDir        string // where generated secrets (and the default SQLite file) live
	JWTSecret      []byte
	DataKey        []byte // 32 bytes, AES-256 key for personal data at rest
	BodyLimit      string
	TrustedProxies []*net.IPNet
	LogLevel       slog.Level
	DashboardCache bool // keep dashboard answers until their numbers change; off only to measure without
	DBMaxConns     int  // open database connections at most
	CheckinLanes   int  // groups of check-ins committing at once on PostgreSQL
	ImportSlots    int  // roster imports running at once
	ImportTimeout  time.Duration
	// ReadURL is a streaming replica of DatabaseURL (FUGONG_DATABASE_READ_URL, PostgreSQL
	// only; "" for none): the dashboard, reports and lists read from it while it is less than
	// ReadMaxLag behind, and a user who has just written reads from the primary for
	// ReadAfterWrite, which must be longer (README "Reading from a replica").
	ReadURL        string
	ReadMaxConns   int
	ReadMaxLag     time.Duration
	ReadAfterWrite time.Duration
	// DrainDelay is how long after SIGTERM the server goes on answering, its /healthz and
	// /readyz 503, before it closes its listener: long enough for a load balancer's check to
	// take it out (HAProxy's: two failed checks half a second apart), so that no request is
	// sent to a closed port (FUGONG_DRAIN_DELAY; 0, the default, closes at once).
	DrainDelay time.Duration
	// PublicURL is where people open Fugong, for the links in the groups' messages
	// (FUGONG_PUBLIC_URL). Without it the links go to http://localhost and the port the server
	// listens on, outside production; in production, where nobody in a chat group could open
	// that, the messages carry no links (and a warning says so at start).
	PublicURL string
}

// Production reports whether Fugong runs in production, where nothing is generated for it.
func (c Config) Production() bool { return c.Env == "production" }

// LoadConfig reads FUGONG_* variables. Secrets may also come from FUGONG_*_FILE. Outside
// production (and always in demo mode) missing secrets are generated once and kept in the data
// folder; in production they are required.
func LoadConfig(getenv func(string) string, demo bool, log *slog.Logger) (Config, error) {
	c := Config{
		Env:         or(getenv("FUGONG_ENV"), "development"),
		DatabaseURL: or(getenv("FUGONG_DATABASE_URL"), "sqlite:data/fugong.db"),
		Addr:        or(getenv("FUGONG_ADDR"), ":8080"),
		MetricsAddr: or(getenv("FUGONG_METRICS_ADDR"), "127.0.0.1:9091"),
		DataDir:     or(getenv("FUGONG_DATA_DIR"), "data"),
		BodyLimit:   or(getenv("FUGONG_BODY_LIMIT"), "1M"),
	}
	var errs []error
	c.PublicURL = publicURL(getenv("FUGONG_PUBLIC_URL"), &errs)
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("FUGONG_ENV must be development or production, not %q", c.Env))
	}
	if _, _, err := repo.ParseURL(c.DatabaseURL); err != nil {
		errs = append(errs, fmt.Errorf("FUGONG_DATABASE_URL: %w", err))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("FUGONG_ADDR: %w", err))
	}
	c.DBMaxConns = 16
	if v := getenv("FUGONG_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, errors.New("FUGONG_DB_MAX_CONNS must be a number from 1 to 1000"))
		}
		c.DBMaxConns = n
	}
	readReplica(&c, getenv, &errs)
	c.CheckinLanes = repo.DefaultCheckinLanes()
	if v := getenv("FUGONG_CHECKIN_LANES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			errs = append(errs, errors.New("FUGONG_CHECKIN_LANES must be a number from 1 to 64"))
		}
		c.CheckinLanes = n
	}
	c.ImportSlots = 2
	if v := getenv("FUGONG_IMPORT_SLOTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			errs = append(errs, errors.New("FUGONG_IMPORT_SLOTS must be a number from 1 to 64"))
		}
		c.ImportSlots = n
	}
	c.ImportTimeout = time.Minute
	if v := getenv("FUGONG_IMPORT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 10*time.Minute {
			errs = append(errs, errors.New("FUGONG_IMPORT_TIMEOUT must be a duration from 1s to 10m, such as 90s"))
		}
		c.ImportTimeout = d
	}
	if v := getenv("FUGONG_DRAIN_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			errs = append(errs, errors.New("FUGONG_DRAIN_DELAY must be a duration from 0s to 1m, such as 2s"))
		}
		c.DrainDelay = d
	}
	switch getenv("FUGONG_DASHBOARD_CACHE") {
	case "", "on":
		c.DashboardCache = true
	case "off":
	default:
		errs = append(errs, errors.New("FUGONG_DASHBOARD_CACHE must be on or off"))
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("FUGONG_LOG_LEVEL"), "info"))); err != nil {
		errs = append(errs, fmt.Errorf("FUGONG_LOG_LEVEL: %w", err))
	}
	for _, s := range strings.FieldsFunc(getenv("FUGONG_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("FUGONG_TRUSTED_PROXIES: %q is not a CIDR range", s))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	generate := demo || !c.Production()
	var err error
	if c.JWTSecret, err = secret(getenv, "FUGONG_JWT_SECRET", c.DataDir, "jwt_secret", generate, log); err != nil {
		errs = append(errs, err)
	} else if len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("FUGONG_JWT_SECRET must be at least 32 bytes"))
	}
	if c.DataKey, err = dataKey(getenv, c.DataDir, generate, log); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// secret reads a secret from NAME or the file NAME_FILE names; failing both, it generates one
// into dataDir/file (once: later starts read it back) when allowed.
func secret(getenv func(string) string, name, dataDir, file string, generate bool, log *slog.Logger) ([]byte, error) {
	if v := getenv(name); v != "" {
		return []byte(v), nil
	}
	if path := getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s_FILE: %w", name, err)
		}
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if !generate {
		return nil, fmt.Errorf("%s (or %s_FILE) is required in production", name, name)
	}
	path := filepath.Join(dataDir, file)
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	v := base64.StdEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	log.Warn("generated a secret and kept it in the data folder; set it in the environment for production",
		slog.String("variable", name), slog.String("file", path))
	return []byte(v), nil
}

// dataKey reads FUGONG_DATA_KEY: 32 bytes, written in base64 (or 64 hex digits).
func dataKey(getenv func(string) string, dataDir string, generate bool, log *slog.Logger) ([]byte, error) {
	v, err := secret(getenv, "FUGONG_DATA_KEY", dataDir, "data_key", generate, log)
	if err != nil {
		return nil, err
	}
	s := string(v)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("FUGONG_DATA_KEY must be 32 bytes in base64 (or 64 hex digits)")
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// publicURL is FUGONG_PUBLIC_URL checked; "" when it is not set (the server then takes the
// address it listens on, outside production).
func publicURL(v string, errs *[]error) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		*errs = append(*errs, fmt.Errorf("FUGONG_PUBLIC_URL must be an http(s) address like https://fugong.example.gov.cn, not %q", v))
		return ""
	}
	return strings.TrimRight(v, "/")
}

// readReplica reads the read replica's settings into c: FUGONG_DATABASE_READ_URL, its pool
// FUGONG_DB_READ_MAX_CONNS (default FUGONG_DB_MAX_CONNS), the lag bound FUGONG_READ_MAX_LAG
// (default 10s) and how long a writer reads from the primary, FUGONG_READ_AFTER_WRITE
// (default 15s, longer than the bound, or a writer could read a replica without their write).
func readReplica(c *Config, getenv func(string) string, errs *[]error) {
	c.ReadURL = getenv("FUGONG_DATABASE_READ_URL")
	c.ReadMaxConns, c.ReadMaxLag, c.ReadAfterWrite = c.DBMaxConns, 10*time.Second, 15*time.Second
	if c.ReadURL == "" {
		return
	}
	primary, _, _ := repo.ParseURL(c.DatabaseURL)
	switch dialect, _, err := repo.ParseURL(c.ReadURL); {
	case err != nil:
		*errs = append(*errs, fmt.Errorf("FUGONG_DATABASE_READ_URL: %w", err))
	case dialect != repo.Postgres:
		*errs = append(*errs, errors.New("FUGONG_DATABASE_READ_URL must be a postgres:// url: only PostgreSQL has replicas"))
	case primary != repo.Postgres:
		*errs = append(*errs, errors.New("FUGONG_DATABASE_READ_URL needs FUGONG_DATABASE_URL on PostgreSQL: SQLite has no replicas"))
	}
	if v := getenv("FUGONG_DB_READ_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			*errs = append(*errs, errors.New("FUGONG_DB_READ_MAX_CONNS must be a number from 1 to 1000"))
		}
		c.ReadMaxConns = n
	}
	c.ReadMaxLag = durationSetting(getenv, "FUGONG_READ_MAX_LAG", c.ReadMaxLag, time.Second, 5*time.Minute, errs)
	c.ReadAfterWrite = durationSetting(getenv, "FUGONG_READ_AFTER_WRITE", c.ReadAfterWrite, time.Second, 10*time.Minute, errs)
	if c.ReadAfterWrite <= c.ReadMaxLag {
		*errs = append(*errs, fmt.Errorf("FUGONG_READ_AFTER_WRITE (%s) must be longer than FUGONG_READ_MAX_LAG (%s): "+
			"else a writer could read a replica that has not their write yet", c.ReadAfterWrite, c.ReadMaxLag))
	}
}

// durationSetting reads a duration variable from min to max, def when unset.
func durationSetting(getenv func(string) string, name string, def, min, max time.Duration, errs *[]error) time.Duration {
	v := getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > max {
		*errs = append(*errs, fmt.Errorf("%s must be a duration from %s to %s, such as 10s", name, min, max))
		return def
	}
	return d
}
