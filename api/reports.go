package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"fugong/domain"
	"fugong/report/daily"
)

type reportHandler struct{ svc *domain.ReportService }

func (h *reportHandler) register(r *router) {
	admin := []domain.Role{domain.RoleTownAdmin}
	r.add(Route{Method: http.MethodGet, Path: "/reports/daily.xlsx", Roles: admin,
		Summary: "The township daily report workbook: summary with charts, enterprises, abnormal people, missed check-ins, key-area returnees, isolating",
		Query:   []Param{{"date", "string", "YYYY-MM-DD, default today in the township"}},
		Status:  http.StatusOK, Produces: xlsxType}, h.daily)
	r.add(Route{Method: http.MethodGet, Path: "/reports/range.xlsx", Roles: admin,
		Summary: "One row per enterprise and day from one date to another, streamed",
		Query:   []Param{{"from", "string", "YYYY-MM-DD (required)"}, {"to", "string", "YYYY-MM-DD (required)"}},
		Status:  http.StatusOK, Produces: xlsxType}, h.rangeReport)
}

// daily builds the workbook in memory before answering, so that a failure is an error answer
// rather than half a file.
func (h *reportHandler) daily(c echo.Context) error {
	var p domain.Problems
	d := parseDate(&p, "date", c.QueryParam("date"))
	if err := p.Err(); err != nil {
		return err
	}
	// The people sheets, most of the writing, are written while the rest is still read.
	var book *daily.Book
	asOf := readAsOf(c)
	defer func() {
		if book != nil {
			book.Close()
		}
	}()
	r, err := h.svc.DailyReportWith(c.Request().Context(), actorOf(c), d, func(people domain.DailyReport) (err error) {
		if book, err = daily.NewBook(daily.DataAsOf(asOf, people.Township)); err != nil {
			return err
		}
		return book.WritePeople(people)
	})
	if err != nil {
		return err
	}
	if err := book.WriteRest(r); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := book.Save(&buf); err != nil {
		return err
	}
	setDownload(c, "daily-"+r.Date.String()+".xlsx", daily.FileName(r.Township.Name, r.Date))
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

// rangeReport streams the rows into excelize's StreamWriter, which keeps them in a temporary
// file rather than in memory, then sends the workbook.
func (h *reportHandler) rangeReport(c echo.Context) error {
	var p domain.Problems
	from := parseDate(&p, "from", c.QueryParam("from"))
	to := parseDate(&p, "to", c.QueryParam("to"))
	if err := p.Err(); err != nil {
		return err
	}
	actor := actorOf(c)
	t, err := h.svc.Township(c.Request().Context(), actor)
	if err != nil {
		return err
	}
	rw, err := daily.NewRangeWriter(t.Name, from, to, daily.DataAsOf(readAsOf(c), t))
	if err != nil {
		return err
	}
	defer rw.Close()
	if err := h.svc.RangeReport(c.Request().Context(), actor, from, to, rw.Add); err != nil {
		return err
	}
	setDownload(c, "range.xlsx", daily.RangeFileName(t.Name, from, to))
	c.Response().WriteHeader(http.StatusOK)
	_, err = rw.WriteTo(c.Response())
	return err
}
