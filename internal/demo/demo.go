// Package demo fills an empty database with the demo township 长山镇 (Changshan, Zouping,
// Shandong), the town whose February 2020 platform Fugong reproduces: its 10 responsibility
// zones, a few dozen enterprises with plausible names and valid credit codes, one account of
// each role, and three weeks of history — reopening plans in every state, reviews, reopenings
// and inspections, and the audit log all of that leaves with the sign-ins and exports of an
// office's fortnight. It goes through the domain services, so demo data obeys every rule real
// data does; a clock of its own lets it play the weeks before today. Later capabilities add
// their data here.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fugong/domain"
)

// Password is every demo account's password.
const Password = "demo1234"

// AccountsText is printed at start in demo mode and repeated in the README.
const AccountsText = `Demo accounts (password demo1234):
  platform     platform admin (平台管理员)
  changshan    town admin of 长山镇 (镇专班管理员): a notice tells of the platform admin's recovery of changshan2
  changshan2   the other town admin of 长山镇, whose password the platform admin reset, with a reason
  supervisor1  resident plant supervisor (驻厂监督员) of 8 enterprises; supervisor2-5 the others
  hr1          HR of 山东长星纺织有限公司, not yet applied (企业人事); hr2-hr36 the other enterprises
  gate1        guard (门岗) of 长山镇福源面业有限公司, made by hr21: scans 复工码 at /gate, records spot checks
  wall1        wall screen (大屏) of 长山镇: opens /wall, the township's figures and nothing personal`

// Zones are Changshan's 10 responsibility zones (责任区), named after the town's seat and
// its larger villages.
var Zones = []string{
	"长山城区责任区", "范公责任区", "会仙责任区", "太平责任区", "大由责任区",
	"周家责任区", "颜家责任区", "孙家责任区", "东范责任区", "长白责任区",
}

// seeder carries what the steps of the demo share.
type seeder struct {
	svc         domain.Services
	clock       *clock
	rng         *rand.Rand
	township    domain.Township
	platform    domain.Actor // the platform admin
	town        domain.Actor // the town admin
	town2       domain.Actor // the task force's second town admin, whose account the platform admin recovers
	ents        []domain.Enterprise
	supervisors []domain.Actor // supervisor1..5
	hr          []domain.Actor // the HR of each enterprise, by index
	end         time.Time      // the real now, where the history ends
	stores      domain.Stores  // for the bulk history the services would write row by row
}

// clock is the demo's own time, moved to each day of the history it plays.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// Seed creates the demo on a database without townships and reports whether it did; on any
// other database it changes nothing. now is the real time: the history ends there. Random
// choices use a fixed seed, so every demo is alike but for its dates.
func Seed(ctx context.Context, stores domain.Stores, now time.Time) (bool, error) {
	c := &clock{t: now.Add(-22 * 24 * time.Hour)}
	// The demo password is public, so the demo's hashes need no strength; the minimum cost keeps
	// a demo start fast. Passwords changed later are hashed by the server's own hasher.
	svc := domain.NewServices(stores, domain.Options{Clock: c.now, Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost}})
	_, n, err := svc.Townships.List(ctx, domain.Actor{Role: domain.RolePlatformAdmin}, domain.Page{Limit: 1})
	if err != nil || n > 0 {
		return false, err
	}
	s := &seeder{svc: svc, clock: c, rng: rand.New(rand.NewPCG(2020, 210)), end: now, stores: stores}
	for _, step := range []func(context.Context) error{
		s.createTownship, s.createEnterprises, s.createStaff, s.playHistory, s.createWorkers, s.createCheckins, s.playAccess,
		s.accountRecovery, s.snapshotStats, s.readingsOfNote, s.heldToToday, s.gateAndSpotChecks, s.wallScreen, s.serverCost, s.enrolWorkers,
	} {
		if err := step(ctx); err != nil {
			return false, err
		}
	}
	c.t = now
	return true, nil
}

