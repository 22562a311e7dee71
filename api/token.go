package api

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fugong/domain"
)

// Tokens issues and verifies access tokens: JWTs signed with HS256 and nothing else, carrying
// the actor, with exp, iss and aud always required.
type Tokens struct {
	Secret   []byte
	Issuer   string
	Audience string
	TTL      time.Duration
	Now      func() time.Time

	parserOnce sync.Once
	parser     *jwt.Parser // made on first use, from the fields above: they are set by then
}

type claims struct {
	jwt.RegisteredClaims
	Role         domain.Role `json:"role"`
	TownshipID   int64       `json:"tid,omitempty"`
	EnterpriseID int64       `json:"eid,omitempty"`
	WorkerID     int64       `json:"wid,omitempty"`
	// Generation is the account's token generation at issue (domain.User.Generation); none
	// reads as 0, the first.
	Generation int64 `json:"gen,omitempty"`
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Issue signs an access token for a.
func (t *Tokens) Issue(a domain.Actor) (string, error) {
	now := t.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: t.Issuer, Audience: jwt.ClaimStrings{t.Audience},
			Subject:  strconv.FormatInt(subject(a), 10),
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(t.TTL)),
		},
		Role: a.Role, TownshipID: a.TownshipID, EnterpriseID: a.EnterpriseID, WorkerID: a.WorkerID, Generation: a.Generation,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.Secret)
}

// Verify checks a token's signature, algorithm, expiry, issuer and audience and returns its
// actor. Any failure is ErrUnauthenticated, with no detail that would help a forger.
func (t *Tokens) Verify(token string) (domain.Actor, error) {
	a, _, err := t.verify(token)
	return a, err
}

// verify is Verify that also says when the token expires: the dashboard's event stream ends
// then, so that a stream lives no longer than the access that opened it.
func (t *Tokens) verify(token string) (domain.Actor, time.Time, error) {
	var c claims
	// One parser for every request (it is not changed by parsing): making it took seven
	// options' allocations on each check-in.
	t.parserOnce.Do(func() {
		t.parser = jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(t.Issuer), jwt.WithAudience(t.Audience),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second),
			jwt.WithTimeFunc(t.now),
		)
	})
	_, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.Secret, nil })
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return domain.Actor{}, time.Time{}, domain.Unauthenticated("登录已过期")
		}
		return domain.Actor{}, time.Time{}, domain.Unauthenticated("登录凭证无效")
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || !c.Role.Valid() {
		return domain.Actor{}, time.Time{}, domain.Unauthenticated("登录凭证无效")
	}
	a := domain.Actor{UserID: id, Role: c.Role, TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, Generation: c.Generation}
	if c.Role == domain.RoleWorker {
		if c.WorkerID != id {
			return domain.Actor{}, time.Time{}, domain.Unauthenticated("登录凭证无效")
		}
		a.UserID, a.WorkerID = 0, id
	}
	return a, c.ExpiresAt.Time, nil
}

// subject is whom a token is about: the staff user, or the worker.
func subject(a domain.Actor) int64 {
	if a.Role == domain.RoleWorker {
		return a.WorkerID
	}
	return a.UserID
}
