// Package plugins registers the service discovery mechanisms the stack's Prometheus configs can
// express, in place of the release's every one: Kubernetes (every scrape job the stack renders,
// and metrics.extraScrapeConfigs, whose schema allows it and static targets only) and DNS. File
// and HTTP discovery, which the tests' stand-in configs use, are registered by minimum.go, as in
// the release. Prometheus documents building with fewer plugins (plugins.yml); the release's
// cloud discoveries (AWS, Azure, GCE and the others) and their SDKs were over a third of this
// build's processor time.
package plugins

import (
	// Register dns plugin.
	_ "github.com/prometheus/prometheus/discovery/dns"
	// Register kubernetes plugin.
	_ "github.com/prometheus/prometheus/discovery/kubernetes"
)
