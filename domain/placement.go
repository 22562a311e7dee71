package domain

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// placement is what HR places a worker by in forms and sheets: the enterprise's shifts by name
// and its return batches by number or date. The roster keeps their IDs; a name, number or date
// that is none of the enterprise's is the field's error. Every path that sets a worker's batch
// or shift (form, import, multi-select assign) goes through it, and so through the same rules:
// a shift's capacity, the isolation that must end by the batch's date, an early arrival.
type placement struct {
	shifts  map[string]Shift
	byID    map[int64]Shift
	batches []ReturnBatch // by number
}

// placementOf loads an enterprise's shifts and batches.
func (s *WorkerService) placementOf(ctx context.Context, enterpriseID int64) (placement, error) {
	shifts, err := s.shifts.ForEnterprise(ctx, enterpriseID)
	if err != nil {
		return placement{}, err
	}
	batches, err := s.batches.ForEnterprise(ctx, enterpriseID)
	if err != nil {
		return placement{}, err
	}
	pl := placement{shifts: make(map[string]Shift, len(shifts)), byID: make(map[int64]Shift, len(shifts)), batches: batches}
	for _, sh := range shifts {
		pl.shifts[sh.Name] = sh
		pl.byID[sh.ID] = sh
	}
	return pl, nil
}

// placeShift sets w's shift by w.ShiftGroup, the name HR gave; empty is none.
func (pl placement) placeShift(w *Worker, p *Problems) {
	if w.ShiftGroup == "" {
		w.ShiftID = 0
		return
	}
	sh, ok := pl.shifts[w.ShiftGroup]
	if !ok {
		p.Add(ColShiftGroup, "本企业没有班组“"+w.ShiftGroup+"”,请先在“班组”中添加,或填写已有的班组")
		return
	}
	w.ShiftID = sh.ID
}

// placeBatch sets w's batch by what HR wrote for it (ParseBatchRef); empty is none.
func (pl placement) placeBatch(w *Worker, text string, p *Problems) {
	text = NarrowText(text)
	if text == "" {
		w.BatchID, w.BatchNumber, w.BatchDate = 0, 0, Date{}
		return
	}
	b, ok := pl.findBatch(text)
	if !ok {
		p.Add(ColBatch, pl.unknownBatch(text))
		return
	}
	w.BatchID, w.BatchNumber, w.BatchDate = b.ID, b.Number, b.Date
}

// batch returns the enterprise's batch of that ID.
func (pl placement) batch(id int64) (ReturnBatch, bool) {
	for _, b := range pl.batches {
		if b.ID == id {
			return b, true
		}
	}
	return ReturnBatch{}, false
}

// findBatch finds the batch text names: by number, by date, or by both as BatchLabel writes
// them (which must then agree).
func (pl placement) findBatch(text string) (ReturnBatch, bool) {
	n, d, ok := ParseBatchRef(text)
	if !ok {
		return ReturnBatch{}, false
	}
	for _, b := range pl.batches {
		if (n == 0 || b.Number == n) && (d.IsZero() || b.Date == d) {
			return b, true
		}
	}
	return ReturnBatch{}, false
}

// unknownBatch says that text names none of the batches, and which there are.
func (pl placement) unknownBatch(text string) string {
	if len(pl.batches) == 0 {
		return "本企业还没有返岗批次(复工申请批准后按申请中的批次生成),“" + text + "”无法对应;请先留空"
	}
	labels := make([]string, 0, len(pl.batches))
	for _, b := range pl.batches {
		labels = append(labels, BatchLabel(b))
	}
	return "本企业没有返岗批次“" + text + "”,请填写批次序号(如 1 或 第1批)或返岗日期;现有批次:" + strings.Join(labels, "、")
}

// BatchLabel is how a batch is written in sheets and drop-down lists: 第1批 2026-02-20.
// ParseBatchRef reads it back.
func BatchLabel(b ReturnBatch) string {
	return "第" + strconv.Itoa(b.Number) + "批 " + b.Date.String()
}

var batchRefRe = regexp.MustCompile(`^(?:第\s*)?([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:批次?)?\s*(?:[(]?\s*([^()]+?)\s*[)]?)?$`)

