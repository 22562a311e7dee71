package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// Reads sends the reads of the routes in replicaRoutes to a read replica while it is within
// its lag bound, says in AsOfHeader how old their data may be, and sends a user who has just
// written to the primary for AfterWrite, so that they read their own writes. Without it (nil,
// or no replica) every read goes to the one database and no answer carries the header.
type Reads struct {
	// Replica chooses the replica for the reads made with the context it returns, and the
	// time its data are as of; false when the reads must go to the primary (repo.DB.ReadReplica).
	Replica func(context.Context) (context.Context, time.Time, bool)
	// Failed is told, with the error, that a read on the replica failed as a database away
	// fails, or was cancelled by the replica's replay (repo.DB.ReplicaFailed); the read is
	// then answered from the primary.
	Failed func(error)
	// MaxLag is the replica's lag bound: a kept dashboard answer read from the replica is
	// not served once its data are older than that.
	MaxLag time.Duration
	// AfterWrite is how long a user's reads go to the primary after a write of theirs was
	// answered 2xx; longer than MaxLag.
	AfterWrite time.Duration
	key        []byte // signs the writer cookie; set by New from the tokens' secret
}

// AsOfHeader is on an answer read from the replica: the replica held everything committed
// before this time (RFC 3339, UTC), so the page can say "数据截至 08:12:03". An answer read
// from the primary has none: it is as fresh as there is.
const AsOfHeader = "X-Fugong-Data-As-Of"

// writerCookie marks a browser whose user wrote in the last AfterWrite. A signed cookie
// rather than a note in this process: the next read may reach another Fugong process behind
// the balancer, and all of them share the secret that checks it.
const writerCookie = "fugong_wrote"

// replicaRoutes are the routes whose answers may be read from the replica: pages that show
// their as-of (the dashboard and the wall, the reports, the lists). Everything else — sign-in,
// a worker's own check-in and pass, a record opened to edit — reads the primary. The live
// stream too: it is sent because something changed, and must show that change.
var replicaRoutes = map[string]bool{
	"GET /dashboard/summary":        true,
	"GET /dashboard/trend":          true,
	"GET /dashboard/return-curve":   true,
	"GET /dashboard/enterprises":    true,
	"GET /dashboard/open-alerts":    true,
	"GET /reports/daily.xlsx":       true,
	"GET /reports/range.xlsx":       true,
	"GET /alerts":                   true,
	"GET /enterprises":              true,
	"GET /enterprises/:id/workers":  true,
	"GET /enterprises/:id/checkins": true,
	"GET /audit":                    true,
}

// withKey returns rd ready to sign and check writer cookies with a key derived from secret
// (not the secret itself, which signs the tokens).
func (rd *Reads) withKey(secret []byte) *Reads {
	if rd == nil || rd.Replica == nil {
		return nil
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("fugong read-after-write cookie"))
	out := *rd
	out.key = m.Sum(nil)
	return &out
}

// readNote is what a request read from the replica: the as-of its answer is sent with. The
// dashboard cache lowers it to the as-of of the answer it serves.
type readNote struct{ asOf time.Time }

type readNoteKey struct{}

// readNoteOf is the note of a request reading from the replica, nil for the primary.
func readNoteOf(ctx context.Context) *readNote {
	n, _ := ctx.Value(readNoteKey{}).(*readNote)
	return n
}

// readAsOf is the as-of of what the request reads from the replica: zero when it reads the
// primary. For a report's title row, which is written before the answer's headers.
func readAsOf(c echo.Context) time.Time {
	if n := readNoteOf(c.Request().Context()); n != nil {
		return n.asOf
	}
	return time.Time{}
}

// fromReplica is the middleware of the routes in replicaRoutes: unless the user wrote lately,
// it chooses the replica when it is within its bound, and sends the answer with its as-of. A
// read the replica fails (gone between two checks, or cancelled by its replay) is made again on
// the primary, so that a replica's failure never fails a read.
func (rd *Reads) fromReplica(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if rd.wroteLately(c) {
			return next(c)
		}
		ctx, asOf, ok := rd.Replica(req.Context())
		if !ok {
			return next(c)
		}
		note := &readNote{asOf: asOf}
		c.SetRequest(req.WithContext(context.WithValue(ctx, readNoteKey{}, note)))
		c.Response().Before(func() {
			if !note.asOf.IsZero() {
				c.Response().Header().Set(AsOfHeader, note.asOf.UTC().Format(time.RFC3339))
			}
		})
		err := next(c)
		if err == nil || !errors.Is(err, domain.ErrUnavailable) || c.Response().Committed {
			return err
		}
		rd.Failed(err)
		note.asOf = time.Time{}
		c.SetRequest(req)
		return next(c)
	}
}

// markWriter is middleware of the authenticated routes: a write answered 2xx gives its user
// the writer cookie, so that their reads for AfterWrite go to the primary.
func (rd *Reads) markWriter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		res := c.Response()
		res.Before(func() {
			if res.Status < 200 || res.Status > 299 {
				return
			}
			until := time.Now().Add(rd.AfterWrite).Unix()
			http.SetCookie(res, &http.Cookie{
				Name: writerCookie, Value: rd.sign(subjectOf(actorOf(c)), until), Path: "/api/",
				MaxAge: int((rd.AfterWrite + time.Second - 1) / time.Second), HttpOnly: true,
				Secure: c.Scheme() == "https", SameSite: http.SameSiteStrictMode,
			})
		})
		return next(c)
	}
}

// wroteLately reports whether the request carries a writer cookie of its own user that has
// not run out.
func (rd *Reads) wroteLately(c echo.Context) bool {
	ck, err := c.Cookie(writerCookie)
	if err != nil {
		return false
	}
	subject, rest, ok1 := strings.Cut(ck.Value, ".")
	until, _, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(until, 10, 64)
	if !ok1 || !ok2 || err != nil || subject != subjectOf(actorOf(c)) {
		return false
	}
	left := time.Until(time.Unix(n, 0))
	return left > 0 && left <= rd.AfterWrite+time.Second &&
		hmac.Equal([]byte(ck.Value), []byte(rd.sign(subject, n)))
}

// sign is the writer cookie's value for subject until a Unix time: subject.until.mac.
func (rd *Reads) sign(subject string, until int64) string {
	v := subject + "." + strconv.FormatInt(until, 10)
	m := hmac.New(sha256.New, rd.key)
	m.Write([]byte(v))
	return v + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// subjectOf names an actor's account in the writer cookie: a worker's and a user's ids are
// of different tables.
func subjectOf(a domain.Actor) string {
	if a.WorkerID != 0 {
		return "w" + strconv.FormatInt(a.WorkerID, 10)
	}
	return "u" + strconv.FormatInt(a.UserID, 10)
}
