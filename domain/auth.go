package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// PasswordHasher hashes and checks passwords with bcrypt. Cost 0 means bcrypt's default;
// tests lower it to keep fixtures fast.
type PasswordHasher struct {
	Cost int
	// Gate bounds the checks that run at once (Check); nil bounds none. NewServices gives
	// every service the same one.
	Gate *PasswordGate
}

// Hash returns the bcrypt hash of pw.
func (h PasswordHasher) Hash(pw string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(b), err
}

// Matches reports whether pw is the password behind hash, whatever else is running: callers
// that anyone can reach without signing in use Check.
func (h PasswordHasher) Matches(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// Check is Matches taking its turn at the gate. ErrUnavailable when no turn came (see
// PasswordGate).
func (h PasswordHasher) Check(ctx context.Context, hash, pw string) (bool, error) {
	if h.Gate != nil {
		release, err := h.Gate.Acquire(ctx)
		if err != nil {
			return false, err
		}
		defer release()
	}
	return h.Matches(hash, pw), nil
}

// RefreshToken is one link of a refresh-token family: every refresh spends the presented token
// and issues the next one of the same family. Only a hash of the token is stored.
type RefreshToken struct {
	ID        int64
	FamilyID  string
	UserID    int64 // a staff user's token, or
	WorkerID  int64 // a worker's
	Hash      string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

// RefreshTokenStore keeps refresh tokens.
type RefreshTokenStore interface {
	// Create inserts t and sets its ID.
	Create(ctx context.Context, t *RefreshToken) error
	// GetByHash finds a token by its hash. ErrNotFound.
	GetByHash(ctx context.Context, hash string) (RefreshToken, error)
	// Spend marks the token used unless it already was, or was revoked; it reports whether
	// this call spent it, so that of two concurrent refreshes with one token only one wins.
	Spend(ctx context.Context, id int64, at time.Time) (bool, error)
	// RevokeFamily revokes every token of a family.
	RevokeFamily(ctx context.Context, familyID string, at time.Time) error
	// RevokeUser revokes every token of a user: all their sessions end.
	RevokeUser(ctx context.Context, userID int64, at time.Time) error
	// RevokeWorker revokes every token of a worker (their PIN was reset).
	RevokeWorker(ctx context.Context, workerID int64, at time.Time) error
}

// LoginAttemptStore counts failed sign-ins, so that guessing passwords is slow.
type LoginAttemptStore interface {
	// Failures counts the failures of key since a time.
	Failures(ctx context.Context, key string, since time.Time) (int, error)
	// RecordFailure notes one failure of key, and forgets failures older than pruneBefore.
	RecordFailure(ctx context.Context, key string, at, pruneBefore time.Time) error
	// Clear forgets the failures of key after a successful sign-in.
	Clear(ctx context.Context, key string) error
}

// Session is what a successful sign-in or refresh gives: who signed in (a staff user, or a
// worker) and the next refresh token. The API adds a signed access token for the actor.
type Session struct {
	User             User
	Worker           Worker // set instead of User when a worker signed in
	RefreshToken     string
	RefreshExpiresAt time.Time
}

// Actor is the identity the session acts with.
func (s Session) Actor() Actor {
	if s.Worker.ID != 0 {
		return s.Worker.Actor()
	}
	return s.User.Actor()
}

// Actor returns the identity a signed-in worker acts with: themself, in their enterprise.
func (w Worker) Actor() Actor {
	return Actor{Role: RoleWorker, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
		Generation: w.Generation}
}

// AuthService signs staff in, rotates their refresh tokens, and checks that a token's user
// still may act.
type AuthService struct {
	users       UserStore
	workers     WorkerStore
	enterprises EnterpriseStore
	tokens      RefreshTokenStore
	attempts    LoginAttemptStore
	passwords   PasswordHasher
	audits      AuditStore // sign-ins, failed ones too, and reused refresh tokens
	tx          TxRunner
	clock       Clock

	refreshTTL time.Duration // how long an unused refresh token lives
	// refreshGrace is how long after a refresh token was spent presenting it again still gets a
	// new token of its family rather than ending the family: two tabs, or two calls, that
	// refresh at the same moment with the same token must not sign their user out.
	refreshGrace       time.Duration
	maxFailures        int // failures allowed per username and client address in failureWindow
	maxAddressFailures int // failures allowed per client address, whatever the usernames, in failureWindow
	failureWindow      time.Duration
}

// dummyHash is compared against when the username does not exist, so that a wrong username
// takes as long as a wrong password and does not reveal which accounts exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("fugong-no-such-user"), bcrypt.DefaultCost)

// Login checks a username and password from a client address. After MaxFailures failures of
// the same username from the same address within FailureWindow, or MaxAddressFailures of any
// usernames from that address, further attempts are refused with ErrTooManyRequests, right or
// wrong, until the window has passed, and cost no password check. The password is checked at
// the gate (PasswordGate): ErrUnavailable when the server has no turn for it.
// ErrUnauthenticated, ErrTooManyRequests, ErrUnavailable.
func (s *AuthService) Login(ctx context.Context, username, password, clientAddr string) (Session, error) {
	username = strings.ToLower(Clean(username))
	now := s.clock.Now()
	key, addrKey := username+"|"+clientAddr, addressKey(clientAddr)
	// The address's count first: made-up usernames each open a new count of their own, and
	// 300 of them from one address each cost a bcrypt check (issue 16).
	n, err := s.attempts.Failures(ctx, addrKey, now.Add(-s.failureWindow))
	if err != nil {
		return Session{}, err
	}
	if n >= s.maxAddressFailures {
		return Session{}, &Error{Kind: ErrTooManyRequests, Message: "此网络登录失败次数过多,请一分钟后再试"}
	}
	if n, err = s.attempts.Failures(ctx, key, now.Add(-s.failureWindow)); err != nil {
		return Session{}, err
	}
	if n >= s.maxFailures {
		return Session{}, &Error{Kind: ErrTooManyRequests, Message: "登录失败次数过多,请一分钟后再试"}
	}
	u, err := s.users.GetByUsername(ctx, username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Session{}, err
	}
	hash := string(dummyHash)
	if err == nil {
		hash = u.PasswordHash
	}
	known := err == nil
	matches, err := s.passwords.Check(ctx, hash, password)
	if err != nil {
		return Session{}, err
	}
	if !matches || !known || !u.Active {
		failed := AuditEvent{Action: "auth.login_failed", EntityType: "user", Detail: "用户名不存在", At: now}
		if known {
			// The account tried is named by its ID; what was typed is never kept.
			failed.TownshipID, failed.EnterpriseID, failed.EntityID = u.TownshipID, u.EnterpriseID, u.ID
			failed.Detail = "密码错误"
			if matches {
				failed.Detail = "账号已停用"
			}
		}
		if err := s.failedAll(ctx, now, failed, key, addrKey); err != nil {
			return Session{}, err
		}
		return Session{}, Unauthenticated("用户名或密码错误,或账号已停用")
	}
	// The address's count stays: cleared by a success, it would let whoever has one account
	// sign in with it between every few guesses at the others.
	if err := s.attempts.Clear(ctx, key); err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if sess, err = s.issue(ctx, u, newFamilyID()); err != nil {
			return err
		}
		return s.audit().record(ctx, u.Actor(), u.TownshipID, u.EnterpriseID, "auth.login", "user", u.ID, "")
	})
	return sess, err
}

