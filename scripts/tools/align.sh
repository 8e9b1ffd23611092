#!/usr/bin/env bash
# Aligns a build family of tools/build-families.json: raises every module that builds a package
# of two or more of its tools to the highest version any of them builds, until none differs, and
# tidies each go.mod. Go's build cache is keyed by a package's source and those of everything it
# imports, so only then does a package the tools share compile once on a cold machine instead of
# once per tool (docs/testing.md, "Build families"). Run it after changing a member's version;
# a unit test (tests/unit/scripts/buildFamilies.test.ts) fails while a family is not aligned.
#   scripts/tools/align.sh <family>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

family="${1:?usage: align.sh <family of tools/build-families.json>}"
# A command substitution, not a process substitution: an unknown family stops the script.
listed="$(node -e '
  const members = JSON.parse(require("fs").readFileSync("tools/build-families.json", "utf8"))[process.argv[1]];
  if (!members) { console.error("no family " + process.argv[1] + " in tools/build-families.json"); process.exit(2); }
  console.log(members.join("\n"));
' "$family")"
mapfile -t members <<<"$listed"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# The modules that provide a package to a tool's build, as scripts/tools/build.sh builds it.
built_modules() {
  local tool="$1" src="tools/$1" modfile=()
  [[ -d "$src/overlay" ]] && modfile=(-modfile "$(bash scripts/tools/overlay.sh "$tool" "$scratch/$tool-overlay")")
  (cd "$src" && go list "${modfile[@]}" -tags "$(cat build-tags 2>/dev/null || true)" -deps \
    -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' \
    "$(grep -q '^tool ' go.mod && echo tool || echo .)") | sort -u
}

for round in 1 2 3 4 5 6; do
  modules=()
  for tool in "${members[@]}"; do
    built_modules "$tool" >"$scratch/$tool.modules"
    modules+=("$scratch/$tool.modules")
  done
  # Each module at the highest version any member builds (Go's semantic-version order).
  node -e '
    const fs = require("fs");
    const parse = (v) => { const [, core, pre] = /^v(\d+\.\d+\.\d+)(?:-([^+]*))?/.exec(v); return { core: core.split(".").map(Number), pre: pre === undefined ? [] : pre.split(".") }; };
    const cmpPre = (a, b) => {
      if (a.length === 0 || b.length === 0) return b.length - a.length;
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const [x, y] = [a[i], b[i]]; const [nx, ny] = [/^\d+$/.test(x), /^\d+$/.test(y)];
        if (x === y) continue;
        if (nx && ny) return Number(x) - Number(y);
        return nx ? -1 : ny ? 1 : x < y ? -1 : 1;
      }
      return a.length - b.length;
    };
    const cmp = (a, b) => { const [x, y] = [parse(a), parse(b)]; for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] - y.core[i]; return cmpPre(x.pre, y.pre); };
    const highest = new Map();
    for (const file of process.argv.slice(1))
      for (const [path, version] of fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(" ")))
        if (version && (!highest.has(path) || cmp(version, highest.get(path)) > 0)) highest.set(path, version);
    fs.writeFileSync(process.argv[1].replace(/[^/]*$/, "highest"), [...highest].map((e) => e.join(" ")).join("\n") + "\n");
  ' "${modules[@]}"
  changed=0
  for tool in "${members[@]}"; do
    mapfile -t raise < <(awk 'NR == FNR { highest[$1] = $2; next } highest[$1] != $2 { print "-require=" $1 "@" highest[$1] }' \
      "$scratch/highest" "$scratch/$tool.modules")
    [[ ${#raise[@]} -eq 0 ]] && continue
    changed=1
    echo "$tool: ${#raise[@]} module(s) raised" >&2
    (cd "tools/$tool" && go mod edit "${raise[@]}" && go mod tidy)
  done
  if [[ $changed -eq 0 ]]; then
    echo "family $family aligned: ${members[*]}" >&2
    exit 0
  fi
done
echo "family $family: still not aligned after $round rounds" >&2
exit 1
