package discovery

// Replaces the release's file, whose Options also carry the go-discover factory its tests inject
// (go_discovery.go says why this build has no go-discover).

import (
	"fmt"
	"log/slog"
	"net"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// DiscoverFn returns the addresses of the cluster's peers.
type DiscoverFn func() ([]string, error)

// Options says how to find the cluster's peers: listed (JoinPeers) or discovered (DiscoverPeers).
type Options struct {
	JoinPeers     []string
	DiscoverPeers string
	DefaultPort   int
	Logger        *slog.Logger
	Tracer        trace.TracerProvider
	// Stand-ins for net.LookupSRV and net.LookupIP; nil means those.
	lookupSRVFn lookupSRVFn
	lookupIPFn  lookupIPFn
}

type lookupSRVFn func(service, proto, name string) (string, []*net.SRV, error)

type lookupIPFn func(host string) ([]net.IP, error)

// NewPeerDiscoveryFn returns how to find the peers, or nil when neither way is set (a seed node).
func NewPeerDiscoveryFn(opts Options) (DiscoverFn, error) {
	switch {
	case opts.Logger == nil:
		return nil, fmt.Errorf("logger is required, got nil")
	case opts.Tracer == nil:
		return nil, fmt.Errorf("tracer is required, got nil")
	case len(opts.JoinPeers) > 0 && opts.DiscoverPeers != "":
		return nil, fmt.Errorf("at most one of join peers and discover peers may be set, got join peers %q and discover peers %q",
			opts.JoinPeers, opts.DiscoverPeers)
	case len(opts.JoinPeers) > 0:
		opts.Logger.Info("using provided peers for discovery", "join_peers", strings.Join(opts.JoinPeers, ", "))
		return newWithJoinPeers(opts), nil
	case opts.DiscoverPeers != "":
		return newWithGoDiscovery(opts)
	default:
		opts.Logger.Info("no peer discovery configured: both join and discover peers are empty")
		return nil, nil
	}
}
