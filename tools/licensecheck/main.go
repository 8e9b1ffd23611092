// The licence gate's classifier (scripts/licences/): reads each file named on the command line and
// prints, as one JSON object, the licences github.com/google/licensecheck finds in it by SPDX ID and
// how much of the text they cover. A file it cannot read is an error: the gate only names files that
// exist.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/licensecheck"
)

type verdict struct {
	IDs     []string `json:"ids"`
	Percent float64  `json:"percent"`
}

func main() {
	verdicts := map[string]verdict{}
	for _, file := range os.Args[1:] {
		text, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		coverage := licensecheck.Scan(text)
		ids := []string{}
		seen := map[string]bool{}
		for _, match := range coverage.Match {
			if !seen[match.ID] {
				seen[match.ID] = true
				ids = append(ids, match.ID)
			}
		}
		verdicts[file] = verdict{IDs: ids, Percent: coverage.Percent}
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
