// Package loadtest is the plumbing the scripts that run Fugong as a real process share
// (scripts/bench, scripts/faults): it builds the fugong binary, creates scratch databases,
// opens them as the servers do (app.Open, with the servers' environment) to seed a township
// through the product's own loading path, mints tokens with app.Tokens, starts and stops
// servers with the secrets they need, reads the command line and prints markdown tables. What
// each program measures or breaks stays in that program.
package loadtest
