// Package domain holds Fugong's entities, the value types that parse and validate themselves,
// the rules, the error kinds, the interfaces of the stores the services need, and the services.
//
// It imports no web framework, ORM or spreadsheet library, so its rules are tested without a
// database. Every service method takes the verified Actor explicitly and enforces scope itself:
// no handler can forget it.
package domain
