// Command alloy is Grafana Alloy's command line (run, fmt, validate, ...), every component
// registered. It exists because the release's own main package lives in a nested module
// (github.com/grafana/alloy/collector) that the module proxy does not serve; the released module's
// public flowcmd package builds the same root command.
package main

import (
	"os"

	"github.com/grafana/alloy/flowcmd"
)

func main() {
	if err := flowcmd.RootCommand().Execute(); err != nil {
		os.Exit(1)
	}
}