func (s *AuthService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// addressKey is the key of the failed sign-ins from a client address, whatever the usernames.
func addressKey(clientAddr string) string { return "addr|" + clientAddr }

// failed counts a failed sign-in against its key and records it in the audit log, together.
func (s *AuthService) failed(ctx context.Context, key string, now time.Time, e AuditEvent) error {
	return s.failedAll(ctx, now, e, key)
}

// failedAll is failed for a sign-in counted against several keys (the username's from an
// address, and the address's).
func (s *AuthService) failedAll(ctx context.Context, now time.Time, e AuditEvent, keys ...string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		for _, key := range keys {
			if err := s.attempts.RecordFailure(ctx, key, now, now.Add(-time.Hour)); err != nil {
				return err
			}
		}
		return s.audits.Record(ctx, e)
	})
}

// Refresh spends a refresh token and issues the next of its family. A token presented again
// within RefreshGrace of its spending gets another next token of the family: two refreshes
// with one token at the same moment (two tabs, two calls that met a 401 together) both go on.
// Presented later, it means the token was stolen or leaked: the whole family is revoked, and
// its user's access tokens with it (reused), ending the session for whoever holds it.
// ErrUnauthenticated.
func (s *AuthService) Refresh(ctx context.Context, token string) (Session, error) {
	denied := Unauthenticated("登录已失效,请重新登录")
	now := s.clock.Now()
	t, err := s.tokens.GetByHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Session{}, denied
	}
	if err != nil {
		return Session{}, err
	}
	if t.UsedAt == nil && t.RevokedAt == nil && now.Before(t.ExpiresAt) {
		won, err := s.tokens.Spend(ctx, t.ID, now)
		if err != nil {
			return Session{}, err
		}
		if !won { // a concurrent refresh spent it (or a logout revoked it) since: read which, and when
			if t, err = s.tokens.GetByHash(ctx, t.Hash); err != nil {
				return Session{}, err
			}
		}
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return Session{}, denied
	}
	if t.UsedAt != nil && !now.Before(t.UsedAt.Add(s.refreshGrace)) {
		if err := s.reused(ctx, t, now); err != nil {
			return Session{}, err
		}
		return Session{}, denied
	}
	if t.WorkerID != 0 {
		w, err := s.workers.Get(ctx, t.WorkerID)
		if errors.Is(err, ErrNotFound) || (err == nil && w.Status == WorkerLeft) {
			return Session{}, denied
		}
		if err != nil {
			return Session{}, err
		}
		return s.issueWorker(ctx, w, t.FamilyID)
	}
	u, err := s.users.Get(ctx, t.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.Active) {
		return Session{}, denied
	}
	if err != nil {
		return Session{}, err
	}
	return s.issue(ctx, u, t.FamilyID)
}

