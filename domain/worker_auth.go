package domain

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
)

// A worker signs in with their enterprise's code, their phone and a 6-digit PIN they chose.
// The ID number serves only to enrol, once (WorkerEnrol), or again after HR reset the PIN
// (ResetWorkerPIN): staff see ID numbers in part and some whole, so a secret derived from it
// would let them sign in as the worker and file check-ins that look like the worker's own
// (issue 16). Guesses are limited per phone and address (MaxFailures), per address across
// phones and per enterprise code, both over FailureWindow.
const (
	// WorkerFailuresPerAddress is how many failed worker sign-ins one client address may have
	// in a window, whatever phones they name. A plant's Wi-Fi puts hundreds of workers behind
	// one address, and a few of them mistype: the limit is set well above that.
	WorkerFailuresPerAddress = 30
	// WorkerFailuresPerCode is how many failed sign-ins an enterprise code may have in a window,
	// from every address together: guessing spread over many addresses stops there.
	WorkerFailuresPerCode = 60
)

// Client is where a sign-in came from, for the audit log.
type Client struct {
	Addr      string
	UserAgent string
}

// detail is the client as the audit log shows it: the address and the user agent, cut short
// and stripped of control characters (a user agent is whatever the client says).
func (c Client) detail() string {
	ua := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, c.UserAgent)
	if r := []rune(ua); len(r) > 160 {
		ua = string(r[:160]) + "…"
	}
	if ua == "" {
		ua = "未知客户端"
	}
	return "来自 " + c.Addr + " · " + ua
}

// workerKeys are the keys a worker's failed sign-in counts against, with the limit of each.
type workerKey struct {
	key   string
	limit int
	msg   string
}

func (s *AuthService) workerKeys(code, phone, addr string) []workerKey {
	return []workerKey{
		{"worker|" + code + "|" + phone + "|" + addr, s.maxFailures, "登录失败次数过多,请一分钟后再试"},
		{"worker-addr|" + addr, WorkerFailuresPerAddress, "此网络登录失败次数过多,请一分钟后再试"},
		{"worker-code|" + code, WorkerFailuresPerCode, "本企业登录失败次数过多,请一分钟后再试"},
	}
}

// limited refuses a worker's sign-in when any of its keys has had its failures.
func (s *AuthService) limited(ctx context.Context, keys []workerKey) error {
	since := s.clock.Now().Add(-s.failureWindow)
	for _, k := range keys {
		n, err := s.attempts.Failures(ctx, k.key, since)
		if err != nil {
			return err
		}
		if n >= k.limit {
			return &Error{Kind: ErrTooManyRequests, Message: k.msg}
		}
	}
	return nil
}

// workerFailed counts a failed worker sign-in against all its keys and audits it with the
// client, together. The phone, PIN and ID number typed are personal data: the log names only
// the enterprise.
func (s *AuthService) workerFailed(ctx context.Context, keys []workerKey, e Enterprise, why string, c Client) error {
	now := s.clock.Now()
	ev := AuditEvent{Action: "auth.worker_login_failed", ActorRole: RoleWorker, Detail: "企业码不存在;" + c.detail(), At: now}
	if e.ID != 0 {
		ev.TownshipID, ev.EnterpriseID, ev.EntityType, ev.EntityID = e.TownshipID, e.ID, "enterprise", e.ID
		ev.Detail = why + ";" + c.detail()
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if err := s.attempts.RecordFailure(ctx, k.key, now, now.Add(-time.Hour)); err != nil {
				return err
			}
		}
		return s.audits.Record(ctx, ev)
	})
}

// WorkerLogin signs an enrolled worker in with their enterprise's code, phone and PIN. A
// worker who has left cannot sign in. ErrUnauthenticated, ErrTooManyRequests.
func (s *AuthService) WorkerLogin(ctx context.Context, code, phone, pin string, c Client) (Session, error) {
	code, pin = NarrowText(code), NarrowText(pin)
	phone, _ = ParseMobile(NarrowText(phone))
	keys := s.workerKeys(code, phone, c.Addr)
	if err := s.limited(ctx, keys); err != nil {
		return Session{}, err
	}
	e, ws, err := s.findWorkers(ctx, code, phone)
	if err != nil {
		return Session{}, err
	}
	w, ok, err := s.pinOwner(ctx, ws, pin)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		if err := s.workerFailed(ctx, keys, e, "手机号或 PIN 不匹配", c); err != nil {
			return Session{}, err
		}
		return Session{}, Unauthenticated("企业码、手机号或 PIN 不正确;第一次登录或 PIN 被重置后,请先用身份证号设置 PIN")
	}
	return s.signWorkerIn(ctx, keys[0].key, w, "auth.worker_login", c, nil)
}

// pinOwner finds which of the workers (one phone may be on several files of an enterprise: a
// family's shared phone) has this PIN. Every candidate's hash is compared, and one dummy hash
// when there is none, so that the time taken does not tell whether the phone is on the roster.
func (s *AuthService) pinOwner(ctx context.Context, ws []Worker, pin string) (Worker, bool, error) {
	found, ok := Worker{}, false
	compared := false
	for _, w := range ws {
		p, err := s.workers.PIN(ctx, w.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Worker{}, false, err
		}
		compared = true
		if ok {
			continue
		}
		// Through the gate that bounds concurrent hash checks (PasswordHasher.Check).
		if ok, err = s.passwords.Check(ctx, p.Hash, pin); err != nil {
			return Worker{}, false, err
		}
		if ok {
			found = w
		}
	}
	if !compared {
		if _, err := s.passwords.Check(ctx, string(dummyHash), pin); err != nil {
			return Worker{}, false, err
		}
	}
	return found, ok, nil
}

