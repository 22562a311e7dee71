package repo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
	rosterxlsx "fugong/report/roster"
)

// placed is a world whose enterprise ent has an approved plan's two return batches (in 3 and in
// 20 days) and a shift 丙班 of capacity 20, with Hubei a high-risk key area.
type placed struct {
	*world
	b1, b2 domain.ReturnBatch
	small  domain.Shift
}

func newPlaced(t *testing.T, db *repo.DB) *placed {
	t.Helper()
	w := newWorld(t, db)
	w.setKeyAreas(t, hubeiHigh)
	plan := w.submitted(t, w.hr)
	bs := []domain.ReturnBatch{
		{TownshipID: w.tw.ID, PlanID: plan.ID, Number: 1, Date: w.today().AddDays(3), Planned: 600},
		{TownshipID: w.tw.ID, PlanID: plan.ID, Number: 2, Date: w.today().AddDays(20), Planned: 600},
	}
	must(t, w.stores.Batches.Replace(w.ctx, w.ent.ID, bs))
	small := domain.Shift{TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, Name: "丙班", Capacity: 20}
	must(t, w.stores.Shifts.Create(w.ctx, &small))
	return &placed{world: w, b1: bs[0], b2: bs[1], small: small}
}

// assigned counts the workers of each batch of ent, by number.
func (p *placed) assigned(t *testing.T) map[int]int {
	t.Helper()
	bs, err := p.stores.Batches.ForEnterprise(p.ctx, p.ent.ID)
	must(t, err)
	out := map[int]int{}
	for _, b := range bs {
		out[b.Number] = b.Assigned
	}
	return out
}

// rosterWorkbook writes rows as a real workbook under the template's headers, every cell text.
func rosterWorkbook(t *testing.T, headers []string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	must(t, err)
	write := func(n int, cells []string) {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		must(t, sw.SetRow(cell, vals))
	}
	write(1, headers)
	for i, r := range rows {
		write(i+2, r)
	}
	must(t, sw.Flush())
	buf, err := f.WriteToBuffer()
	must(t, err)
	return buf.Bytes()
}

// importWorkbook imports a workbook through the reader the API uses.
func (p *placed) importWorkbook(t *testing.T, data []byte, opt domain.ImportOptions) (domain.ImportResult, error) {
	t.Helper()
	return p.workers.ImportWith(p.ctx, p.hr.Actor(), p.ent.ID, func(ctx context.Context, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
		return rosterxlsx.Stream(ctx, bytes.NewReader(data), domain.MaxImportRows, 2500, yield)
	}, opt)
}