// reused revokes the family of a refresh token presented after it was spent, ends its owner's
// access tokens (Generation), and records it: a stolen or leaked token is what a township's
// administrators should hear of.
func (s *AuthService) reused(ctx context.Context, t RefreshToken, now time.Time) error {
	e := AuditEvent{Action: "auth.token_reuse", At: now, Detail: "已使用过的登录凭证再次出现,该次登录已全部注销"}
	if t.WorkerID != 0 {
		w, err := s.workers.Standing(ctx, t.WorkerID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		e.ActorRole, e.TownshipID, e.EnterpriseID, e.EntityType, e.EntityID = RoleWorker, w.TownshipID, w.EnterpriseID, "worker", t.WorkerID
	} else {
		u, err := s.users.Get(ctx, t.UserID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		e.TownshipID, e.EnterpriseID, e.EntityType, e.EntityID = u.TownshipID, u.EnterpriseID, "user", t.UserID
	}
	owner := Actor{UserID: t.UserID, WorkerID: t.WorkerID}
	if t.WorkerID != 0 {
		owner.Role = RoleWorker
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.tokens.RevokeFamily(ctx, t.FamilyID, now); err != nil {
			return err
		}
		if err := s.bump(ctx, owner); err != nil {
			return err
		}
		return s.audits.Record(ctx, e)
	})
}

// Logout ends the family of the given refresh token, or every session of the actor when no
// token is given, and every access token of the actor's at once (Generation): the one that
// signed out must not live on for its quarter of an hour. The actor's other sessions keep
// their refresh tokens and get new access tokens with them. A token of someone else is
// ignored rather than revealed.
func (s *AuthService) Logout(ctx context.Context, actor Actor, token string) error {
	now := s.clock.Now()
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.bump(ctx, actor); err != nil {
			return err
		}
		switch {
		case token == "" && actor.Is(RoleWorker):
			return s.tokens.RevokeWorker(ctx, actor.WorkerID, now)
		case token == "":
			return s.tokens.RevokeUser(ctx, actor.UserID, now)
		}
		t, err := s.tokens.GetByHash(ctx, HashToken(token))
		if errors.Is(err, ErrNotFound) || (err == nil && (t.UserID != actor.UserID || t.WorkerID != actor.WorkerID)) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.tokens.RevokeFamily(ctx, t.FamilyID, now)
	})
}

