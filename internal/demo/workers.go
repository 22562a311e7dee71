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
// enterprise's headcount, about 3,500 people in all, each in one of its shifts (sized by its
// plan) and, where the plan is approved, in its batches by the plan's counts. Enterprises that
// reopened have most of theirs back, on their batch's day, a few early and a few not come;
// others are still expecting them. HR confirmed the isolation warnings of the import (people
// from key areas placed in batches their isolation outlasts).
func (s *seeder) createWorkers(ctx context.Context) error {
	s.clock.t = s.end
	plans, err := s.stores.Plans.Latest(ctx, s.township.ID)
	if err != nil {
		return err
	}
	today := s.township.Today(s.end)
	phone := 0
	for i, e := range s.ents {
		n := e.Headcount * 45 / 100
		names, per, err := s.createShifts(ctx, e, n, shiftSize(plans[e.ID]))
		if err != nil {
			return err
		}
		batches, err := s.stores.Batches.ForEnterprise(ctx, e.ID)
		if err != nil {
			return err
		}
		rows := make([]domain.RosterRow, 0, n)
		for j := range n {
			phone++
			row := s.workerRow(j+2, stories[i], phone)
			row.Cells[domain.ColShiftGroup] = names[j/per]
			if b, ok := batchOf(batches, j, n); ok {
				s.placeInBatch(row, b, today)
			}
			rows = append(rows, row)
		}
		res, err := s.svc.Workers.ImportWith(ctx, s.hr[i], e.ID, domain.RosterRows(rows), domain.ImportOptions{ConfirmIsolation: true})
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

// batchOf is the batch the j-th of a roster's n workers comes back in: the plan's batches take
// their planned headcounts in turn. A roster shorter than the plan (HR has not listed everyone
// yet) is spread over the batches in their proportions; the people beyond the plan's count have
// no batch yet.
func batchOf(batches []domain.ReturnBatch, j, n int) (domain.ReturnBatch, bool) {
	planned := 0
	for _, b := range batches {
		planned += b.Planned
	}
	if n < planned {
		j = j * planned / n
	}
	for _, b := range batches {
		if j < b.Planned {
			return b, true
		}
		j -= b.Planned
	}
	return domain.ReturnBatch{}, false
}

// placeInBatch puts a worker's row in batch b, with an arrival that fits it: a batch still to
// come has nobody back but a few from key areas who came early to sit out their isolation; a
// batch whose day has passed came back that day or the next, but for one in 30 who came a few
// days early (提前返岗) and one in 40 who has not come (a no-show).
func (s *seeder) placeInBatch(row domain.RosterRow, b domain.ReturnBatch, today domain.Date) {
	row.Cells[domain.ColBatch] = strconv.Itoa(b.Number)
	switch {
	case b.Date.After(today):
		if !keyArea[row.Cells[domain.ColOriginRegion]] {
			delete(row.Cells, domain.ColArrivedOn)
		}
	case s.rng.IntN(40) == 0:
		delete(row.Cells, domain.ColArrivedOn)
	case s.rng.IntN(30) == 0:
		row.Cells[domain.ColArrivedOn] = b.Date.AddDays(-1 - s.rng.IntN(3)).String()
	default:
		back := b.Date.AddDays(s.rng.IntN(2))
		if back.After(today) {
			back = today
		}
		row.Cells[domain.ColArrivedOn] = back.String()
	}
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

// shiftNames name an enterprise's shifts (班组) in order, as Chinese plants count them; beyond
// the ten stems they are numbered.
var shiftNames = []string{"甲班", "乙班", "丙班", "丁班", "戊班", "己班", "庚班", "辛班", "壬班", "癸班"}

func shiftName(i int) string {
	if i < len(shiftNames) {
		return shiftNames[i]
	}
	return strconv.Itoa(i+1) + "班"
}

// shiftSize is the capacity of an enterprise's shifts: its plan's shift size (小班人数), or a
// small shift's 25 people while it has no plan that says.
func shiftSize(p domain.Plan) int {
	if p.ShiftSize > 0 {
		return p.ShiftSize
	}
	return 25
}

// The demo shifts' hours: day shifts at the same hours in their workshops, each eating at its
// own half hour so that the canteen never holds two shifts at once.
var mealTimes = [][2]string{{"11:00", "11:30"}, {"11:30", "12:00"}, {"12:00", "12:30"}, {"12:30", "13:00"}}

// createShifts gives an enterprise as many shifts of capacity size as its n people need, each
// filled to per people (two places under its capacity, which HR keeps for the people it adds
// later), and returns their names in order and per.
func (s *seeder) createShifts(ctx context.Context, e domain.Enterprise, n, size int) ([]string, int, error) {
	per := max(1, size-2)
	count := max(1, (n+per-1)/per)
	names := make([]string, 0, count)
	for i := range count {
		meal := mealTimes[i%len(mealTimes)]
		sh := domain.Shift{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: shiftName(i), Workshop: departments[i%3],
			Start: "08:00", End: "17:00", MealStart: meal[0], MealEnd: meal[1], Capacity: size}
		if err := s.stores.Shifts.Create(ctx, &sh); err != nil {
			return nil, 0, fmt.Errorf("shifts of %s: %w", e.Name, err)
		}
		names = append(names, sh.Name)
	}
	return names, per, nil
}
