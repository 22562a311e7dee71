package domain_test

import (
	"testing"

	"fugong/domain"
)

// keyAreaTownship has key areas at every level: Hubei province high but one Wuhan district
// (江岸区) medium and the city of Yichang low inside it; Shanghai medium but Pudong high;
// Beijing low.
var keyAreaTownship = domain.Township{
	Name: "长山镇", Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy,
	KeyAreas: []domain.KeyArea{
		{RegionCode: "420000", RiskLevel: domain.RiskHigh},
		{RegionCode: "420102", RiskLevel: domain.RiskMedium},
		{RegionCode: "420500", RiskLevel: domain.RiskLow},
		{RegionCode: "310115", RiskLevel: domain.RiskHigh},
		{RegionCode: "310000", RiskLevel: domain.RiskMedium},
		{RegionCode: "110000", RiskLevel: domain.RiskLow},
	},
}

func TestTownshipAssess(t *testing.T) {
	tests := []struct {
		name       string
		w          domain.Worker
		wantLevel  domain.RiskLevel
		wantReason string
	}{
		{name: "HighProvinceContainsCity", w: domain.Worker{OriginRegion: "420100"},
			wantLevel: domain.RiskHigh, wantReason: "来自高风险地区 湖北省武汉市"},
		{name: "HighProvinceContainsCounty", w: domain.Worker{OriginRegion: "420103"},
			wantLevel: domain.RiskHigh, wantReason: "来自高风险地区 湖北省武汉市江汉区"},
		{name: "HighProvinceItself", w: domain.Worker{OriginRegion: "420000"},
			wantLevel: domain.RiskHigh, wantReason: "来自高风险地区 湖北省"},
		{name: "HighAreaBeforeContact", w: domain.Worker{OriginRegion: "420100", ContactHistory: true},
			wantLevel: domain.RiskHigh, wantReason: "来自高风险地区 湖北省武汉市"},
		{name: "ContactHistory", w: domain.Worker{OriginRegion: "371681", ContactHistory: true},
			wantLevel: domain.RiskHigh, wantReason: "与确诊或疑似病例有接触史"},
		{name: "ContactHistoryFromMediumArea", w: domain.Worker{OriginRegion: "310104", ContactHistory: true, KeyAreaExposure: true},
			wantLevel: domain.RiskHigh, wantReason: "与确诊或疑似病例有接触史"},
		{name: "ContactHistoryNoOrigin", w: domain.Worker{ContactHistory: true},
			wantLevel: domain.RiskHigh, wantReason: "与确诊或疑似病例有接触史"},
		{name: "MediumArea", w: domain.Worker{OriginRegion: "310104"},
			wantLevel: domain.RiskMedium, wantReason: "来自中风险地区 上海市徐汇区"},
		{name: "MediumAreaBeforeExposure", w: domain.Worker{OriginRegion: "310000", KeyAreaExposure: true},
			wantLevel: domain.RiskMedium, wantReason: "来自中风险地区 上海市"},
		{name: "MostSpecificMediumCountyInHighProvince", w: domain.Worker{OriginRegion: "420102"},
			wantLevel: domain.RiskMedium, wantReason: "来自中风险地区 湖北省武汉市江岸区"},
		{name: "MostSpecificLowCityInHighProvince", w: domain.Worker{OriginRegion: "420502"},
			wantLevel: domain.RiskLow, wantReason: "来自低风险地区 湖北省宜昌市西陵区"},
		{name: "MostSpecificHighCountyInMediumCity", w: domain.Worker{OriginRegion: "310115"},
			wantLevel: domain.RiskHigh, wantReason: "来自高风险地区 上海市浦东新区"},
		{name: "KeyAreaExposure", w: domain.Worker{OriginRegion: "371681", KeyAreaExposure: true},
			wantLevel: domain.RiskMedium, wantReason: "14 天内到过重点地区"},
		{name: "KeyAreaExposureFromLowArea", w: domain.Worker{OriginRegion: "110101", KeyAreaExposure: true},
			wantLevel: domain.RiskMedium, wantReason: "14 天内到过重点地区"},
		{name: "LowArea", w: domain.Worker{OriginRegion: "110101"},
			wantLevel: domain.RiskLow, wantReason: "来自低风险地区 北京市东城区"},
		{name: "LowAreaOtherProvinceSameDigits", w: domain.Worker{OriginRegion: "120101"},
			wantLevel: domain.RiskLow, wantReason: "无重点地区旅居史和接触史"},
		{name: "NoneLocal", w: domain.Worker{OriginRegion: "371681"},
			wantLevel: domain.RiskLow, wantReason: "无重点地区旅居史和接触史"},
		{name: "NoneNoOrigin", w: domain.Worker{},
			wantLevel: domain.RiskLow, wantReason: "无重点地区旅居史和接触史"},
		{name: "NeighbourOfHighProvince", w: domain.Worker{OriginRegion: "430100"},
			wantLevel: domain.RiskLow, wantReason: "无重点地区旅居史和接触史"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level, reason := keyAreaTownship.Assess(tt.w)
			if level != tt.wantLevel || reason != tt.wantReason {
				t.Fatalf("got %s %q, want %s %q", level, reason, tt.wantLevel, tt.wantReason)
			}
		})
	}
	t.Run("NoKeyAreas", func(t *testing.T) {
		tw := keyAreaTownship
		tw.KeyAreas = nil
		for _, w := range []domain.Worker{{OriginRegion: "420100"}, {OriginRegion: "310115"}} {
			if level, reason := tw.Assess(w); level != domain.RiskLow || reason != "无重点地区旅居史和接触史" {
				t.Errorf("%s: got %s %q, want low: a township without key areas restricts no origin", w.OriginRegion, level, reason)
			}
		}
	})
	t.Run("OrderOfKeyAreasDoesNotMatter", func(t *testing.T) {
		tw := keyAreaTownship
		tw.KeyAreas = append([]domain.KeyArea(nil), keyAreaTownship.KeyAreas...)
		for i, j := 0, len(tw.KeyAreas)-1; i < j; i, j = i+1, j-1 {
			tw.KeyAreas[i], tw.KeyAreas[j] = tw.KeyAreas[j], tw.KeyAreas[i]
		}
		for _, code := range []string{"420102", "420103", "420502", "310115", "310104"} {
			w := domain.Worker{OriginRegion: code}
			gotLevel, gotReason := tw.Assess(w)
			wantLevel, wantReason := keyAreaTownship.Assess(w)
			if gotLevel != wantLevel || gotReason != wantReason {
				t.Errorf("%s: got %s %q reversed, want %s %q", code, gotLevel, gotReason, wantLevel, wantReason)
			}
		}
	})
}

