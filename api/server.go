// Package api is Fugong's HTTP edge: the Echo router, middleware (request IDs, logging, auth,
// limits, security headers, metrics), the handlers with their DTOs, the error mapping, the
// OpenAPI document and the embedded web UI.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"fugong/domain"
)

// Services are the domain services the handlers call.
type Services = domain.Services

// Config is what the edge needs beyond the services.
type Config struct {
	Tokens         *Tokens
	Log            *slog.Logger
	Ready          func(ctx context.Context) error // nil error when the database answers
	Frontend       fs.FS                           // the built UI (index.html, assets/); nil serves none
	BodyLimit      string                          // for JSON bodies, e.g. "1M"
	TrustedProxies []*net.IPNet                    // whose X-Forwarded-For is believed
	Metrics        *Metrics
	Live           *Live // the dashboard's event stream; nil answers it with 503
	// NoDashboardCache makes every dashboard read compute its answer (benchmarks of the
	// uncached path). Otherwise answers are kept while Live's hub says their township has not
	// changed (dashboardCache); without a hub, nothing would say when, and none are.
	NoDashboardCache bool
	// DemoGroups lists what the demo's local group robots received today (serve --demo);
	// nil answers GET /demo/group-messages with 404.
	DemoGroups func() []DemoGroup
	// Reads sends the dashboard's, the reports' and the lists' reads to a read replica
	// (reads.go); nil reads everything from the one database.
	Reads *Reads
	// Draining reports that the server got SIGTERM and is about to close: /healthz and
	// /readyz answer 503 then, so that a load balancer stops sending to it. nil: never.
	Draining func() bool
}

// ContentSecurityPolicy is sent with every answer. The built UI runs under it: no inline
// script, no eval, nothing from another origin. Inline styles stay allowed because Element
// Plus positions popovers with style attributes.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// New builds the Echo app with every route. It returns the app and the documented route
// table, from which the OpenAPI document is made.
func New(svc Services, cfg Config) (*echo.Echo, *Routes) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.HTTPErrorHandler = errorHandler(cfg.Log, svc.Audit)
	e.JSONSerializer = jsonSerializer{} // the server's texts in the request's language (labels.go)

	e.Pre(headAsGet)
	e.Pre(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) { c.Set(requestIDKey, id) },
	}))
	e.Use(requestLogger(cfg.Log))
	e.Use(middleware.Recover())
	if cfg.Metrics != nil {
		e.Use(cfg.Metrics.middleware)
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy: "no-referrer", ContentSecurityPolicy: ContentSecurityPolicy,
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: orDefault(cfg.BodyLimit, "1M"), Skipper: isImport}))

	e.GET("/healthz", draining(cfg.Draining, func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}))
	e.GET("/readyz", draining(cfg.Draining, readyHandler(cfg.Ready)))

	routes := &Routes{}
	v1 := e.Group("/api/v1", noStore)
	var reads *Reads // nil: every read from the one database
	if cfg.Reads != nil {
		reads = cfg.Reads.withKey(cfg.Tokens.Secret)
	}
	private := []echo.MiddlewareFunc{authenticate(cfg.Tokens, standing(svc.Auth))}
	inWrite := []echo.MiddlewareFunc{authenticate(cfg.Tokens, staffStanding(svc.Auth))}
	if reads != nil {
		private, inWrite = append(private, reads.markWriter), append(inWrite, reads.markWriter)
	}
	r := &router{public: v1, private: v1.Group("", private...), standingInWrite: v1.Group("", inWrite...),
		routes: routes, reads: reads}
	(&authHandler{svc: svc.Auth, users: svc.Users, workers: svc.Workers, townships: svc.Townships, tokens: cfg.Tokens}).register(r)
	(&townshipHandler{svc: svc.Townships}).register(r)
	(&userHandler{svc: svc.Users}).register(r)
	(&enterpriseHandler{svc: svc.Enterprises}).register(r)
	(&planHandler{svc: svc.Plans}).register(r)
	(&inspectionHandler{svc: svc.Inspections}).register(r)
	(&workerHandler{svc: svc.Workers, gate: svc.Gate}).register(r)
	(&checkinHandler{svc: svc.Checkins}).register(r)
	var answers *dashboardCache
	if cfg.Live != nil && cfg.Live.Hub != nil && !cfg.NoDashboardCache {
		answers = newDashboardCache(cfg.Live.Hub)
		if reads != nil && reads.MaxLag > 0 {
			answers.replicaKeep = min(answers.replicaKeep, reads.MaxLag)
		}
	}
	(&dashboardHandler{svc: svc.Dashboard, auth: svc.Auth, live: cfg.Live, cache: answers}).register(r)
	(&reportHandler{svc: svc.Reports}).register(r)
	(&auditHandler{svc: svc.Audit}).register(r)
	(&noticeHandler{svc: svc.Notices}).register(r)
	(&staggerHandler{svc: svc.Stagger}).register(r)
	(&returnHandler{svc: svc.Returns}).register(r)
	(&gateHandler{svc: svc.Gate, tokens: &PassTokens{Access: cfg.Tokens}, cache: answers}).register(r)
	(&channelHandler{svc: svc.Channels, demoGroups: cfg.DemoGroups}).register(r)

	doc := openAPIDocument(routes)
	e.GET("/api/openapi.json", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, doc) })

	if cfg.Frontend != nil {
		serveFrontend(e, cfg.Frontend)
	}
	return e, routes
}

// noStore keeps API answers out of every cache, the browser's and a proxy's: most carry
// personal data (rosters, readings, names), and a shared office computer's cache is no place
// for them. Set before the handler runs, so that refusals carry it too.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// headAsGet answers HEAD of a GET route as GET without its body (HTTP's rule, which Echo's
// router does not follow: it answered 404). The body is dropped here, since net/http drops it
// only for a request it still sees as HEAD.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Response().Writer = headWriter{c.Response().Writer}
		}
		return next(c)
	}
}

// headWriter is a response writer that sends the headers and drops the body.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(b []byte) (int, error) { return len(b), nil }

// Unwrap lets http.ResponseController reach the connection's writer (to flush).
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func readyHandler(ready func(context.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if ready != nil {
			if err := ready(ctx); err != nil {
				return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			}
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
}

// ipExtractor takes the client address from X-Forwarded-For only when the request comes from a
// trusted proxy; otherwise it is the peer address, which a client cannot forge.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

const requestIDKey = "request_id"

// requestLogger logs one JSON line per request: method, route, path, status, time and request
// ID. Never the query string or the body, where personal data lives, nor the client address.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogRoutePath: true, LogStatus: true, LogLatency: true,
		LogRequestID: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("route", v.RoutePath),
				slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// draining answers a health route with 503 while the server drains (Config.Draining).
func draining(is func() bool, next echo.HandlerFunc) echo.HandlerFunc {
	if is == nil {
		return next
	}
	return func(c echo.Context) error {
		if is() {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		}
		return next(c)
	}
}
