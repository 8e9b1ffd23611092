package stages

// This build has no `stage.pattern`: the release's stage matches lines with Loki's
// pkg/logql/log/pattern, which Loki licenses under the AGPL (its LICENSING.md), and this project
// builds nothing from the AGPL part of Loki. The stack's configs do not use the stage; a config
// that does is refused, by `alloy validate` and at load, with this file's error. The block keeps
// the release's arguments so that the refusal is this one, not an unknown-argument error.

import (
	"errors"
	"log/slog"
)

var errPatternNotBuilt = errors.New(
	"stage.pattern is not in this Alloy build: it links Loki's AGPL-licensed pattern matcher (tools/alloy/main.go)",
)

// PatternConfig holds the arguments the release's stage.pattern takes.
type PatternConfig struct {
	Pattern          string  `alloy:"pattern,attr"`
	Source           *string `alloy:"source,attr,optional"`
	LabelsFromGroups bool    `alloy:"labels_from_groups,attr,optional"`
}

// Validate refuses the stage.
func (*PatternConfig) Validate() error { return errPatternNotBuilt }

func newPatternStage(*slog.Logger, PatternConfig) (Stage, error) { return nil, errPatternNotBuilt }
