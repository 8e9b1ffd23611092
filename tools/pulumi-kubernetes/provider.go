//go:build tools

// The Kubernetes provider's packages, so that go.mod and go.sum pin every module its build reads;
// scripts/tools/build.sh builds its command from a copy of the release (see there for why).
package tools

import _ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
