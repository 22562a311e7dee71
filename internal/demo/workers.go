package demo

import (
	"context"
	"fmt"
	"strconv"

	"fugong/domain"
)

// Where the demo's workers come back from: most from around Zouping, some from other
// provinces' labour-exporting cities, a few from the key areas of February 2020.
var origins = []struct {
	code   string
	weight int
}{
	{"371681", 40}, {"371600", 14}, {"370300", 6}, {"370100", 5}, {"371400", 4}, // local and Shandong
	{"410100", 4}, {"411300", 3}, {"341200", 3}, {"130600", 2}, {"510100", 2}, {"520100", 2}, {"220100", 1},
	{"420100", 2}, {"421000", 1}, {"330300", 1}, {"411500", 1}, {"441300", 1}, // key areas
}

var (
	surnames    = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
	givenNames  = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "海燕", "志强", "晓东", "春梅", "玉兰", "国庆", "红梅", "立新", "文斌"}
	departments = []string{"生产一车间", "生产二车间", "包装车间", "仓储物流", "质检部", "设备维修", "行政后勤"}
	transports  = []string{"自驾", "火车", "长途汽车", "自驾", "自驾", "飞机"}
)

// createWorkers fills every roster through the same import HR uses: nearly half of each
// enterprise's headcount, about 3,500 people in all. Enterprises that reopened have most of
// theirs back; others are still expecting them.
func (s *seeder) createWorkers(ctx context.Context) error {
	s.clock.t = s.end
	phone := 0
	for i, e := range s.ents {
		n := e.Headcount * 45 / 100
		if err := s.createShifts(ctx, e, n); err != nil {
			return err
		}
		rows := make([]domain.RosterRow, 0, n)
		for j := range n {
			phone++
			rows = append(rows, s.workerRow(j+2, stories[i], phone))
		}
		res, err := s.svc.Workers.Import(ctx, s.hr[i], e.ID, rows, false)
		if err != nil {
			return fmt.Errorf("roster of %s: %w", e.Name, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("roster of %s: %v", e.Name, res.Errors[0])
		}
		if err := s.release(ctx, s.hr[i], e.ID); err != nil {
			return err
		}
	}
	return nil
}

// workerRow makes one plausible worker: a valid ID number of someone born 1965–2002, a phone
// number from the clearly fictitious 1380000xxxx range, and a return date that fits the
// enterprise's story.
func (s *seeder) workerRow(row int, st story, n int) domain.RosterRow {
	origin := s.origin()
	household := origin
	if s.rng.IntN(3) > 0 {
		household = "371626" // born in Zouping county, whose code the ID keeps
	}
	cells := map[string]string{
		domain.ColName:         string(surnames[s.rng.IntN(len(surnames))]) + givenNames[s.rng.IntN(len(givenNames))],
		domain.ColIDNumber:     s.idNumber(household),
		domain.ColPhone:        "1380000" + fmt.Sprintf("%04d", n%10000),
		domain.ColDepartment:   departments[s.rng.IntN(len(departments))],
		domain.ColShiftGroup:   shiftNames[s.rng.IntN(len(shiftNames))],
		domain.ColOriginRegion: origin,
		domain.ColTransport:    transports[s.rng.IntN(len(transports))],
	}
	if s.rng.IntN(40) == 0 {
		cells[domain.ColKeyAreaExposure] = "是"
	}
	// People come back when their plant reopens; those from key areas came back early to sit
	// out their isolation first (recently: a plant that has not reopened has nobody at work).
	back := st >= reopened || (st == approved && s.rng.IntN(2) == 0)
	switch {
	case back:
		cells[domain.ColArrivedOn] = s.day(-1-s.rng.IntN(20), 0, 0).String()
	case keyArea[origin] && s.rng.IntN(2) == 0:
		cells[domain.ColArrivedOn] = s.day(-1-s.rng.IntN(10), 0, 0).String()
	}
	s.clock.t = s.end
	return domain.RosterRow{Row: row, Cells: cells}
}

// keyArea marks the origins inside the demo township's key areas.
var keyArea = map[string]bool{"420100": true, "421000": true, "330300": true, "411500": true, "441300": true}

func (s *seeder) origin() string {
	total := 0
	for _, o := range origins {
		total += o.weight
	}
	n := s.rng.IntN(total)
	for _, o := range origins {
		if n -= o.weight; n < 0 {
			return o.code
		}
	}
	return origins[0].code
}

// idNumber makes a valid 18-character ID number issued in region.
func (s *seeder) idNumber(region string) string {
	birth := domain.NewDate(1965, 1, 1).AddDays(s.rng.IntN(37 * 365))
	first17 := region + birth.Time().Format("20060102") + fmt.Sprintf("%03d", s.rng.IntN(1000))
	return first17 + string(domain.IDCheckChar(first17))
}

// release puts on duty most of the workers whose isolation is over, as HR does once the
// health station releases them; a few are left for HR to do in the demo.
func (s *seeder) release(ctx context.Context, hr domain.Actor, enterpriseID int64) error {
	ws, _, today, err := s.svc.Workers.List(ctx, hr, enterpriseID, domain.WorkerFilter{Status: domain.WorkerIsolating, Page: domain.Page{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	onDuty := domain.WorkerOnDuty
	for k, w := range ws {
		if w.IsolationUntil.After(today) || k%4 == 3 {
			continue
		}
		if _, _, err := s.svc.Workers.Update(ctx, hr, w.ID, domain.WorkerUpdate{Status: &onDuty}); err != nil {
			return fmt.Errorf("release worker %s: %w", strconv.FormatInt(w.ID, 10), err)
		}
	}
	return nil
}

// shiftNames are the demo's shifts (班组), which the roster rows name.
var shiftNames = []string{"甲班", "乙班", "丙班"}

// createShifts gives an enterprise the three shifts its roster names, each large enough for a
// third of its n people and some.
func (s *seeder) createShifts(ctx context.Context, e domain.Enterprise, n int) error {
	for _, name := range shiftNames {
		sh := domain.Shift{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: name, Capacity: n/2 + 10}
		if err := s.stores.Shifts.Create(ctx, &sh); err != nil {
			return fmt.Errorf("shifts of %s: %w", e.Name, err)
		}
	}
	return nil
}
