// Command alloy is Grafana Alloy's command line built from the release's own packages with only
// the components the stack's rendered Alloy configs use: the log agent in both collection modes,
// the event collector and the monitor scraper. The files under overlay/ replace five of the
// release's (build.sh puts them in place): the registry (internal/component/all) and the config
// converter, because the release imports all ~180 components and every converter, which is what
// made the full build take 26 minutes; loki.process's stage.pattern (overlay/…/stages/pattern.go),
// the one stage that links an AGPL-licensed package of Loki's module, which this project never
// builds; and cluster peer discovery's two files that link go-discover's cloud providers
// (overlay/…/cluster/discovery/), a sixth of the build, for a flag the stack never sets. The
// stack's configs use neither; every other package is the release's, unchanged.
//
// The module path sits under github.com/grafana/alloy so that Go's internal-package rule lets
// this main import the release's internal packages.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/grafana/alloy/internal/alloycli"
	"github.com/grafana/alloy/internal/build"
	"github.com/grafana/alloy/internal/component"

	// The log agent: discovery, both collection modes (node files, API server) and the push to Loki.
	_ "github.com/grafana/alloy/internal/component/discovery/kubernetes"
	_ "github.com/grafana/alloy/internal/component/discovery/relabel"
	_ "github.com/grafana/alloy/internal/component/local/file_match"
	_ "github.com/grafana/alloy/internal/component/loki/process"
	_ "github.com/grafana/alloy/internal/component/loki/source/file"
	_ "github.com/grafana/alloy/internal/component/loki/source/kubernetes"
	_ "github.com/grafana/alloy/internal/component/loki/write"

	// The event collector (components/logs/eventCollector.ts).
	_ "github.com/grafana/alloy/internal/component/loki/source/kubernetes_events"

	// The monitor scraper (components/metrics/monitorScraper.ts).
	_ "github.com/grafana/alloy/internal/component/prometheus/operator/podmonitors"
	_ "github.com/grafana/alloy/internal/component/prometheus/operator/servicemonitors"
	_ "github.com/grafana/alloy/internal/component/prometheus/remotewrite"
)

// componentsCommand lists the components this binary registers, so a test can compare them with
// the ones the rendered configs use.
func componentsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "components",
		Short: "Print the name of every component this build registers, one a line",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			names := component.AllNames()
			sort.Strings(names)
			for _, name := range names {
				fmt.Println(name)
			}
		},
	}
}

func main() {
	prometheus.MustRegister(build.NewCollector("alloy"))
	root := alloycli.Command()
	root.AddCommand(componentsCommand())
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
