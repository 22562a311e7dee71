// Package roster makes and reads the roster workbooks HR and Fugong exchange: the template HR
// fills in (Template, template.go), the upload read as rows of text keyed by column (Stream,
// read.go, with the header matched by header.go), the upload given back with its errors
// written in (Annotate, annotate.go), and the roster export, which imports again (Write,
// export.go). The rules of a roster's cells are domain's; the bytes of an upload are read by
// report/internal/ooxml.
package roster
