#!/usr/bin/env bash
# Sourced by the scripts that install a tool from PyPI: pypi_venv NAME VERSION REQUIREMENT... installs
# the REQUIREMENTs into a virtualenv outside the repo, keyed by NAME and VERSION, once, and prints the
# virtualenv's path. An install holds a lock on its version: a second caller (another test tier
# started at the same time) waits for it instead of building the same virtualenv over it.

pypi_venv() {
  local name="$1" version="$2"
  local requirements=("${@:3}")
  local cache="${OBSERVABILITY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-tools}"
  local venv="$cache/$name-$version" lock
  mkdir -p "$cache"
  exec {lock}>"$venv.lock"
  flock "$lock"
  if [[ ! -f "$venv/.complete" ]]; then
    if ! command -v python3 >/dev/null 2>&1; then
      echo "$name: Python 3 is required to install $name" >&2
      return 1
    fi
    echo "$name: installing $version into $venv (once per version)" >&2
    # A virtualenv cannot be moved, so it is built in place and marked complete at the end.
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}" >&2
    touch "$venv/.complete"
  fi
  exec {lock}>&-
  echo "$venv"
}
