package domain

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fugong/domain/region"
)

// Township is the tenant: one town government and everything it runs.
type Township struct {
	ID         int64
	Name       string
	Code       string // administrative division code, 6 to 12 digits
	Population int
	Timezone   string // IANA name; check-in dates are local dates of this zone
	Policy     Policy
	// PurgedBefore is the day before which the retention removed check-ins and alerts; zero
	// while it never ran. The daily statistics of those days stay as they were then.
	PurgedBefore Date
	KeyAreas     []KeyArea
	Zones        []Zone
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Policy is what a township decides about health checks and isolation.
type Policy struct {
	FeverThreshold float64 // °C; a reading at or above it is a fever
	IsolationDays  int
	CutoffAM       string // "HH:MM" local time after which a missing morning check-in is overdue
	CutoffPM       string
	// IsolationLevels are the risk levels whose workers isolate on arrival.
	IsolationLevels []RiskLevel
	// RetentionDays is how long personal data is kept: check-ins and alerts older than that,
	// and the files of workers who left longer ago, are removed (`fugong retention run`).
	RetentionDays int
	// PassRules colour the return-to-work pass (复工码); nil or missing conditions take
	// DefaultPassRules.
	PassRules PassRules
	// SpotCheckPercent is the share of their enterprises' on-duty workers each supervisor's
	// daily spot-check sample holds (1–100).
	SpotCheckPercent int
	// RemindMinutes is how long before each slot's cut-off the enterprise groups are told who
	// has not reported yet (0: no reminder); SummaryAt ("HH:MM" local, "" for none) is when the
	// township's groups get the morning summary. Issue 20.
	RemindMinutes int
	SummaryAt     string
	// FeverAdvice is what a worker is told on the phone the moment their reading is a fever or
	// they report symptoms (issue 21): stop work, tell the enterprise's contact (whose name and
	// phone the page shows beside it), go to the nearest fever clinic. The town words it.
	FeverAdvice string
}

// DefaultFeverAdvice is the fever advice every township starts with, which a town may keep
// (migration 00022 gives it to the townships of before).
const DefaultFeverAdvice = "请立即停止工作，佩戴口罩，告知企业联系人，前往就近的发热门诊就诊，途中避免乘坐公共交通。"

// MaxFeverAdvice is the longest fever advice, in characters: what a phone shows in one screen.
const MaxFeverAdvice = 300

// DefaultPolicy is what a new township starts with (the national guidance of February 2020).
var DefaultPolicy = Policy{
	FeverThreshold: 37.3, IsolationDays: 14, CutoffAM: "10:00", CutoffPM: "16:00",
	IsolationLevels: []RiskLevel{RiskHigh, RiskMedium},
	// Half a year: long enough to answer for the epidemic's months afterwards, short enough
	// that a town does not keep its people's health records for good (DESIGN.md names none).
	RetentionDays: 180,
	// A tenth: a supervisor with three plants of a hundred people checks about thirty a day,
	// what one morning at the gates allows.
	SpotCheckPercent: 10, RemindMinutes: 30, SummaryAt: "08:30", FeverAdvice: DefaultFeverAdvice,
}

// MaxRemindMinutes is the longest a reminder may come before a cut-off: three hours.
const MaxRemindMinutes = 180

// Retention days allowed: a month at least (the 14-day trend and the isolation rules look
// back less than that), ten years at most.
const (
	MinRetentionDays = 30
	MaxRetentionDays = 3650
)

// RiskLevel grades an epidemic area, and a worker's risk.
type RiskLevel string

// The risk levels, highest first.
const (
	RiskHigh   RiskLevel = "high"
	RiskMedium RiskLevel = "medium"
	RiskLow    RiskLevel = "low"
)

// Valid reports whether r is a known level.
func (r RiskLevel) Valid() bool { return r == RiskHigh || r == RiskMedium || r == RiskLow }

// KeyArea is a region the township treats as a key epidemic area (重点地区).
type KeyArea struct {
	RegionCode string // GB/T 2260 code of a province, city or county
	RiskLevel  RiskLevel
}

// Zone is a responsibility zone (责任区) of a township; each enterprise belongs to one.
type Zone struct {
	ID          int64
	Name        string
	Enterprises int // how many enterprises are in it, filled on reads
}

// ZoneNamed returns the zone called name, if the township has it.
func (t Township) ZoneNamed(name string) (Zone, bool) {
	for _, z := range t.Zones {
		if z.Name == name {
			return z, true
		}
	}
	return Zone{}, false
}

// TownshipStore keeps townships with their zones and key areas.
type TownshipStore interface {
	// Create inserts t with its zones and key areas and sets their IDs.
	// ErrConflict if the code is taken.
	Create(ctx context.Context, t *Township) error
	// Get returns one township with zones and key areas. ErrNotFound.
	Get(ctx context.Context, id int64) (Township, error)
	// List returns a page of townships by ID, with zones and key areas, and how many
	// there are in all.
	List(ctx context.Context, page Page) ([]Township, int, error)
	// Update saves the scalar fields and policy, replaces the key areas, and makes the zones
	// those of t: zones with an ID are renamed, new ones inserted, missing ones deleted.
	// ErrConflict if a deleted zone still has enterprises.
	Update(ctx context.Context, t Township) error
}

// NewTownship is what a platform admin gives to open a township, with its first town admin.
type NewTownship struct {
	Name          string
	Code          string
	Population    int
	Timezone      string
	Zones         []string
	AdminUsername string
	AdminPassword string
	AdminName     string
}

// TownshipUpdate changes the fields that are set.
type TownshipUpdate struct {
	Name            *string
	Population      *int
	Timezone        *string
	FeverThreshold  *float64
	IsolationDays   *int
	CutoffAM        *string
	CutoffPM        *string
	IsolationLevels *[]RiskLevel
	RetentionDays   *int
	// PassRules sets the colour of the conditions it names (condition → colour, as the API
	// sends them); the others keep theirs.
	PassRules        map[string]string
	SpotCheckPercent *int
	RemindMinutes    *int
	SummaryAt        *string
	FeverAdvice      *string
	KeyAreas         *[]KeyArea
	Zones            *[]string // the full list of zone names, in order
}

var (
	divisionCodeRe = regexp.MustCompile(`^[0-9]{6}([0-9]{3}([0-9]{3})?)?$`)
	regionCodeRe   = regexp.MustCompile(`^[1-8][0-9]{5}$`)
	clockRe        = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// TownshipService opens townships and keeps their policy.
type TownshipService struct {
	townships TownshipStore
	users     *UserService
	rosters   *WorkerService // re-evaluates workers when key areas or isolation policy change
	audits    AuditStore
	tx        TxRunner
	clock     Clock
	changes   Notifier
}

func (s *TownshipService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// Create opens a township and creates its first town admin, in one transaction. Only platform
// admins may. ErrForbidden, ErrInvalid, ErrConflict (code or username taken).
func (s *TownshipService) Create(ctx context.Context, actor Actor, in NewTownship) (Township, error) {
	if !actor.Is(RolePlatformAdmin) {
		return Township{}, Forbidden("只有平台管理员可以开通乡镇")
	}
	t := Township{
		Name: Clean(in.Name), Code: Clean(in.Code), Population: in.Population,
		Timezone: Clean(in.Timezone), Policy: DefaultPolicy,
	}
	if t.Timezone == "" {
		t.Timezone = "Asia/Shanghai"
	}
	var p Problems
	checkTownship(&p, t)
	zones := checkZones(&p, in.Zones)
	for _, z := range zones {
		t.Zones = append(t.Zones, Zone{Name: z})
	}
	admin := NewUser{
		Username: in.AdminUsername, Password: in.AdminPassword, Name: in.AdminName,
		Role: RoleTownAdmin,
	}
	if Clean(admin.Name) == "" {
		admin.Name = t.Name + "管理员"
	}
	checkNewUserFields(&p, &admin, "admin_")
	if err := p.Err(); err != nil {
		return Township{}, err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.townships.Create(ctx, &t); err != nil {
			return conflictField(err, "code", "该区划代码的乡镇已开通")
		}
		admin.TownshipID = t.ID
		u, err := s.users.create(ctx, admin, "admin_")
		if err != nil {
			return err
		}
		return s.audit().record(ctx, actor, t.ID, 0, "township.create", "township", t.ID,
			"开通 "+t.Name+"("+t.Code+"),管理员账号 "+u.Username)
	})
	if err != nil {
		return Township{}, err
	}
	return s.townships.Get(ctx, t.ID)
}

// Get returns a township to a platform admin or one of its town admins. ErrNotFound for any
// other township; ErrForbidden for other roles.
func (s *TownshipService) Get(ctx context.Context, actor Actor, id int64) (Township, error) {
	if err := canManageTownship(actor, id); err != nil {
		return Township{}, err
	}
	return s.townships.Get(ctx, id)
}

// Policy returns the rules of the actor's own township, which every member of it may read
// (the screens mark readings by its fever threshold), though only its town admin reads the
// rest of its settings. ErrNotFound for an actor of no township (a platform admin).
func (s *TownshipService) Policy(ctx context.Context, actor Actor) (Policy, error) {
	if actor.TownshipID == 0 {
		return Policy{}, NotFound("乡镇")
	}
	t, err := s.townships.Get(ctx, actor.TownshipID)
	if err != nil {
		return Policy{}, err
	}
	return t.Policy, nil
}

// List returns all townships to a platform admin. ErrForbidden.
func (s *TownshipService) List(ctx context.Context, actor Actor, page Page) ([]Township, int, error) {
	if !actor.Is(RolePlatformAdmin) {
		return nil, 0, Forbidden("只有平台管理员可以查看乡镇列表")
	}
	return s.townships.List(ctx, page.Normalize())
}

// Update changes a township's details, policy, key areas and zones. ErrNotFound, ErrForbidden,
// ErrInvalid, ErrConflict (a removed zone still has enterprises).
func (s *TownshipService) Update(ctx context.Context, actor Actor, id int64, u TownshipUpdate) (Township, error) {
	if err := canManageTownship(actor, id); err != nil {
		return Township{}, err
	}
	var out Township
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		t, err := s.townships.Get(ctx, id)
		if err != nil {
			return err
		}
		before := t
		if err := applyTownshipUpdate(&t, u); err != nil {
			return err
		}
		if err := s.townships.Update(ctx, t); err != nil {
			return conflictField(err, "zones", "要删除的责任区下还有企业,请先调整这些企业的责任区")
		}
		if u.KeyAreas != nil || u.IsolationDays != nil || u.IsolationLevels != nil {
			if _, err := s.rosters.Reevaluate(ctx, t); err != nil {
				return err
			}
		}
		if err := s.audit().record(ctx, actor, id, 0, "township.update", "township", id, townshipChange(before, t)); err != nil {
			return err
		}
		out, err = s.townships.Get(ctx, id)
		return err
	})
	if err == nil {
		notify(s.changes, Change{TownshipID: id, Kind: ChangeTownship})
	}
	return out, err
}