// ParseBatchRef reads how HR names a batch: its number (1, 第1批, 第一批), its date in any
// form ParseLooseDate reads, or both (第1批 2026-02-20, as BatchLabel writes it). It returns
// 0 for a number not given and the zero date for a date not given.
func ParseBatchRef(s string) (int, Date, bool) {
	s = NarrowText(s) // full-width digits and brackets too
	if d, ok := ParseLooseDate(s); ok && !d.IsZero() {
		return 0, d, true
	}
	g := batchRefRe.FindStringSubmatch(s)
	if g == nil {
		return 0, Date{}, false
	}
	n, err := strconv.Atoi(g[1])
	if err != nil {
		n = chineseNumber(g[1])
	}
	if n <= 0 {
		return 0, Date{}, false
	}
	if g[2] == "" {
		return n, Date{}, true
	}
	d, ok := ParseLooseDate(g[2])
	if !ok || d.IsZero() {
		return 0, Date{}, false
	}
	return n, d, true
}

// chineseNumber reads 一 to 九十九 as people write batch numbers; 0 for anything else.
func chineseNumber(s string) int {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	r := []rune(s)
	switch {
	case len(r) == 1 && r[0] == '十':
		return 10
	case len(r) == 1:
		return digits[r[0]]
	case len(r) == 2 && r[0] == '十':
		return 10 + digits[r[1]]
	case len(r) == 2 && r[1] == '十':
		return digits[r[0]] * 10
	case len(r) == 3 && r[1] == '十' && digits[r[0]] > 0 && digits[r[2]] > 0:
		return digits[r[0]]*10 + digits[r[2]]
	}
	return 0
}

// joinsShift says whether w, as it will be saved, takes a place in its shift that old (nil for
// a new worker) did not hold: a worker who left holds none.
func joinsShift(old *Worker, w Worker) bool {
	if w.ShiftID == 0 || w.Status == WorkerLeft {
		return false
	}
	return old == nil || old.ShiftID != w.ShiftID || old.Status == WorkerLeft
}

// capacityMessage says that a shift has no place for more: 甲班容量 20 人,已有 20 人.
func capacityMessage(sh Shift, adding int) string {
	msg := sh.Name + "容量 " + strconv.Itoa(sh.Capacity) + " 人,已有 " + strconv.Itoa(sh.Assigned) + " 人"
	if adding > 1 {
		msg += ",不能再加入 " + strconv.Itoa(adding) + " 人"
	}
	return msg
}

