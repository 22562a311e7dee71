package domain

// The roster's spreadsheet columns, by key. A workbook names them by their Chinese header
// (RosterColumn.Header, or one of its Aliases), in any order; the keys are also the API's
// field names.
const (
	ColName            = "name"
	ColIDNumber        = "id_number"
	ColPhone           = "phone"
	ColDepartment      = "department"
	ColShiftGroup      = "shift_group"
	ColBatch           = "batch"
	ColOriginRegion    = "origin_region"
	ColArrivedOn       = "arrived_on"
	ColTransport       = "transport"
	ColKeyAreaExposure = "key_area_exposure"
	ColContactHistory  = "contact_history"
	ColIsolationPlace  = "isolation_place"
)

// RosterColumn describes one column of the roster template.
type RosterColumn struct {
	Key      string
	Header   string   // as the template writes it
	Aliases  []string // other headers HR's own sheets use for it
	Required bool
	Choices  []string // for a drop-down list; empty for free text
	Example  string
	Width    float64
	Hint     string // a comment on the header cell
}

// RosterColumns is the template's layout, in order.
var RosterColumns = []RosterColumn{
	{Key: ColName, Header: "姓名", Aliases: []string{"职工姓名", "名字"}, Required: true, Example: "张三", Width: 10},
	{Key: ColIDNumber, Header: "身份证号", Aliases: []string{"身份证号码", "证件号码", "身份证"}, Required: true,
		Example: "371626199001011234", Width: 22, Hint: "18 位,本列为文本格式,请勿改成数字"},
	{Key: ColPhone, Header: "手机号", Aliases: []string{"手机号码", "联系电话", "电话", "手机"}, Required: true,
		Example: "13800000000", Width: 14},
	{Key: ColDepartment, Header: "部门", Aliases: []string{"车间", "所在部门"}, Example: "织造车间", Width: 12},
	{Key: ColShiftGroup, Header: "班组", Aliases: []string{"班次", "小组"}, Example: "甲班", Width: 8,
		Hint: "本企业已有的班组名称;不填为未分班组。表中没有此列时,导入不改动职工原来的班组"},
	{Key: ColOriginRegion, Header: "返回地", Aliases: []string{"从何地返回", "来源地", "返回地区", "出发地"},
		Example: "湖北省武汉市", Width: 20, Hint: "省、市或县的名称或 6 位行政区划代码;本地职工填本地"},
	{Key: ColArrivedOn, Header: "返岗日期", Aliases: []string{"返回日期", "到达日期", "抵达日期"},
		Example: "2026-02-17", Width: 12, Hint: "尚未返回的留空"},
	{Key: ColTransport, Header: "交通方式", Aliases: []string{"返回方式", "出行方式"},
		Choices: []string{"自驾", "火车", "飞机", "长途汽车", "其他"}, Example: "火车", Width: 10},
	{Key: ColKeyAreaExposure, Header: "14天内到过重点地区", Aliases: []string{"是否到过重点地区", "重点地区旅居史"},
		Choices: []string{"是", "否"}, Example: "否", Width: 12},
	{Key: ColContactHistory, Header: "接触过确诊或疑似病例", Aliases: []string{"接触史", "是否有接触史"},
		Choices: []string{"是", "否"}, Example: "否", Width: 12},
	{Key: ColIsolationPlace, Header: "隔离地点", Aliases: []string{"隔离场所"}, Example: "", Width: 16},
	// Added last (issue 18), so that sheets laid out by the earlier template keep their columns.
	{Key: ColBatch, Header: "返岗批次", Aliases: []string{"批次", "返岗批"}, Example: "第1批", Width: 16,
		Hint: "批次序号(如 1、第1批、第一批)或该批的返岗日期;不填为未分配。表中没有此列时,导入不改动职工原来的批次"},
}

// RosterRow is one data row of an uploaded roster, as text, keyed by column key. Dates read
// from date-formatted cells arrive as YYYY-MM-DD; a cell that held a number (where a text was
// wanted) is marked in Numeric, so that an ID number Excel turned into a number is recognised.
type RosterRow struct {
	Row     int // 1-based row number in the sheet, as HR sees it
	Cells   map[string]string
	Numeric map[string]bool
}

// RowError is one problem of an uploaded roster, by row and column, in words HR understands.
type RowError struct {
	Row     int
	Column  string // the column's header as the template names it; empty for the whole row
	Message string
}

// ImportResult is what an import did, or would do in a dry run.
type ImportResult struct {
	Created   int
	Updated   int
	Unchanged int // already on the roster exactly as in the file
	Errors    []RowError
	// Warnings are people at risk placed in a batch their isolation outlasts, for HR to
	// confirm (ImportOptions.ConfirmIsolation); Column is the batch's.
	Warnings []RowError
}
