// Package daily writes the township's reports of its days: the daily report, a workbook of
// the day's summary with its charts, its enterprises and the people to look at (Write,
// daily.go), and the range export, one row per enterprise and day, streamed (RangeWriter,
// range.go). The figures are domain's (domain.DailyReport, domain.RangeRow); this package only
// lays them out.
package daily