func TestRosterImportBatches(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		headers := []string{"姓名", "身份证号", "手机号", "返回地", "返岗日期", "班组", "返岗批次"}
		// The forms HR writes a batch in: its number, 第N批, 第一批, its date, the export's label.
		forms := []string{"1", "第2批", "第一批", p.b2.Date.Time().Format("2006/1/2"), "第2批 " + p.b2.Date.String()}
		var file [][]string
		want := map[int]int{}
		for i := range 1000 {
			form := forms[i%len(forms)]
			file = append(file, []string{fmt.Sprintf("职工%d", i), string(personID(i)), phoneOf(i), "山东省滨州市邹平市", "", "甲班", form})
			n, _, _ := domain.ParseBatchRef(form)
			if n == 0 {
				n = 2
			}
			want[n]++
		}
		data := rosterWorkbook(t, headers, file)

		t.Run("OK1000", func(t *testing.T) {
			res, err := p.importWorkbook(t, data, domain.ImportOptions{})
			must(t, err)
			if res.Created != 1000 || len(res.Errors) > 0 || len(res.Warnings) > 0 {
				t.Fatalf("got %+v, want 1000 created", res)
			}
			if got := p.assigned(t); got[1] != want[1] || got[2] != want[2] {
				t.Fatalf("got batches %v, want %v", got, want)
			}
		})

		t.Run("ErrUnknownBatch", func(t *testing.T) {
			before := rows(t, db, "workers")
			bad := [][]string{
				{"新职工甲", string(personID(5000)), phoneOf(5000), "山东省滨州市邹平市", "", "甲班", "第3批"},
				{"新职工乙", string(personID(5001)), phoneOf(5001), "山东省滨州市邹平市", "", "甲班", "2"},
				{"新职工丙", string(personID(5002)), phoneOf(5002), "山东省滨州市邹平市", "", "甲班", "2020-03-30"},
			}
			res, err := p.importWorkbook(t, rosterWorkbook(t, headers, bad), domain.ImportOptions{})
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{
				{Row: 2, Column: "返岗批次", Message: "本企业没有返岗批次“第3批”"},
				{Row: 4, Column: "返岗批次", Message: "现有批次:第1批 " + p.b1.Date.String()},
			})
			if got := rows(t, db, "workers"); got != before {
				t.Fatalf("got %d workers, want %d: nothing written", got, before)
			}
		})

		t.Run("AbsentColumnKeeps", func(t *testing.T) {
			// A sheet of phone numbers alone, without 返岗批次 or 班组: batches and shifts stay.
			var short [][]string
			for i := range 10 {
				short = append(short, []string{fmt.Sprintf("职工%d", i), string(personID(i)), fmt.Sprintf("171%08d", i), "山东省滨州市邹平市", ""})
			}
			res, err := p.importWorkbook(t, rosterWorkbook(t, headers[:5], short), domain.ImportOptions{})
			must(t, err)
			if res.Updated != 10 {
				t.Fatalf("got %+v, want 10 updated", res)
			}
			if got := p.assigned(t); got[1] != want[1] || got[2] != want[2] {
				t.Fatalf("got batches %v, want %v: kept", got, want)
			}
			found, err := p.stores.Workers.FindByIDNumbers(p.ctx, p.ent.ID, []domain.IDNumber{personID(0)})
			must(t, err)
			if x := found[personID(0)]; x.ShiftGroup != "甲班" || x.BatchNumber != 1 {
				t.Fatalf("got shift %q batch %d, want 甲班 and 1 kept", x.ShiftGroup, x.BatchNumber)
			}
		})

		t.Run("Export", func(t *testing.T) {
			ws, _, today, err := p.workers.Export(p.ctx, p.hr.Actor(), p.ent.ID, domain.WorkerFilter{Query: "职工1"})
			must(t, err)
			var buf bytes.Buffer
			must(t, rosterxlsx.Write(&buf, ws, true, today))
			f, err := excelize.OpenReader(&buf)
			must(t, err)
			defer f.Close()
			got, err := f.GetRows("花名册")
			must(t, err)
			col := -1
			for i, h := range got[0] {
				if h == "返岗批次" {
					col = i
				}
			}
			if col < 0 || got[1][col] != domain.BatchLabel(p.b2) && got[1][col] != domain.BatchLabel(p.b1) {
				t.Fatalf("got header %v and row %v, want a 返岗批次 column with the batch's label", got[0], got[1])
			}
		})
	})
}

// wantField fails the test unless err is of kind and names field with a message containing msg.
func wantField(t *testing.T, err error, kind error, field, msg string) {
	t.Helper()
	var de *domain.Error
	if !errors.Is(err, kind) || !errors.As(err, &de) || len(de.Fields) == 0 {
		t.Fatalf("got %v, want %v on %s", err, kind, field)
	}
	for _, f := range de.Fields {
		if f.Field == field && strings.Contains(f.Message, msg) {
			return
		}
	}
	t.Fatalf("got %v, want %s: …%s…", de.Fields, field, msg)
}

