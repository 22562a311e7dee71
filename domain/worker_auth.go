package domain

import (
	"context"
	"errors"
	"strings"
)

// WorkerLogin signs a returning worker in with what they know without an account: their
// enterprise's login code, their phone number and the last six characters of their ID number.
// Wrong combinations are limited like passwords (per code, phone and client address); a worker
// who has left cannot sign in. ErrUnauthenticated, ErrTooManyRequests.
func (s *AuthService) WorkerLogin(ctx context.Context, code, phone, last6, clientAddr string) (Session, error) {
	code, last6 = NarrowText(code), strings.ToUpper(NarrowText(last6))
	phone, _ = ParseMobile(NarrowText(phone))
	now := s.Clock.Now()
	key := "worker|" + code + "|" + phone + "|" + clientAddr
	n, err := s.Attempts.Failures(ctx, key, now.Add(-s.FailureWindow))
	if err != nil {
		return Session{}, err
	}
	if n >= s.MaxFailures {
		return Session{}, &Error{Kind: ErrTooManyRequests, Message: "登录失败次数过多,请一分钟后再试"}
	}
	w, e, err := s.findWorker(ctx, code, phone, last6)
	if errors.Is(err, ErrUnauthenticated) {
		// The phone and digits typed are personal data: the log names only the enterprise.
		failed := AuditEvent{Action: "auth.worker_login_failed", ActorRole: RoleWorker, Detail: "企业码不存在", At: now}
		if e.ID != 0 {
			failed.TownshipID, failed.EnterpriseID, failed.EntityType, failed.EntityID = e.TownshipID, e.ID, "enterprise", e.ID
			failed.Detail = "手机号或身份证后六位不匹配"
		}
		if err := s.failed(ctx, key, now, failed); err != nil {
			return Session{}, err
		}
		return Session{}, err
	}
	if err != nil {
		return Session{}, err
	}
	if w.Status == WorkerLeft {
		err := s.Audit.Record(ctx, AuditEvent{
			TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, ActorRole: RoleWorker, Action: "auth.worker_login_failed",
			EntityType: "worker", EntityID: w.ID, Detail: "已离职", At: now,
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, Unauthenticated("您已登记为离职,无需打卡;如有误请联系企业人事")
	}
	if err := s.Attempts.Clear(ctx, key); err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if sess, err = s.issueWorker(ctx, w, newFamilyID()); err != nil {
			return err
		}
		return s.audit().record(ctx, w.Actor(), w.TownshipID, w.EnterpriseID, "auth.worker_login", "worker", w.ID, "")
	})
	return sess, err
}

// findWorker finds the worker of the enterprise with that code whose phone and ID number match,
// and returns the enterprise when the code was right.
func (s *AuthService) findWorker(ctx context.Context, code, phone, last6 string) (Worker, Enterprise, error) {
	denied := Unauthenticated("企业码、手机号或身份证后六位不正确")
	if code == "" {
		return Worker{}, Enterprise{}, denied
	}
	e, err := s.Enterprises.GetByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return Worker{}, Enterprise{}, denied
	}
	if err != nil {
		return Worker{}, Enterprise{}, err
	}
	if phone == "" || len(last6) != 6 {
		return Worker{}, e, denied
	}
	ws, _, err := s.Workers.List(ctx, WorkerFilter{EnterpriseID: e.ID, Phone: phone, Page: Page{Limit: 20}})
	if err != nil {
		return Worker{}, e, err
	}
	for _, w := range ws {
		if w.IDNumber.Last6() == last6 {
			return w, e, nil
		}
	}
	return Worker{}, e, denied
}

// checkWorker verifies that a worker's token still stands for a worker on the roster who has
// not left, in the enterprise the token says, and returns ctx carrying that worker.
func (s *AuthService) checkWorker(ctx context.Context, a Actor) (context.Context, error) {
	w, err := s.Workers.Standing(ctx, a.WorkerID)
	if errors.Is(err, ErrNotFound) {
		return ctx, Unauthenticated("职工不存在")
	}
	if err != nil {
		return ctx, err
	}
	if w.Status == WorkerLeft || w.Actor() != a {
		return ctx, Unauthenticated("登录已失效,请重新登录")
	}
	return context.WithValue(ctx, signedInKey{}, w), nil
}

// signedInKey keys the standing of the worker a request was authenticated as.
type signedInKey struct{}

// signedIn returns the standing (ID, township, enterprise, status: see WorkerStore.Standing)
// of the worker the request was authenticated as, read once by the authentication: a
// check-in then needs not read the same row again.
func signedIn(ctx context.Context, workerID int64) (Worker, bool) {
	w, ok := ctx.Value(signedInKey{}).(Worker)
	return w, ok && w.ID == workerID
}

// CheckRequest is Check for an authenticated request: it returns the context the request
// goes on with, which carries the signed-in worker (see signedIn).
func (s *AuthService) CheckRequest(ctx context.Context, a Actor) (context.Context, error) {
	if a.Is(RoleWorker) {
		return s.checkWorker(ctx, a)
	}
	_, err := s.Check(ctx, a)
	return ctx, err
}