// townshipChange says what an update changed: the policy with its values (they are the
// township's rules, no one's data), the rest by name.
func townshipChange(old, new Township) string {
	deg := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
	str := func(s string) string { return s }
	levels := func(ls []RiskLevel) string { return joinRisk(ls) }
	areas := func(as []KeyArea) string {
		var b strings.Builder
		for _, a := range as {
			b.WriteString(a.RegionCode + ":" + string(a.RiskLevel) + ",")
		}
		return b.String()
	}
	zones := func(zs []Zone) string {
		var b strings.Builder
		for _, z := range zs {
			b.WriteString(z.Name + ",")
		}
		return b.String()
	}
	return sentences(
		fromTo("发热标准", old.Policy.FeverThreshold, new.Policy.FeverThreshold, deg),
		fromTo("隔离天数", old.Policy.IsolationDays, new.Policy.IsolationDays, strconv.Itoa),
		fromTo("上午截止", old.Policy.CutoffAM, new.Policy.CutoffAM, str),
		fromTo("下午截止", old.Policy.CutoffPM, new.Policy.CutoffPM, str),
		fromTo("隔离等级", levels(old.Policy.IsolationLevels), levels(new.Policy.IsolationLevels), str),
		fromTo("个人信息保留天数", old.Policy.RetentionDays, new.Policy.RetentionDays, strconv.Itoa),
		fromTo("复工码规则", old.Policy.PassRules.String(), new.Policy.PassRules.String(), str),
		fromTo("每日抽查比例", old.Policy.SpotCheckPercent, new.Policy.SpotCheckPercent, strconv.Itoa),
		fromTo("截止前提醒(分钟)", old.Policy.RemindMinutes, new.Policy.RemindMinutes, strconv.Itoa),
		fromTo("每日早报时间", old.Policy.SummaryAt, new.Policy.SummaryAt, str),
		fields(
			labelIf(old.Policy.FeverAdvice != new.Policy.FeverAdvice, "发热处置提示"),
			labelIf(old.Name != new.Name, "名称"), labelIf(old.Population != new.Population, "人口"),
			labelIf(old.Timezone != new.Timezone, "时区"),
			labelIf(areas(old.KeyAreas) != areas(new.KeyAreas), "重点地区(共 "+strconv.Itoa(len(new.KeyAreas))+" 个)"),
			labelIf(zones(old.Zones) != zones(new.Zones), "责任区(共 "+strconv.Itoa(len(new.Zones))+" 个)"),
		),
	)
}

