// Package converter stands in for the release's config converter (OpenTelemetry Collector,
// Prometheus, Promtail and static-mode configs to Alloy syntax), which imports every component
// it converts to. The stack ships Alloy syntax only, so this build converts nothing.
package converter

import (
	"fmt"

	"github.com/grafana/alloy/internal/converter/diag"
)

// Input names a source config format; the release's `--config.format` and `convert --source-format`.
type Input string

// SupportedFormats is empty: `alloy convert` and `alloy run --config.format` accept only Alloy syntax here.
var SupportedFormats = []string{}

// Convert reports that this build has no converter.
func Convert(_ []byte, kind Input, _ []string) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	diags.Add(diag.SeverityLevelCritical, fmt.Sprintf("this Alloy build has no converter for %q", kind))
	return nil, diags
}
