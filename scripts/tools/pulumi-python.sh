#!/usr/bin/env bash
# Installs the Pulumi Python SDK and the Kubernetes provider's Python SDK from PyPI, at the versions
# of the npm packages the project pins (@pulumi/pulumi, @pulumi/kubernetes), into a virtualenv
# outside the repo, keyed by those versions, and prints the virtualenv's path: the interpreter the
# Python language host runs a program with (tests/kit/engine/workspace.ts says how it finds it).
set -euo pipefail
# shellcheck source=scripts/tools/pypi-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/pypi-venv.sh"

readonly PULUMI=3.248.0 KUBERNETES=4.34.2
pypi_venv pulumi-python "$PULUMI-kubernetes-$KUBERNETES" "pulumi==$PULUMI" "pulumi-kubernetes==$KUBERNETES"
