// Package report builds and reads the workbooks HR and the township exchange with Fugong: the
// roster template, the roster upload, the roster export and the upload annotated with its
// errors. It depends on domain and excelize, never the other way round, so that domain's rules
// are tested without a spreadsheet library.
package report