func TestShiftCapacity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		hr := p.hr.Actor()
		for i := range 20 {
			in := workerForm(i, "371681", domain.Date{})
			in.ShiftGroup = "丙班"
			p.addWorker(t, p.hr, in)
		}
		full := "丙班容量 20 人,已有 20 人"

		t.Run("Form", func(t *testing.T) {
			in := workerForm(20, "371681", domain.Date{})
			in.ShiftGroup = "丙班"
			_, _, err := p.workers.Create(p.ctx, hr, p.ent.ID, in)
			wantField(t, err, domain.ErrInvalid, domain.ColShiftGroup, full)
			other := p.addWorker(t, p.hr, workerForm(21, "371681", domain.Date{}))
			_, _, err = p.workers.Update(p.ctx, hr, other.ID, domain.WorkerUpdate{ShiftGroup: ptr("丙班")})
			wantField(t, err, domain.ErrInvalid, domain.ColShiftGroup, full)
			// Someone already in the shift keeps their place through any change.
			in0 := workerForm(0, "371681", domain.Date{})
			found, err := p.stores.Workers.FindByIDNumbers(p.ctx, p.ent.ID, []domain.IDNumber{domain.IDNumber(in0.IDNumber)})
			must(t, err)
			_, _, err = p.workers.Update(p.ctx, hr, found[domain.IDNumber(in0.IDNumber)].ID, domain.WorkerUpdate{Department: ptr("整理车间")})
			must(t, err)
		})

		t.Run("Import", func(t *testing.T) {
			before := rows(t, db, "workers")
			file := []domain.RosterRow{rosterRow(2, 30, "371681", ""), rosterRow(3, 31, "371681", ""), rosterRow(4, 32, "371681", "")}
			file[1].Cells[domain.ColShiftGroup], file[2].Cells[domain.ColShiftGroup] = "丙班", "丙班"
			res, err := p.workers.Import(p.ctx, hr, p.ent.ID, file, false)
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{{Row: 3, Column: "班组", Message: full}, {Row: 4, Column: "班组", Message: full}})
			if got := rows(t, db, "workers"); got != before {
				t.Fatalf("got %d workers, want %d: nothing written", got, before)
			}
			dry, err := p.workers.Import(p.ctx, hr, p.ent.ID, file, true)
			must(t, err)
			wantRowErrors(t, dry.Errors, res.Errors)
		})

		t.Run("Assign", func(t *testing.T) {
			x := p.addWorker(t, p.hr, workerForm(40, "371681", domain.Date{}))
			_, err := p.workers.Assign(p.ctx, hr, p.ent.ID, domain.AssignInput{WorkerIDs: []int64{x.ID}, ShiftID: &p.small.ID, BatchID: &p.b1.ID})
			wantField(t, err, domain.ErrInvalid, "shift_id", full)
			if got := p.workerNow(t, x.ID); got.ShiftID != 0 || got.BatchID != 0 {
				t.Fatalf("got shift %d batch %d, want nothing written", got.ShiftID, got.BatchID)
			}
		})

		t.Run("LastPlaceOnce", func(t *testing.T) {
			sh := p.small
			sh.Capacity = 21
			must(t, p.stores.Shifts.Update(p.ctx, sh))
			a := p.addWorker(t, p.hr, workerForm(50, "371681", domain.Date{}))
			b := p.addWorker(t, p.hr, workerForm(51, "371681", domain.Date{}))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, id := range []int64{a.ID, b.ID} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = p.workers.Assign(p.ctx, hr, p.ent.ID, domain.AssignInput{WorkerIDs: []int64{id}, ShiftID: &sh.ID})
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, domain.ErrInvalid):
					t.Fatalf("got %v, want ErrInvalid for the one that came second", err)
				}
			}
			got, err := p.stores.Shifts.Get(p.ctx, sh.ID)
			must(t, err)
			if ok != 1 || got.Assigned != 21 {
				t.Fatalf("got %d assignments through and %d in the shift, want 1 and 21", ok, got.Assigned)
			}
		})
	})
}

