#!/usr/bin/env bash
# Builds the test tool tools/<name> from the Go module proxy and prints the directory holding the
# binaries: a Go module's main package or the `tool` packages its go.mod lists, or, for a
# directory with an OpenTelemetry Collector Builder manifest.yaml, the collector it describes.
# Outputs are cached outside the repo, keyed by a hash of the sources, so each version is built
# once and nothing built is ever committed. A build holds a lock on its version: a second caller
# (a suite's setup while scripts/tools/prebuild.sh builds the same tool) waits and reuses it.
# Binaries carry no symbol table or DWARF (-s -w): the tests never debug them, and linking without
# them takes less than half the time.
#   scripts/tools/build.sh <tool> [--cached]: kube-validate | prometheus | alertmanager | alloy | otelcol
#                          | otlp-sink | kubernetes | etcd | kwok | kube-state-metrics | kube-rbac-proxy
#                          | thanos | sloth | oslo
#                          | actionlint | pulumi | pulumi-language-nodejs | pulumi-language-python
#                          | pulumi-language-go | pulumi-language-yaml | pulumi-kubernetes
set -euo pipefail

name="${1:?usage: build.sh <tool module under tools/>}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/$name" && pwd)"
cache="${OBSERVABILITY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-tools}"
shopt -s nullglob globstar
sources=()
for file in "$src"/go.mod "$src"/go.sum "$src"/*.png "$src"/build-tags "$src"/ldflags "$src"/*.go "$src"/manifest.yaml "$src"/overlay/**/*.go; do
  [[ -f "$file" ]] && sources+=("$file")
done
# A collector's build also depends on the builder's version.
[[ -f "$src/manifest.yaml" ]] && sources+=("$src/../ocb/go.mod")
key="$(cat "${sources[@]}" | sha256sum | cut -c1-16)"
out="$cache/$name-$key"
# `build.sh <tool> --cached` only answers whether this version is built (exit 0) or not (1).
if [[ "${2:-}" == --cached ]]; then
  [[ -f "$out/.complete" ]]
  exit
fi

start=$(date +%s)
temperature=warm
mkdir -p "$cache"
exec {lock}>"$out.lock"
if ! flock --nonblock "$lock"; then
  echo "$name: waiting for the build of this version that is under way" >&2
  flock "$lock"
  temperature=waited
