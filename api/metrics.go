package api

import (
	"database/sql"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fugong/domain"
)

// Metrics counts requests and their latency by route template (never by raw path, whose IDs
// would make the series unbounded), the check-ins and alerts the services commit (as the
// domain's Recorder), the database pool, and the Go runtime and process. No label names a
// person or a record: routes are templates, the rest fixed sets of words.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	checkins *prometheus.CounterVec
	alerts   *prometheus.CounterVec
	groups   *prometheus.CounterVec
	// the check-ins' group commit (repo.CheckinOptions.Observe)
	checkinGroupSize    prometheus.Histogram
	checkinGroupSeconds prometheus.Histogram
}

var _ domain.Recorder = (*Metrics)(nil)

// NewMetrics makes a registry of its own, so that tests can build many apps in one process.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fugong_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fugong_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		checkins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fugong_checkins_recorded_total", Help: "Health check-ins saved (new or replacing one), by slot and reading (fever or normal).",
		}, []string{"slot", "reading"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fugong_alerts_raised_total", Help: "Alerts raised, by type.",
		}, []string{"type"}),
		groups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fugong_group_messages_total",
			Help: "Messages sent to group robots, by platform and outcome (ok, retry, permanent); merged messages count each.",
		}, []string{"platform", "outcome"}),
		checkinGroupSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "fugong_checkin_group_size",
			Help:    "Check-ins committed together in one group (PostgreSQL's group commit): large groups mean the lane is behind.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		checkinGroupSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "fugong_checkin_group_seconds",
			Help:    "A group of check-ins' transaction, from sending it to the commit's answer.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	// Every series exists from the start, at 0, so that a rate over the first one is right.
	for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
		for _, reading := range []string{"fever", "normal"} {
			m.checkins.WithLabelValues(string(slot), reading)
		}
	}
	for _, t := range domain.AlertTypes {
		m.alerts.WithLabelValues(string(t))
	}
	for _, k := range []domain.ChannelKind{domain.KindWeCom, domain.KindDingTalk, domain.KindFeishu, domain.KindWebhook} {
		for _, o := range []string{"ok", "retry", "permanent"} {
			m.groups.WithLabelValues(string(k), o)
		}
	}
	m.registry.MustRegister(m.requests, m.latency, m.checkins, m.alerts, m.groups, m.checkinGroupSize, m.checkinGroupSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchDB adds the database pool's figures (go_sql_*: open, in use and idle connections, the
// limit, waits for a connection and their time) from its sql.DBStats, read at each scrape.
func (m *Metrics) WatchDB(db *sql.DB) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, "fugong"))
}

// ReplicaFigures are the read replica's figures WatchReplica publishes: repo.ReplicaFigures's
// fields, converted by internal/app (api reads the stores only through domain, never repo).
type ReplicaFigures struct {
	Lag       time.Duration // how old the replica's data were at its last check
	Known     bool          // false: the last check could not tell (unreachable, not a standby)
	Conflicts int64         // reads its replay cancelled, answered from the primary
	Failures  int64         // reads it failed as a database away fails, answered from the primary
}

// WatchReplica adds the read replica's figures, read at each scrape: its lag (+Inf when its
// last check could not measure it, so that an alert on "lag > 10" fires for a replica gone
// too) and the reads answered from the primary after the replica failed them, by reason.
// The pages show the same as-of (DataAsOf), only past 5 s; the metric shows it always.
func (m *Metrics) WatchReplica(figures func() ReplicaFigures) {
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "fugong_read_replica_lag_seconds",
			Help: "How old the read replica's data were at its last check (+Inf: unknown, the replica is not read).",
		}, func() float64 {
			f := figures()
			if !f.Known {
				return math.Inf(1)
			}
			return f.Lag.Seconds()
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "fugong_read_replica_fallbacks_total", ConstLabels: prometheus.Labels{"reason": "replay_conflict"},
			Help: "Reads the read replica failed, answered again from the primary, by reason.",
		}, func() float64 { return float64(figures().Conflicts) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "fugong_read_replica_fallbacks_total", ConstLabels: prometheus.Labels{"reason": "unavailable"},
			Help: "Reads the read replica failed, answered again from the primary, by reason.",
		}, func() float64 { return float64(figures().Failures) }),
	)
}

// CheckinGroup counts a group of check-ins committed together (repo.CheckinOptions.Observe).
func (m *Metrics) CheckinGroup(size int, took time.Duration) {
	m.checkinGroupSize.Observe(float64(size))
	m.checkinGroupSeconds.Observe(took.Seconds())
}

// CheckinRecorded counts a saved check-in (domain.Recorder).
func (m *Metrics) CheckinRecorded(slot domain.Slot, fever bool) {
	reading := "normal"
	if fever {
		reading = "fever"
	}
	m.checkins.WithLabelValues(string(slot), reading).Inc()
}

// AlertsRaised counts new alerts of a type (domain.Recorder).
func (m *Metrics) AlertsRaised(t domain.AlertType, n int) {
	m.alerts.WithLabelValues(string(t)).Add(float64(n))
}

// GroupSend counts the messages of a send to a group robot (domain.Recorder).
func (m *Metrics) GroupSend(kind domain.ChannelKind, outcome string, messages int) {
	m.groups.WithLabelValues(string(kind), outcome).Add(float64(messages))
}

// Handler serves the Prometheus text format; it belongs on the metrics listener, not the
// public one.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // settle the status before it is counted
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(c.Response().Status)
		method := methodLabel(c.Request().Method)
		m.requests.WithLabelValues(method, route, status).Inc()
		m.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}

// methodLabel is the request's method as a label: one of HTTP's, or "other". The method is the
// client's to write, and each new label value is a new series kept for ever: 500 requests with
// made-up 8 KB methods grew the metrics to 68 MB (issue 16).
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