func joinRisk(ls []RiskLevel) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, string(l))
	}
	return strings.Join(parts, ",")
}

func canManageTownship(actor Actor, id int64) error {
	if !actor.Is(RolePlatformAdmin, RoleTownAdmin) {
		return Forbidden("无权查看乡镇设置")
	}
	if !actor.InTownship(id) {
		return NotFound("乡镇")
	}
	return nil
}

func applyTownshipUpdate(t *Township, u TownshipUpdate) error {
	set(&t.Name, u.Name, Clean)
	set(&t.Population, u.Population, nil)
	set(&t.Timezone, u.Timezone, Clean)
	set(&t.Policy.FeverThreshold, u.FeverThreshold, nil)
	set(&t.Policy.IsolationDays, u.IsolationDays, nil)
	set(&t.Policy.CutoffAM, u.CutoffAM, Clean)
	set(&t.Policy.CutoffPM, u.CutoffPM, Clean)
	set(&t.Policy.IsolationLevels, u.IsolationLevels, nil)
	set(&t.Policy.RetentionDays, u.RetentionDays, nil)
	set(&t.Policy.SpotCheckPercent, u.SpotCheckPercent, nil)
	set(&t.Policy.RemindMinutes, u.RemindMinutes, nil)
	set(&t.Policy.SummaryAt, u.SummaryAt, Clean)
	set(&t.Policy.FeverAdvice, u.FeverAdvice, Clean)
	var p Problems
	if u.PassRules != nil {
		t.Policy.PassRules = mergePassRules(&p, t.Policy.PassRules, u.PassRules)
	}
	checkTownship(&p, *t)
	checkPolicy(&p, t.Policy)
	if u.KeyAreas != nil {
		t.KeyAreas = checkKeyAreas(&p, *u.KeyAreas)
	}
	if u.Zones != nil {
		t.Zones = mergeZones(t.Zones, checkZones(&p, *u.Zones))
	}
	return p.Err()
}