fi
if [[ ! -f "$out/.complete" ]]; then
  temperature=cold
  [[ -n "${OBSERVABILITY_BUILD_BACKGROUND:-}" ]] && temperature="cold, in the background"
  if ! command -v go >/dev/null 2>&1; then
    echo "$name: Go $(sed -n 's/^go //p' "$src/go.mod") or newer is required to build this test tool: https://go.dev/doc/install" >&2
    exit 1
  fi
  echo "$name: building into $out (once per version)" >&2
  # The compiler writes no DWARF (the link's -w drops it anyway) and collects its garbage a quarter
  # as often: less processor time on a cold machine, the same machine code. In GOFLAGS, so that the
  # builds the collector builder and `go run` start take them too.
  nodwarf=-gcflags=all=-dwarf=false
  [[ " ${GOFLAGS:-} " == *" $nodwarf "* ]] || export GOFLAGS="${GOFLAGS:+$GOFLAGS }$nodwarf"
  export GOGC="${GOGC:-400}"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  # The checksum database answers 404 for some of Alloy's grafana pseudo-versions; go.sum, written
  # from the module proxy's sources, still pins every module the build reads.
  [[ "$name" == alloy ]] && export GOSUMDB=off
  # A tool with an overlay/ builds from copies of the modules it overlays (scripts/tools/overlay.sh):
  # only what the stack uses is compiled and linked (tools/<tool>/overlay/ says what and why).
  modfile=()
  if [[ -d "$src/overlay" ]]; then
    modfile=(-modfile "$("$(dirname "${BASH_SOURCE[0]}")/overlay.sh" "$name" "$out.tmp/src")")
  fi
  if [[ -f "$src/manifest.yaml" ]]; then
    ocb="$("${BASH_SOURCE[0]}" ocb)/builder"
    # The module mirror here serves no checksum-database entries for many OpenTelemetry modules;
    # their sources still come from the module proxy only.
    (cd "$out.tmp" && cp "$src/manifest.yaml" . &&
      GONOSUMDB=go.opentelemetry.io/collector,github.com/open-telemetry/opentelemetry-collector-contrib \
        CGO_ENABLED=0 "$ocb" --config manifest.yaml >build.log 2>&1) ||
      { tail -30 "$out.tmp/build.log" >&2; exit 1; }
    mv "$out.tmp/build/$name" "$out.tmp/$name"
    rm -rf "$out.tmp/build"
  elif grep -q '^tool ' "$src/go.mod"; then
    # A tool's build-tags file holds the tags its own release builds use, its ldflags file what its
    # release sets at link time (the version it prints).
    tags="$(cat "$src/build-tags" 2>/dev/null || true)"
    ldflags="$(cat "$src/ldflags" 2>/dev/null || true)"
    (cd "$src" && CGO_ENABLED=0 go build -tags "$tags" -trimpath "${modfile[@]}" -ldflags "-s -w $ldflags" -o "$out.tmp/" tool)
    # The language host runs the policy pack's analyzer and dynamic providers through the scripts
    # its module ships beside it.
    if [[ "$name" == pulumi-language-nodejs ]]; then
      cp "$(cd "$src" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"/nodejs/dist/pulumi-{analyzer-policy,resource-pulumi-nodejs} "$out.tmp/"
      chmod u+w,+x "$out.tmp"/pulumi-{analyzer-policy,resource-pulumi-nodejs}
    fi
    # The Python host runs the program through the -exec script it looks for beside itself (it
    # exits "missing executor" without it); dynamic providers and policy packs through dist/'s.
    if [[ "$name" == pulumi-language-python ]]; then
      sdk="$(cd "$src" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
      cp "$sdk/python/cmd/pulumi-language-python-exec" "$sdk"/python/dist/pulumi-{analyzer-policy-python,resource-pulumi-python} "$out.tmp/"
      chmod u+w,+x "$out.tmp"/pulumi-{language-python-exec,analyzer-policy-python,resource-pulumi-python}
    fi
  elif [[ "$name" == alloy ]]; then
    # tools/alloy/main.go says why its overlay. The version the binary prints is the release's,
    # from go.mod.
    version="$(cd "$src" && go list -m -f '{{.Version}}' github.com/grafana/alloy)"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath "${modfile[@]}" \
      -ldflags "-s -w -X github.com/grafana/alloy/internal/build.Version=$version" -o "$out.tmp/$name" .)
  elif [[ "$name" == pulumi-kubernetes ]]; then
    # The provider is built from its own module, as its release is: its command embeds a schema
    # that its generate.go writes (not in the module's zip), and its go.mod replaces the SDK with a
    # sibling directory the zip does not have; without that line the SDK comes from the module
    # proxy, pinned by go.sum here. It prints the module's version.
    module=github.com/pulumi/pulumi-kubernetes/provider/v4
    version="$(cd "$src" && go list -m -f '{{.Version}}' "$module")"
    (cd "$src" && go mod download "$module")
    work="$out.tmp/src"
    mkdir -p "$work"
    cp -R "$(cd "$src" && go list -m -f '{{.Dir}}' "$module")" "$work/provider"
    chmod -R u+w "$work/provider"
    cat "$src/go.sum" >>"$work/provider/go.sum"
    (cd "$work/provider" && go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 &&
      cd cmd/pulumi-resource-kubernetes && VERSION="${version#v}" go run generate.go &&
      CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X $module/pkg/version.Version=${version#v}" -o "$out.tmp/pulumi-resource-kubernetes" .)
  else
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp/$name" .)
  fi
  rm -rf "$out.tmp/src"
  touch "$out.tmp/.complete"
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "$name: built in $(($(date +%s) - start)) s" >&2
fi
# scripts/steps.sh reports this build in the time summary of the script that started it.
# A background build that found the tool cached, or built by a suite it waited for, did nothing
# worth reporting: only the suites' waits are the run's.
if [[ -n "${OBSERVABILITY_STEP_LOG:-}" && ! ($temperature =~ ^(warm|waited)$ && -n "${OBSERVABILITY_BUILD_BACKGROUND:-}") ]]; then
  printf 'build\t%s\t%s\t%s\n' "$name" "$(($(date +%s) - start))" "$temperature" >>"$OBSERVABILITY_STEP_LOG"
fi
echo "$out"
