package discovery

// This build has no peer discovery through hashicorp/go-discover: the release's registers every
// cloud provider go-discover has (AWS EC2, Azure, GCE, vSphere, Linode, SoftLayer and more), a
// sixth of the whole build's Go files, for `--cluster.discover-peers`. The stack runs Alloy without
// clustering, so it never sets that flag; a run that does is refused with this file's error.
// Joining listed peers (`--cluster.join-addresses`, join_peers.go) is the release's, unchanged.

import "errors"

var errGoDiscoverNotBuilt = errors.New(
	"--cluster.discover-peers is not in this Alloy build: it links go-discover's cloud providers, which the stack never uses (tools/alloy/main.go)",
)

func newWithGoDiscovery(Options) (DiscoverFn, error) { return nil, errGoDiscoverNotBuilt }