// set copies *from into *to when from is set, cleaning it on the way if clean is given.
func set[T any](to *T, from *T, clean func(T) T) {
	if from == nil {
		return
	}
	v := *from
	if clean != nil {
		v = clean(v)
	}
	*to = v
}

// mergeZones keeps the IDs of zones whose names stay, so that their enterprises stay with them.
func mergeZones(old []Zone, names []string) []Zone {
	byName := map[string]Zone{}
	for _, z := range old {
		byName[z.Name] = z
	}
	out := make([]Zone, 0, len(names))
	for _, n := range names {
		z, ok := byName[n]
		if !ok {
			z = Zone{Name: n}
		}
		out = append(out, z)
	}
	return out
}

func checkTownship(p *Problems, t Township) {
	checkText(p, "name", "乡镇名称", t.Name, 2, 40)
	if !divisionCodeRe.MatchString(t.Code) {
		p.Add("code", "区划代码应为 6、9 或 12 位数字")
	}
	if t.Population < 0 || t.Population > 10_000_000 {
		p.Add("population", "人口数应在 0 到 10,000,000 之间")
	}
	if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "" {
		p.Add("timezone", "时区无效,例如 Asia/Shanghai")
	}
}

func checkPolicy(p *Problems, pol Policy) {
	if pol.FeverThreshold < 37.0 || pol.FeverThreshold > 38.5 {
		p.Add("fever_threshold", "发热标准应在 37.0 到 38.5 °C 之间")
	}
	if pol.IsolationDays < 1 || pol.IsolationDays > 28 {
		p.Add("isolation_days", "隔离天数应在 1 到 28 天之间")
	}
	if !clockRe.MatchString(pol.CutoffAM) {
		p.Add("checkin_cutoff_am", "时间格式应为 HH:MM,例如 10:00")
	}
	if !clockRe.MatchString(pol.CutoffPM) {
		p.Add("checkin_cutoff_pm", "时间格式应为 HH:MM,例如 16:00")
	} else if clockRe.MatchString(pol.CutoffAM) && pol.CutoffPM <= pol.CutoffAM {
		p.Add("checkin_cutoff_pm", "下午截止时间应晚于上午截止时间")
	}
	if pol.RetentionDays < MinRetentionDays || pol.RetentionDays > MaxRetentionDays {
		p.Add("retention_days", "个人信息保留天数应在 30 到 3650 天之间")
	}
	if pol.SpotCheckPercent < 1 || pol.SpotCheckPercent > 100 {
		p.Add("spot_check_percent", "每日抽查比例应在 1% 到 100% 之间")
	}
	if pol.RemindMinutes < 0 || pol.RemindMinutes > MaxRemindMinutes {
		p.Add("remind_minutes", "截止前提醒应在 0 到 180 分钟之间（0 为不提醒）")
	}
	if pol.SummaryAt != "" && !clockRe.MatchString(pol.SummaryAt) {
		p.Add("summary_at", "时间格式应为 HH:MM,例如 08:30；留空为不发早报")
	}
	checkText(p, "fever_advice", "发热处置提示", pol.FeverAdvice, 1, MaxFeverAdvice)
	seen := map[RiskLevel]bool{}
	for _, l := range pol.IsolationLevels {
		if !l.Valid() || seen[l] {
			p.Add("isolation_levels", "隔离风险等级应为 high、medium、low 中的不重复值")
			break
		}
		seen[l] = true
	}
}

