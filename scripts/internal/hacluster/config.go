package hacluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The cluster's loopback ports, all in 18400–18499 (the range this topology was given, so
// that it runs beside the development server and the tests).
const (
	EtcdClientPort = 18400
	EtcdPeerPort   = 18401
	AppFrontPort   = 18430 // HAProxy: the Fugong processes, what phones and browsers open
	WritePort      = 18431 // HAProxy: PostgreSQL's current leader (Patroni /primary)
	ReadPort       = 18432 // HAProxy: a streaming replica (Patroni /replica)
	StatsPort      = 18433 // HAProxy's statistics page
	firstAppPort   = 18451 // the Fugong processes: 18451, 18452, 18453
)

// Nodes are the Patroni members: one PostgreSQL each, on its own ports.
var Nodes = []Node{
	{Name: "pg1", RESTPort: 18410, PGPort: 18411},
	{Name: "pg2", RESTPort: 18420, PGPort: 18421},
}

// Apps is how many Fugong processes stand behind HAProxy.
const Apps = 3

// Node is one Patroni member and the PostgreSQL it runs.
type Node struct {
	Name     string
	RESTPort int // Patroni's REST API: /primary, /replica, /health
	PGPort   int
}

// AppPort is the port of Fugong process i (0, 1, 2).
func AppPort(i int) int { return firstAppPort + i }

// AppURL is what phones and browsers open: HAProxy's front.
func AppURL() string { return fmt.Sprintf("http://127.0.0.1:%d", AppFrontPort) }

// WriteURL is database db on the current leader, through HAProxy: what every Fugong process
// is given, so that after a failover its new connections reach the new leader.
func WriteURL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", WritePort, db)
}

// ReadURL is database db on a streaming replica, through HAProxy's read port (Patroni
// /replica): the Fugong processes read the dashboard, reports and lists from it. While no
// member is a replica (the old leader died and has not rejoined) the port refuses, and the
// processes read from the leader (repo.AttachReplica: a replica that does not answer is not
// read until a check finds it back).
func ReadURL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", ReadPort, db)
}

// Database is the database the Fugong processes serve.
const Database = "fugong"

// patroniYAML is one member's configuration. synchronous_mode makes a commit wait until the
// replica has it, so that a check-in answered 2xx is on two machines when the leader dies.
// synchronous_mode_strict is off: with the replica gone, the leader goes on alone (Patroni
// turns synchronous commit off until a replica is back) rather than refusing every write —
// a township would rather check in with one copy for a while than not at all; the window
// with one copy is the replica's outage, which the operator sees in `status`.
//
// ttl/loop_wait/retry_timeout are short (Patroni requires loop_wait + 2·retry_timeout ≤
// ttl) so that a dead leader is replaced within about ten seconds rather than thirty.
func patroniYAML(dir, binDir string, n Node) string {
	nodeDir := filepath.Join(dir, n.Name)
	r := strings.NewReplacer("NAME", n.Name, "REST", fmt.Sprint(n.RESTPort), "PGPORT", fmt.Sprint(n.PGPort),
		"NODEDIR", nodeDir, "BINDIR", binDir, "ETCD", fmt.Sprint(EtcdClientPort))
	return r.Replace(`scope: fugong
name: NAME
log:
  level: INFO
restapi:
  listen: 127.0.0.1:REST
  connect_address: 127.0.0.1:REST
etcd3:
  hosts: 127.0.0.1:ETCD
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 120
        shared_buffers: 32MB
        wal_log_hints: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        hot_standby: "on"
  initdb:
    - encoding: UTF8
    - locale: C
    - auth: trust
postgresql:
  listen: 127.0.0.1:PGPORT
  connect_address: 127.0.0.1:PGPORT
  data_dir: NODEDIR/data
  bin_dir: BINDIR
  pgpass: NODEDIR/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: postgres
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
  parameters:
    unix_socket_directories: NODEDIR
`)
}

// haproxyCfg routes: the Fugong front over the three processes, checked on /healthz (503
// while a process drains, so that it gets no new request before it closes); the write port
// to whichever member answers Patroni's /primary with 200, cutting the sessions of one marked
// down (a former leader must not keep clients); the read port to a replica.
//
// retry-on conn-failure with redispatch sends a request whose connection was refused (a
// process just killed or closing) to another process. Check-ins are upserts on (worker,
// date, slot), so sending one twice stores it once: HAProxy may retry them, and with
// empty-response also when a process died with the request unanswered.
func haproxyCfg(dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
  maxconn 4000
  stats socket %s mode 600 level admin

defaults
  timeout connect 2s
  timeout client 5m
  timeout server 5m
  timeout check 2s
  default-server inter 500ms fall 2 rise 2

frontend fugong
  mode http
  bind 127.0.0.1:%d
  default_backend fugong_apps

backend fugong_apps
  mode http
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  option redispatch 1
  retries 3
  retry-on conn-failure empty-response
  option http-buffer-request
  errorfile 503 %s
`, filepath.Join(dir, "haproxy.sock"), AppFrontPort, filepath.Join(dir, "haproxy-503.http"))
	for i := range Apps {
		fmt.Fprintf(&b, "  server app%d 127.0.0.1:%d check\n", i+1, AppPort(i))
	}
	for _, l := range []struct {
		name, check string
		port        int
	}{{"pg_write", "/primary", WritePort}, {"pg_read", "/replica", ReadPort}} {
		fmt.Fprintf(&b, `
listen %s
  mode tcp
  bind 127.0.0.1:%d
  option httpchk GET %s
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
`, l.name, l.port, l.check)
		for _, n := range Nodes {
			fmt.Fprintf(&b, "  server %s 127.0.0.1:%d check port %d\n", n.Name, n.PGPort, n.RESTPort)
		}
	}
	fmt.Fprintf(&b, `
frontend stats
  mode http
  bind 127.0.0.1:%d
  stats enable
  stats uri /
  stats refresh 2s
`, StatsPort)
	return b.String()
}

// haproxy503 is HAProxy's answer when no Fugong process is up: what Fugong itself answers
// when its database is away, so that the phone page retries it the same way.
const haproxy503 = "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\n" +
	"Content-Type: application/json\r\nRetry-After: 2\r\n\r\n" +
	`{"error":{"code":"unavailable","message":"服务暂不可用,请稍后再试"}}` + "\n"

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