func TestIsolationBeforeBatch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		hr := p.hr.Actor()
		today := p.today()

		t.Run("Form", func(t *testing.T) {
			// Back from Hubei today: isolated until today+14, after batch 1 (today+3).
			in := workerForm(1, "420100", today)
			in.Batch = "1"
			_, _, err := p.workers.Create(p.ctx, hr, p.ent.ID, in)
			wantField(t, err, domain.ErrConflict, domain.FieldConfirmIsolation,
				"职工1(高风险)隔离观察至 "+today.AddDays(14).String()+",晚于第1批返岗日期 "+p.b1.Date.String())
			in.ConfirmIsolation = true
			x, _, err := p.workers.Create(p.ctx, hr, p.ent.ID, in)
			must(t, err)
			// Placed knowingly: an edit that leaves the batch is not asked again.
			_, _, err = p.workers.Update(p.ctx, hr, x.ID, domain.WorkerUpdate{Department: ptr("整理车间")})
			must(t, err)
			// Batch 2 (today+20) waits for the isolation: no warning.
			in2 := workerForm(2, "420100", today)
			in2.Batch = "第2批"
			p.addWorker(t, p.hr, in2)
		})

		t.Run("NotBackYet", func(t *testing.T) {
			in := workerForm(3, "420100", domain.Date{})
			in.Batch = p.b1.Date.String()
			_, _, err := p.workers.Create(p.ctx, hr, p.ent.ID, in)
			wantField(t, err, domain.ErrConflict, domain.FieldConfirmIsolation, "尚未返回,即使今天返回也要隔离观察至 "+today.AddDays(14).String())
			low := workerForm(4, "371681", domain.Date{})
			low.Batch = "1"
			p.addWorker(t, p.hr, low)
		})

		t.Run("Assign", func(t *testing.T) {
			x := p.addWorker(t, p.hr, workerForm(5, "420100", domain.Date{}))
			in := domain.AssignInput{WorkerIDs: []int64{x.ID}, BatchID: &p.b1.ID}
			_, err := p.workers.Assign(p.ctx, hr, p.ent.ID, in)
			wantField(t, err, domain.ErrConflict, domain.FieldConfirmIsolation, "职工5(高风险)")
			in.ConfirmIsolation = true
			res, err := p.workers.Assign(p.ctx, hr, p.ent.ID, in)
			must(t, err)
			if res.Changed != 1 || len(res.Warnings) != 1 || p.workerNow(t, x.ID).BatchID != p.b1.ID {
				t.Fatalf("got %+v, want the worker placed with the warning confirmed", res)
			}
		})

		t.Run("Import", func(t *testing.T) {
			file := []domain.RosterRow{rosterRow(2, 10, "371681", ""), rosterRow(3, 11, "湖北省武汉市", "")}
			file[0].Cells[domain.ColBatch], file[1].Cells[domain.ColBatch] = "1", "1"
			before := rows(t, db, "workers")
			dry, err := p.workers.Import(p.ctx, hr, p.ent.ID, file, true)
			must(t, err)
			wantRowErrors(t, dry.Warnings, []domain.RowError{{Row: 3, Column: "返岗批次", Message: "职工11(高风险)尚未返回"}})
			if dry.Created != 2 || len(dry.Errors) > 0 {
				t.Fatalf("got %+v, want 2 to create and one warning", dry)
			}
			_, err = p.workers.Import(p.ctx, hr, p.ent.ID, file, false)
			wantField(t, err, domain.ErrConflict, domain.FieldConfirmIsolation, "第 3 行 职工11")
			if got := rows(t, db, "workers"); got != before {
				t.Fatalf("got %d workers, want %d: nothing written", got, before)
			}
			res, err := p.workers.ImportWith(p.ctx, hr, p.ent.ID, domain.RosterRows(file), domain.ImportOptions{ConfirmIsolation: true})
			must(t, err)
			if res.Created != 2 || len(res.Warnings) != 1 {
				t.Fatalf("got %+v, want 2 created with the warning confirmed", res)
			}
		})
	})
}

