// Package demo fills an empty database with the demo township 长山镇 (Changshan, Zouping,
// Shandong), the town whose February 2020 platform Fugong reproduces: its 10 responsibility
// zones, a few dozen enterprises with plausible names and valid credit codes, and one account
// of each role. It goes through the domain services, so demo data obeys every rule real data
// does. Later capabilities add their data here.
package demo

import (
	"context"
	"fmt"

	"fugong/domain"
)

// Services are the domain services the demo is created through.
type Services struct {
	Townships   *domain.TownshipService
	Users       *domain.UserService
	Enterprises *domain.EnterpriseService
}

// Password is every demo account's password.
const Password = "demo1234"

// AccountsText is printed at start in demo mode and repeated in the README.
const AccountsText = `Demo accounts (password demo1234):
  platform     platform admin (平台管理员)
  changshan    town admin of 长山镇 (镇专班管理员)
  supervisor1  resident plant supervisor (驻厂监督员)
  hr1          HR of the first enterprise (企业人事)`

// Zones are Changshan's 10 responsibility zones (责任区), named after the town's seat and
// its larger villages.
var Zones = []string{
	"长山城区责任区", "范公责任区", "会仙责任区", "太平责任区", "大由责任区",
	"周家责任区", "颜家责任区", "孙家责任区", "东范责任区", "长白责任区",
}

// Seed creates the demo on a database without townships and reports whether it did; on any
// other database it changes nothing. Random choices use a fixed seed, so every demo is alike.
func Seed(ctx context.Context, s Services) (bool, error) {
	empty, err := isEmpty(ctx, s)
	if err != nil || !empty {
		return false, err
	}
	platform, err := s.Users.Bootstrap(ctx, "platform", Password, "平台管理员")
	if err != nil {
		return false, fmt.Errorf("platform admin: %w", err)
	}
	t, err := s.Townships.Create(ctx, platform.Actor(), domain.NewTownship{
		Name: "长山镇", Code: "371626102", Population: 73000, Timezone: "Asia/Shanghai",
		Zones: Zones, AdminUsername: "changshan", AdminPassword: Password, AdminName: "长山镇复工专班",
	})
	if err != nil {
		return false, fmt.Errorf("township: %w", err)
	}
	if err := setKeyAreas(ctx, s, platform.Actor(), t.ID); err != nil {
		return false, err
	}
	town := domain.Actor{Role: domain.RoleTownAdmin, TownshipID: t.ID}
	admin, _, err := s.Users.List(ctx, town, domain.UserFilter{Role: domain.RoleTownAdmin})
	if err != nil || len(admin) == 0 {
		return false, fmt.Errorf("town admin: %w", err)
	}
	town.UserID = admin[0].ID
	ents, err := createEnterprises(ctx, s, town)
	if err != nil {
		return false, err
	}
	if err := createStaff(ctx, s, town, ents); err != nil {
		return false, err
	}
	return true, nil
}

func isEmpty(ctx context.Context, s Services) (bool, error) {
	_, n, err := s.Townships.List(ctx, domain.Actor{Role: domain.RolePlatformAdmin}, domain.Page{Limit: 1})
	return n == 0, err
}

// setKeyAreas marks the areas the town watched in February 2020: Hubei province, Wuhan above
// all, and the other cities with many cases that Shandong's workers came back from.
func setKeyAreas(ctx context.Context, s Services, actor domain.Actor, townshipID int64) error {
	areas := []domain.KeyArea{
		{RegionCode: "420000", RiskLevel: domain.RiskHigh},   // 湖北省
		{RegionCode: "420100", RiskLevel: domain.RiskHigh},   // 武汉市
		{RegionCode: "421000", RiskLevel: domain.RiskHigh},   // 荆州市
		{RegionCode: "330300", RiskLevel: domain.RiskMedium}, // 温州市
		{RegionCode: "411500", RiskLevel: domain.RiskMedium}, // 信阳市
		{RegionCode: "441300", RiskLevel: domain.RiskLow},    // 惠州市
	}
	_, err := s.Townships.Update(ctx, actor, townshipID, domain.TownshipUpdate{KeyAreas: &areas})
	if err != nil {
		return fmt.Errorf("key areas: %w", err)
	}
	return nil
}
