// Package loadtest is the plumbing the scripts that run Fugong as a real process share
// (scripts/bench, scripts/faults): it builds the fugong binary, creates scratch databases,
// seeds a township through the product's own loading path, starts and stops servers with the
// secrets they need, reads the command line and prints markdown tables. What each program
// measures or breaks stays in that program.
package loadtest