// serverCost gives every demo account one hash of the demo password at the server's own cost:
// the accounts are hashed cheaply while the demo is made (forty of them), and a sign-in that
// answered faster for demo accounts than for others would tell which usernames exist.
func (s *seeder) serverCost(ctx context.Context) error {
	hash, err := domain.PasswordHasher{}.Hash(Password)
	if err != nil {
		return err
	}
	users, _, err := s.stores.Users.List(ctx, domain.UserFilter{Page: domain.Page{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	for _, u := range users {
		u.PasswordHash = hash
		if err := s.stores.Users.Update(ctx, u); err != nil {
			return fmt.Errorf("demo account %s: %w", u.Username, err)
		}
	}
	return nil
}

// snapshotStats takes the roster figures of each day of the history, as the live server would
// have taken them on the day; the check-ins and alerts counted themselves as they went in.
func (s *seeder) snapshotStats(ctx context.Context) error {
	for offset := -historyDays + 1; offset <= 0; offset++ {
		d := s.day(offset, 23, 0)
		if err := s.stores.Stats.SnapshotRoster(ctx, s.township.ID, nil, d, false); err != nil {
			return fmt.Errorf("statistics of %s: %w", d, err)
		}
	}
	return nil
}

func (s *seeder) createTownship(ctx context.Context) error {
	platform, err := s.svc.Users.Bootstrap(ctx, "platform", Password, "平台管理员")
	if err != nil {
		return fmt.Errorf("platform admin: %w", err)
	}
	s.platform = platform.Actor()
	s.township, err = s.svc.Townships.Create(ctx, platform.Actor(), domain.NewTownship{
		Name: "长山镇", Code: "371626102", Population: 73000, Timezone: "Asia/Shanghai",
		Zones: Zones, AdminUsername: "changshan", AdminPassword: Password, AdminName: "长山镇复工专班",
	})
	if err != nil {
		return fmt.Errorf("township: %w", err)
	}
	// Key areas the town watched in February 2020: Hubei province, Wuhan above all, and the
	// other cities with many cases that Shandong's workers came back from.
	areas := []domain.KeyArea{
		{RegionCode: "420000", RiskLevel: domain.RiskHigh},   // 湖北省
		{RegionCode: "420100", RiskLevel: domain.RiskHigh},   // 武汉市
		{RegionCode: "421000", RiskLevel: domain.RiskHigh},   // 荆州市
		{RegionCode: "330300", RiskLevel: domain.RiskMedium}, // 温州市
		{RegionCode: "411500", RiskLevel: domain.RiskMedium}, // 信阳市
		{RegionCode: "441300", RiskLevel: domain.RiskLow},    // 惠州市
	}
	if _, err := s.svc.Townships.Update(ctx, platform.Actor(), s.township.ID, domain.TownshipUpdate{KeyAreas: &areas}); err != nil {
		return fmt.Errorf("key areas: %w", err)
	}
	admins, _, err := s.svc.Users.List(ctx, domain.Actor{Role: domain.RoleTownAdmin, TownshipID: s.township.ID},
		domain.UserFilter{Role: domain.RoleTownAdmin})
	if err != nil || len(admins) == 0 {
		return fmt.Errorf("town admin: %v", err)
	}
	s.town = admins[0].Actor()
	return nil
}

// day moves the demo clock to hour:minute (Beijing time) of the day offset days before the
// history ends (0 is today, -1 yesterday), but never past the real now, and returns that day.
func (s *seeder) day(offset, hour, minute int) domain.Date {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d := domain.DateOf(s.end, loc).AddDays(offset)
	t := d.Time()
	s.clock.t = time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, loc)
	if s.clock.t.After(s.end) {
		// Today's morning, played just after midnight, has not come yet: what it does happens
		// now, so that nothing in the demo is dated after the real now (the audit log's newest
		// entry must be the next sign-in, whatever the hour of the start).
		s.clock.t = s.end
	}
	return d
}