// mergePassRules sets the colours of in over old, naming each unknown condition or colour.
func mergePassRules(p *Problems, old PassRules, in map[string]string) PassRules {
	out := old.Full()
	for c, col := range in {
		switch {
		case !PassCondition(c).Valid():
			p.Add("pass_rules."+c, "未知的复工码条件 "+c)
		case !PassColor(col).Valid():
			p.Add("pass_rules."+c, "颜色应为 green、yellow 或 red")
		default:
			out[PassCondition(c)] = PassColor(col)
		}
	}
	return out
}

func checkKeyAreas(p *Problems, in []KeyArea) []KeyArea {
	seen := map[string]bool{}
	out := make([]KeyArea, 0, len(in))
	for i, a := range in {
		field := "key_areas[" + strconv.Itoa(i) + "]"
		a.RegionCode = Clean(a.RegionCode)
		switch {
		case !regionCodeRe.MatchString(a.RegionCode):
			p.Add(field+".region_code", "地区代码应为 6 位行政区划代码")
		case !region.Known(a.RegionCode):
			// A mistyped code would match no worker's origin: the area would be watched in
			// name only.
			p.Add(field+".region_code", "没有代码为 "+a.RegionCode+" 的地区,请核对(可在职工登记的来源地中搜索代码)")
		case seen[a.RegionCode]:
			p.Add(field+".region_code", "地区 "+a.RegionCode+" 重复")
		}
		if !a.RiskLevel.Valid() {
			p.Add(field+".risk_level", "风险等级应为 high、medium 或 low")
		}
		seen[a.RegionCode] = true
		out = append(out, a)
	}
	if len(out) > 500 {
		p.Add("key_areas", "重点地区最多 500 个")
	}
	return out
}

func checkZones(p *Problems, in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for i, n := range in {
		n = Clean(n)
		field := "zones[" + strconv.Itoa(i) + "]"
		checkText(p, field, "责任区名称", n, 1, 30)
		if seen[n] {
			p.Add(field, "责任区 "+n+" 重复")
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) > 100 {
		p.Add("zones", "责任区最多 100 个")
	}
	return out
}

// conflictField turns an ErrConflict from a store into one that names field; other errors
// pass through unchanged.
func conflictField(err error, field, msg string) error {
	if errors.Is(err, ErrConflict) {
		return Conflict(msg, FieldError{Field: field, Message: msg})
	}
	return err
}

// eachTownship calls fn for every township.
func eachTownship(ctx context.Context, store TownshipStore, fn func(Township) error) error {
	for page := (Page{Limit: MaxPageSize}); ; page.Offset += MaxPageSize {
		ts, total, err := store.List(ctx, page)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if err := fn(t); err != nil {
				return err
			}
		}
		if page.Offset+len(ts) >= total || len(ts) == 0 {
			return nil
		}
	}
}
