// Package report holds the Excel workbooks Fugong reads and writes, with excelize, in
// sub-packages by purpose; it depends on domain, never the other way round, so that domain's
// rules are tested without a spreadsheet library.
//
//   - roster: the roster template, the import of an uploaded roster (Stream), the upload
//     annotated with its errors, and the roster export.
//   - daily: the township's daily report (日报) and its range export (range.xlsx).
//   - internal/ooxml: the upload below excelize: the checks of the zip and its XML parts,
//     and the streaming reader of a worksheet's rows that the import and the annotation use.
//   - internal/xlstyle: the look the workbooks share (header, formats, colours).
//   - xlsxtest: workbooks built part by part for tests, hostile ones included, and helpers
//     that read a written workbook back.
package report
