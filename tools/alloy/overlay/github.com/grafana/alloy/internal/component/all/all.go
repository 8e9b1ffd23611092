// Package all registers no component in this build: cmd/alloy's main imports the few the stack
// uses (tools/alloy/main.go).
package all
