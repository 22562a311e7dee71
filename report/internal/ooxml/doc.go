// Package ooxml reads uploaded .xlsx files below excelize, where excelize would trust the file
// or spend memory out of proportion to it. Open checks the zip and its XML parts before
// excelize opens the workbook (upload.go: a zip bomb, a lying header, an entry named ../, an
// overlong token, too many shared strings, parts, sheets, styles or rows), and answers what it
// refuses as domain.ErrInvalid in HR's words. SheetReader then reads a worksheet's rows
// straight from the zip, a tag at a time (sheet.go, on tags.go's tag reader), keeping only the
// columns asked for; parts.go finds the sheets' parts as excelize does.
//
// It is internal to report: what a roster is, and what its columns mean, is report/roster's.
package ooxml