// EndWorkerSessions ends every session of a worker: their refresh tokens are revoked and
// their access tokens refused from now on (Generation). For a PIN reset, a phone lost, a
// worker whom a supervisor signed in as. ErrNotFound.
func (s *AuthService) EndWorkerSessions(ctx context.Context, workerID int64) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.workers.BumpGeneration(ctx, workerID); err != nil {
			return err
		}
		return s.tokens.RevokeWorker(ctx, workerID, s.clock.Now())
	})
}

// bump moves the actor's account (a staff user's or a worker's) to its next token generation,
// so that every access token issued before is refused.
func (s *AuthService) bump(ctx context.Context, a Actor) error {
	if a.Is(RoleWorker) {
		return s.workers.BumpGeneration(ctx, a.WorkerID)
	}
	return s.users.BumpGeneration(ctx, a.UserID)
}

// Check verifies that the user behind a verified access token still exists, is active, has
// the role and scope the token claims, and that the token is of the account's current
// generation; a disabled account, a changed password, a logout stop the token at once, not
// when it expires. The generation rides on the row read anyway: no query of its own. A
// worker's token stands while the worker is on the roster of the token's enterprise, has not
// left and is of the token's generation (CheckinStore.UpsertOwn is the same check, made by the
// write itself). ErrUnauthenticated.
func (s *AuthService) Check(ctx context.Context, a Actor) (User, error) {
	if a.Is(RoleWorker) {
		return User{}, s.checkWorker(ctx, a)
	}
	u, err := s.users.Get(ctx, a.UserID)
	if errors.Is(err, ErrNotFound) {
		return User{}, Unauthenticated("账号不存在")
	}
	if err != nil {
		return User{}, err
	}
	switch {
	case !u.Active:
		return User{}, Unauthenticated("账号已停用或权限已变更,请重新登录")
	case u.Generation != a.Generation:
		return User{}, Unauthenticated("登录已失效(已退出登录、修改了密码或被管理员结束),请重新登录")
	case u.Actor() != a:
		return User{}, Unauthenticated("账号已停用或权限已变更,请重新登录")
	}
	return u, nil
}

func (s *AuthService) issue(ctx context.Context, u User, family string) (Session, error) {
	token, t, err := s.newRefreshToken(ctx, family, u.ID, 0)
	return Session{User: u, RefreshToken: token, RefreshExpiresAt: t.ExpiresAt}, err
}

func (s *AuthService) issueWorker(ctx context.Context, w Worker, family string) (Session, error) {
	token, t, err := s.newRefreshToken(ctx, family, 0, w.ID)
	return Session{Worker: w, RefreshToken: token, RefreshExpiresAt: t.ExpiresAt}, err
}

// newRefreshToken stores the next token of a family for a user or a worker.
func (s *AuthService) newRefreshToken(ctx context.Context, family string, userID, workerID int64) (string, RefreshToken, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", RefreshToken{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	t := RefreshToken{
		FamilyID: family, UserID: userID, WorkerID: workerID, Hash: HashToken(token),
		ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now,
	}
	if err := s.tokens.Create(ctx, &t); err != nil {
		return "", RefreshToken{}, err
	}
	return token, t, nil
}

// HashToken is how refresh tokens are stored: a SHA-256, enough for 256 random bits, which no
// dictionary can reverse.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newFamilyID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return hex.EncodeToString(b)
}