// capacityError refuses a write that overfills a shift, saying so on the field that named it
// and as the message, which is what HR reads first.
func capacityError(field, msg string) error {
	return &Error{Kind: ErrInvalid, Message: msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// seats counts the places of an enterprise's shifts while workers are placed in one write:
// each shift as locked in the writing transaction, then the places the write takes and frees.
type seats map[int64]*Shift

// lockSeats locks the shifts the write places workers in (ShiftStore.Lock) and counts their
// places, so that two writes at once cannot both take a shift's last place.
func (s *WorkerService) lockSeats(ctx context.Context, shiftIDs []int64) (seats, error) {
	out := seats{}
	for _, id := range shiftIDs {
		if _, ok := out[id]; ok || id == 0 {
			continue
		}
		sh, err := s.shifts.Lock(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = &sh
	}
	return out, nil
}

// take moves a worker from old (nil for a new one) to w's shift, and says whether the shift
// had the place; it frees the place of a worker who moves out of a shift (or leaves).
func (st seats) take(old *Worker, w Worker) (Shift, bool) {
	if old != nil && old.ShiftID != 0 && old.Status != WorkerLeft && (old.ShiftID != w.ShiftID || w.Status == WorkerLeft) {
		if sh := st[old.ShiftID]; sh != nil {
			sh.Assigned--
		}
	}
	if !joinsShift(old, w) {
		return Shift{}, true
	}
	sh := st[w.ShiftID]
	if sh == nil {
		return Shift{}, true // not among the shifts locked: not placed by this write
	}
	if sh.Assigned >= sh.Capacity {
		return *sh, false
	}
	sh.Assigned++
	return *sh, true
}

// isolationEnd is the first day a worker at risk can be at work, when that is after the date
// of their batch; ok is false when the batch is no problem. The rule:
//   - only workers the township isolates (Policy.IsolationLevels: medium and high risk by
//     default) who have a batch and have not left;
//   - a worker with an isolation (on arrival, or ordered by HR) is free on IsolationUntil
//     (settle and the statuses end it that day), so it clashes when it ends after the batch;
//   - a worker not back yet isolates from the day they arrive, which is today at the
//     earliest: they are free no earlier than today plus the township's isolation days, and
//     that too must not be after the batch's date.
func (t Township) isolationEnd(w Worker, today Date) (Date, bool) {
	if w.BatchID == 0 || w.Status == WorkerLeft || !t.MustIsolate(w.RiskLevel) {
		return Date{}, false
	}
	end := w.IsolationUntil
	if w.ArrivedOn.IsZero() {
		end = today.AddDays(t.Policy.IsolationDays)
	}
	return end, end.After(w.BatchDate)
}

// isolationWarning says why a worker cannot be at work on their batch's date, in words HR
// confirms: 张三(中风险)隔离至 2026-03-01,晚于第1批返岗日期 2026-02-20.
func (t Township) isolationWarning(w Worker, today Date) (string, bool) {
	end, clash := t.isolationEnd(w, today)
	if !clash {
		return "", false
	}
	who := w.Name + "(" + w.RiskLevel.Label() + ")"
	batch := ",晚于第" + strconv.Itoa(w.BatchNumber) + "批返岗日期 " + w.BatchDate.String()
	if w.ArrivedOn.IsZero() {
		return who + "尚未返回,即使今天返回也要隔离观察至 " + end.String() + batch, true
	}
	return who + "隔离观察至 " + end.String() + batch, true
}

// newIsolationWarning is the warning HR must confirm for w, as it will be saved, against old
// (nil for a new worker): asked once, when the worker is placed in a batch they cannot be
// at work for, or when a change of theirs (arrival, risk) makes it so; not again at every edit
// of someone HR placed knowingly.
func (t Township) newIsolationWarning(old *Worker, w Worker, today Date) (string, bool) {
	msg, clash := t.isolationWarning(w, today)
	if !clash {
		return "", false
	}
	if old != nil && old.BatchID == w.BatchID {
		if _, was := t.isolationEnd(*old, today); was {
			return "", false
		}
	}
	return msg, true
}

// FieldConfirmIsolation is the field HR confirms isolation warnings with: a write that would
// place workers at risk in a batch their isolation outlasts is refused (ErrConflict, on this
// field) until it comes again with it set.
const FieldConfirmIsolation = "confirm_isolation"

// isolationConflict refuses a write with unconfirmed warnings, naming every person and date.
func isolationConflict(warnings []string) error {
	msg := "以下职工的隔离观察期晚于其返岗批次日期:" + strings.Join(warnings, ";") + "。确认仍按此安排请勾选“确认隔离安排”后重新提交"
	return Conflict(msg, FieldError{Field: FieldConfirmIsolation, Message: msg})
}

// EarlyArrival says whether w came back before their batch's date, and how many days early.
func EarlyArrival(w Worker) (int, bool) {
	if w.BatchID == 0 || w.ArrivedOn.IsZero() || !w.ArrivedOn.Before(w.BatchDate) {
		return 0, false
	}
	return w.ArrivedOn.DaysUntil(w.BatchDate), true
}

// earlyArrivalAlerts is the alert for HR of a worker back before their batch (提前返岗), dated
// the day they came: not escalated, the enterprise sees to it. The alert store keeps one per
// worker and arrival day, so each path that sets an arrival or a batch raises it again freely.
func earlyArrivalAlerts(w Worker) []Alert {
	days, early := EarlyArrival(w)
	if !early {
		return nil
	}
	return []Alert{{
		TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Type: AlertEarlyArrival,
		Date: w.ArrivedOn, Status: AlertOpen,
		Detail: "提前返岗:" + w.ArrivedOn.String() + " 返回,早于第" + strconv.Itoa(w.BatchNumber) + "批返岗日期 " +
			w.BatchDate.String() + " " + strconv.Itoa(days) + " 天",
	}}
}

// placedAlerts are the alerts a worker's file raises when saved: their return from a key
// area, and an early arrival.
func (t Township) placedAlerts(w Worker) []Alert {
	return append(t.ArrivalAlerts(w), earlyArrivalAlerts(w)...)
}

// WhatToBring is what a worker brings back on their batch's day, as the town asks returning
// workers: shown on their phone page beside the date. One list for every enterprise.
var WhatToBring = []string{"身份证", "返岗证明(企业开具的复工返岗通知)", "健康码或 14 天行程证明", "口罩若干(路上和入厂时更换)"}