func TestEarlyArrivalAlert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		hr := p.hr.Actor()
		today := p.today()
		early := func(t *testing.T, x domain.Worker) domain.Alert {
			t.Helper()
			as, _, err := p.stores.Alerts.List(p.ctx, domain.AlertFilter{WorkerID: x.ID, Type: domain.AlertEarlyArrival, Page: domain.Page{Limit: 10}})
			must(t, err)
			if len(as) != 1 {
				t.Fatalf("got %d early-arrival alerts of %s, want 1", len(as), x.Name)
			}
			return as[0]
		}

		t.Run("Form", func(t *testing.T) {
			in := workerForm(1, "371681", today.AddDays(-1))
			in.Batch = "1"
			x := p.addWorker(t, p.hr, in)
			a := early(t, x)
			if a.Escalated || a.Date != today.AddDays(-1) || !strings.Contains(a.Detail, "早于第1批返岗日期 "+p.b1.Date.String()+" 4 天") {
				t.Fatalf("got %+v, want HR's alert dated the arrival, 4 days early", a)
			}
			if _, isEarly := domain.EarlyArrival(p.workerNow(t, x.ID)); !isEarly {
				t.Fatal("got not early, want 提前返岗")
			}
			// Saving again raises no second alert.
			_, _, err := p.workers.Update(p.ctx, hr, x.ID, domain.WorkerUpdate{Department: ptr("整理车间")})
			must(t, err)
			early(t, x)
		})

		t.Run("Assign", func(t *testing.T) {
			x := p.addWorker(t, p.hr, workerForm(2, "371681", today))
			_, err := p.workers.Assign(p.ctx, hr, p.ent.ID, domain.AssignInput{WorkerIDs: []int64{x.ID}, BatchID: &p.b2.ID})
			must(t, err)
			early(t, x)
		})

		t.Run("Import", func(t *testing.T) {
			row := rosterRow(2, 3, "371681", today.String())
			row.Cells[domain.ColBatch] = "2"
			res, err := p.workers.Import(p.ctx, hr, p.ent.ID, []domain.RosterRow{row}, false)
			must(t, err)
			found, err := p.stores.Workers.FindByIDNumbers(p.ctx, p.ent.ID, []domain.IDNumber{personID(3)})
			must(t, err)
			if res.Created != 1 {
				t.Fatalf("got %+v, want 1 created", res)
			}
			early(t, found[personID(3)])
		})

		t.Run("OnTime", func(t *testing.T) {
			in := workerForm(4, "371681", today)
			in.Batch = "1" // in 3 days: back today is early
			x := p.addWorker(t, p.hr, in)
			_, err := p.workers.Assign(p.ctx, hr, p.ent.ID, domain.AssignInput{WorkerIDs: []int64{x.ID}, BatchID: ptr(int64(0))})
			must(t, err)
			if _, isEarly := domain.EarlyArrival(p.workerNow(t, x.ID)); isEarly {
				t.Fatal("got early without a batch, want not")
			}
		})
	})
}

func TestWorkerSchedule(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		sh := domain.Shift{TownshipID: p.tw.ID, EnterpriseID: p.ent.ID, Name: "织造一班", Workshop: "织造车间", Start: "08:00", End: "16:00",
			MealStart: "11:30", MealEnd: "12:00", Capacity: 20}
		must(t, p.stores.Shifts.Create(p.ctx, &sh))
		in := workerForm(1, "371681", domain.Date{})
		in.Batch, in.ShiftGroup = "2", "织造一班"
		x := p.addWorker(t, p.hr, in)
		got, err := p.workers.Schedule(p.ctx, x)
		must(t, err)
		if got.BatchNumber != 2 || got.BatchDate != p.b2.Date || got.Shift == nil || got.Shift.MealStart != "11:30" || len(got.Bring) == 0 {
			t.Fatalf("got %+v, want batch 2 on %s, 织造一班 eating at 11:30 and what to bring", got, p.b2.Date)
		}
	})
}