// WorkerEnrol lets a worker on the roster set their PIN, proving who they are with their
// enterprise's code, phone and whole ID number, and signs them in. A weak PIN is refused
// (CheckPIN); a worker who has a PIN already is told to sign in with it or ask HR to reset it.
// ErrUnauthenticated, ErrTooManyRequests, ErrInvalid, ErrConflict.
func (s *AuthService) WorkerEnrol(ctx context.Context, code, phone, idNumber, pin string, c Client) (Session, error) {
	code, pin = NarrowText(code), NarrowText(pin)
	phone, _ = ParseMobile(NarrowText(phone))
	id := IDNumber(strings.ToUpper(NarrowText(idNumber)))
	keys := s.workerKeys(code, phone, c.Addr)
	if err := s.limited(ctx, keys); err != nil {
		return Session{}, err
	}
	e, ws, err := s.findWorkers(ctx, code, phone)
	if err != nil {
		return Session{}, err
	}
	var w Worker
	for _, cand := range ws {
		if len(id) == 18 && cand.IDNumber == id {
			w = cand
		}
	}
	if w.ID == 0 {
		if err := s.workerFailed(ctx, keys, e, "设置 PIN:手机号或身份证号不匹配", c); err != nil {
			return Session{}, err
		}
		return Session{}, Unauthenticated("企业码、手机号或身份证号不正确")
	}
	if err := CheckPIN(pin, w); err != nil {
		return Session{}, err
	}
	hash, err := s.passwords.Hash(pin)
	if err != nil {
		return Session{}, err
	}
	return s.signWorkerIn(ctx, keys[0].key, w, "auth.worker_enrol", c, func(ctx context.Context) error {
		set, err := s.workers.SetPIN(ctx, WorkerPIN{WorkerID: w.ID, Hash: hash, SetAt: s.clock.Now()})
		if err == nil && !set {
			err = Conflict("您已设置过 PIN,请直接用 PIN 登录;忘记了请联系企业人事重置")
		}
		return err
	})
}

// signWorkerIn ends a successful sign-in or enrolment: a worker who has left is turned away
// (audited); otherwise before runs (the enrolment's PIN), a session is issued and the sign-in
// audited with the client, in one transaction.
func (s *AuthService) signWorkerIn(ctx context.Context, key string, w Worker, action string, c Client, before func(context.Context) error) (Session, error) {
	if w.Status == WorkerLeft {
		err := s.audits.Record(ctx, AuditEvent{
			TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, ActorRole: RoleWorker, Action: "auth.worker_login_failed",
			EntityType: "worker", EntityID: w.ID, Detail: "已离职;" + c.detail(), At: s.clock.Now(),
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, Unauthenticated("您已登记为离职,无需打卡;如有误请联系企业人事")
	}
	var sess Session
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if before != nil {
			if err := before(ctx); err != nil {
				return err
			}
		}
		var err error
		if sess, err = s.issueWorker(ctx, w, newFamilyID()); err != nil {
			return err
		}
		return s.audit().record(ctx, w.Actor(), w.TownshipID, w.EnterpriseID, action, "worker", w.ID, c.detail())
	})
	if err != nil {
		return Session{}, err
	}
	return sess, s.attempts.Clear(ctx, key)
}

// findWorkers returns the enterprise with that code (zero when none has it) and its workers
// with that phone.
func (s *AuthService) findWorkers(ctx context.Context, code, phone string) (Enterprise, []Worker, error) {
	if code == "" {
		return Enterprise{}, nil, nil
	}
	e, err := s.enterprises.GetByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return Enterprise{}, nil, nil
	}
	if err != nil || phone == "" {
		return e, nil, err
	}
	ws, _, err := s.workers.List(ctx, WorkerFilter{EnterpriseID: e.ID, Phone: phone, Page: Page{Limit: 20}})
	return e, ws, err
}

// ResetWorkerPIN forgets a worker's PIN, for a worker who forgot it or whose phone was lost:
// their sessions end at once, and they enrol again with their ID number. Only the HR of the
// worker's enterprise may; it is audited. ErrForbidden, ErrNotFound.
func (s *AuthService) ResetWorkerPIN(ctx context.Context, actor Actor, workerID int64) error {
	if !actor.Is(RoleEnterpriseHR) {
		return Forbidden("只有企业人事可以重置职工的 PIN")
	}
	w, err := s.workers.Get(ctx, workerID)
	if err != nil {
		return err
	}
	if !CanReveal(actor, w.EnterpriseID) { // HR of another enterprise: not theirs to know of
		return NotFound("职工")
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		had, err := s.workers.ClearPIN(ctx, w.ID)
		if err != nil {
			return err
		}
		if err := s.EndWorkerSessions(ctx, w.ID); err != nil { // refresh tokens and access tokens alike
			return err
		}
		detail := "重置 PIN,职工的登录已全部结束,需用身份证号重新设置"
		if !had {
			detail = "重置 PIN(职工尚未设置过)"
		}
		return s.audit().record(ctx, actor, w.TownshipID, w.EnterpriseID, "worker.pin_reset", "worker", w.ID, detail)
	})
}

// checkWorker verifies that a worker's token still stands for a worker on the roster who has
// not left, in the enterprise and token generation the token says.
func (s *AuthService) checkWorker(ctx context.Context, a Actor) error {
	w, err := s.workers.Standing(ctx, a.WorkerID)
	if errors.Is(err, ErrNotFound) {
		return Unauthenticated("职工不存在")
	}
	if err != nil {
		return err
	}
	if w.Status == WorkerLeft || w.Actor() != a {
		return Unauthenticated("登录已失效,请重新登录")
	}
	return nil
}
