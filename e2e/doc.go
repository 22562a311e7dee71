// Package e2e tests Fugong whole, as its users meet it: the program started through app.Run as
// `fugong serve --demo` would be (or built and run as its own processes), its commands, and its
// pages clicked through in headless Chromium when Chromium is installed. Only its tests have
// code.
package e2e
