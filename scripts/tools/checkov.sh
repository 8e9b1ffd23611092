#!/usr/bin/env bash
# Installs Checkov (an independent IaC checker) from PyPI into a virtualenv outside the repo,
# keyed by version, and prints the path of its executable.
set -euo pipefail

readonly VERSION=3.3.30
cache="${OBSERVABILITY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-tools}"
venv="$cache/checkov-$VERSION"

if [[ ! -f "$venv/.complete" ]]; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "checkov: Python 3 is required to install Checkov" >&2
    exit 1
  fi
  echo "checkov: installing $VERSION into $venv (once per version)" >&2
  # A virtualenv cannot be moved, so it is built in place and marked complete at the end.
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$VERSION" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/checkov"
