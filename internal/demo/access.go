package demo

import (
	"context"
	"errors"
	"fmt"

	"fugong/domain"
)

// playAccess leaves in the audit log what two weeks of office work leave: the town admin
// signing in each working morning and downloading the daily report, supervisors and HR
// signing in, a few mistyped passwords and a name nobody has, HR looking up an ID number and
// exporting the roster, a supervisor exporting a roster, and HR trying to rename their
// enterprise, which only the township may (a refused request, recorded as the API records it).
// It goes through the same services the API calls, on the demo's clock.
func (s *seeder) playAccess(ctx context.Context) error {
	const addr = "192.0.2.10" // a documentation address: sign-in failures count per address
	signIn := func(username, password string) error {
		_, err := s.svc.Auth.Login(ctx, username, password, addr)
		if password != Password && errors.Is(err, domain.ErrUnauthenticated) {
			return nil // the failure is what was wanted, and is in the log
		}
		return err
	}
	for offset := -13; offset <= 0; offset++ {
		d := s.day(offset, 8, 20+s.rng.IntN(20))
		if weekday := d.Time().Weekday(); (weekday == 0 || weekday == 6) && offset != 0 {
			continue // the task force worked weekends in 2020 too, but rested one day in seven
		}
		if err := signIn("changshan", Password); err != nil {
			return fmt.Errorf("sign in changshan: %w", err)
		}
		for i := range 2 {
			s.day(offset, 9+i, s.rng.IntN(60))
			if err := signIn(fmt.Sprintf("supervisor%d", 1+s.rng.IntN(5)), Password); err != nil {
				return err
			}
			if err := signIn(fmt.Sprintf("hr%d", 1+s.rng.IntN(len(s.hr))), Password); err != nil {
				return err
			}
		}
		if offset%4 == 0 { // now and then someone mistypes
			s.day(offset, 11, 5)
			if err := signIn(fmt.Sprintf("hr%d", 1+s.rng.IntN(len(s.hr))), "demo12345"); err != nil {
				return err
			}
		}
	}
	s.day(-6, 23, 41)
	if err := signIn("admin", "123456"); err != nil { // someone tries the usual guesses
		return err
	}
	return s.officeWork(ctx)
}

// officeWork is yesterday's and today's reads and exports of personal data, and a refusal.
func (s *seeder) officeWork(ctx context.Context) error {
	yesterday := s.day(-1, 17, 30)
	if _, err := s.svc.Reports.DailyReport(ctx, s.town, yesterday); err != nil {
		return fmt.Errorf("daily report: %w", err)
	}
	hr, e := s.hr[0], s.ents[0]
	s.day(0, 9, 12)
	ws, _, _, err := s.svc.Workers.List(ctx, hr, e.ID, domain.WorkerFilter{Page: domain.Page{Limit: 1}})
	if err != nil || len(ws) == 0 {
		return fmt.Errorf("roster of %s: %v", e.Name, err)
	}
	if _, _, err := s.svc.Workers.Get(ctx, hr, ws[0].ID, true); err != nil { // to report to the health station
		return err
	}
	s.day(0, 9, 40)
	if _, _, _, err := s.svc.Workers.Export(ctx, hr, e.ID, domain.WorkerFilter{}); err != nil {
		return err
	}
	sup := s.supervisors[0]
	supervised, _, err := s.svc.Enterprises.List(ctx, sup, domain.EnterpriseFilter{Page: domain.Page{Limit: 1}})
	if err != nil || len(supervised) == 0 {
		return fmt.Errorf("supervisor's enterprises: %v", err)
	}
	s.day(0, 10, 5)
	if _, _, _, err := s.svc.Workers.Export(ctx, sup, supervised[0].ID, domain.WorkerFilter{}); err != nil {
		return err
	}
	s.day(0, 10, 30)
	name := e.Name + "(新)"
	_, err = s.svc.Enterprises.Update(ctx, hr, e.ID, domain.EnterpriseInput{Name: &name})
	if !errors.Is(err, domain.ErrForbidden) {
		return fmt.Errorf("HR renaming the enterprise: got %v, want it refused", err)
	}
	var de *domain.Error
	errors.As(err, &de)
	return s.svc.Audit.Denied(ctx, hr, "PATCH /api/v1/enterprises/:id", "enterprise", e.ID, de.Message)
}

// RecoveryReason is the platform admin's reason for the demo's one account recovery.
const RecoveryReason = "周立新手机遗失,无法登录;经长山镇人民政府书面申请(长政函〔2020〕12号)重置密码"

// accountRecovery plays the platform admin's one account recovery, two days ago: the deputy
// head of the task force (changshan2) lost the phone that kept the password, the town asked in
// writing, and the platform admin set a new one (the demo's password again), giving the reason.
// The township's audit log shows it, and both town admins get a notice, unread: changshan
// sees it on signing in (issue 16, item 8).
func (s *seeder) accountRecovery(ctx context.Context) error {
	s.day(-2, 15, 40)
	password := Password
	if _, err := s.svc.Users.Update(ctx, s.platform, s.town2.UserID, domain.UserUpdate{Password: &password, Reason: RecoveryReason}); err != nil {
		return fmt.Errorf("account recovery: %w", err)
	}
	return nil
}