func TestTownshipMustIsolate(t *testing.T) {
	levels := func(l ...domain.RiskLevel) []domain.RiskLevel { return l }
	tests := []struct {
		name                          string
		levels                        []domain.RiskLevel
		wantHigh, wantMedium, wantLow bool
	}{
		{name: "Default", levels: domain.DefaultPolicy.IsolationLevels, wantHigh: true, wantMedium: true},
		{name: "HighOnly", levels: levels(domain.RiskHigh), wantHigh: true},
		{name: "All", levels: levels(domain.RiskLow, domain.RiskMedium, domain.RiskHigh), wantHigh: true, wantMedium: true, wantLow: true},
		{name: "MediumOnly", levels: levels(domain.RiskMedium), wantMedium: true},
		{name: "None", levels: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := domain.Township{Policy: domain.Policy{IsolationDays: 14, IsolationLevels: tt.levels}}
			for level, want := range map[domain.RiskLevel]bool{
				domain.RiskHigh: tt.wantHigh, domain.RiskMedium: tt.wantMedium, domain.RiskLow: tt.wantLow, "": false, "severe": false,
			} {
				if got := tw.MustIsolate(level); got != want {
					t.Errorf("MustIsolate(%q) with %v: got %v, want %v", level, tt.levels, got, want)
				}
			}
		})
	}
}
