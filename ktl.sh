#!/usr/bin/env bash
# ktl.sh — build, test, demo and benchmark driver for ktl.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./ktl.sh <command> [args...]

Commands:
  deps                 install missing build dependencies (scripts/install-deps.sh)
  build [preset]       deps + configure (if needed) + build a preset (default: release)
  demo [args...]       build release, run: build/release/apps/ktl/ktl boot --demo [args...]
  test [preset...]     for each preset (default: release asan tsan, or $KTL_TEST_PRESETS):
                       configure, build, ctest --preset; ends with "ktl: P passed, F failed"
                       (tests summed over presets; a preset that fails to build counts 1 failed)
  bench [filter] [benchmark args...]
                       build release, run build/release/bench/ktl_bench (writing
                       build/release/bench.json), then python3 bench/report.py on the JSON
  presets              list the presets
  help, -h, --help     this text

Presets (CMakePresets.json, build dir build/<preset>):
  release  -O2 -g, NDEBUG          debug  -O0 -g
  asan     ASan+UBSan, -O1 -g      tsan   TSan, -O1 -g
  clang-tsa  clang++ with -Wthread-safety -Werror=thread-safety

Environment:
  KTL_TEST_PRESETS   space/comma separated preset list for `test` (arguments win)
  KTL_SKIP_DEPS=1    do not run scripts/install-deps.sh
  KTL_JOBS           build parallelism (default: nproc)
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

JOBS=${KTL_JOBS:-$(nproc 2>/dev/null || echo 2)}
KNOWN_PRESETS="release debug asan tsan clang-tsa"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ktl.sh: error: %s\n' "$*" >&2; exit 1; }

check_preset() {
  local p=$1
  [[ " $KNOWN_PRESETS " == *" $p "* ]] || die "unknown preset '$p' (known: $KNOWN_PRESETS)"
}

cmd_deps() {
  if [[ "${KTL_SKIP_DEPS:-0}" == 1 ]]; then
    return 0
  fi
  bash "$ROOT/scripts/install-deps.sh"
}

# configure <preset>: runs `cmake --preset` when the build dir is missing, broken, or older than
# the presets file; otherwise the build re-runs CMake by itself when CMakeLists/globs change.
configure() {
  local p=$1 dir="$ROOT/build/$1"
  if [[ ! -f "$dir/CMakeCache.txt" || ! -f "$dir/build.ninja" \
        || "$ROOT/CMakePresets.json" -nt "$dir/CMakeCache.txt" ]]; then
    log "configure $p"
    cmake --preset "$p" || return 1
  fi
}

# build <preset> [target...]
build() {
  local p=$1
  shift
  check_preset "$p"
  configure "$p" || return 1
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  log "build $p${*:+ ($*)}"
  cmake --build --preset "$p" -j "$JOBS" "${targets[@]}"
}

cmd_build() {
  (($# <= 1)) || die "usage: ./ktl.sh build [preset]"
  check_preset "${1:-release}"
  cmd_deps
  build "${1:-release}"
}

cmd_demo() {
  cmd_deps
  local bin="$ROOT/build/release/apps/ktl/ktl"
  if compgen -G "$ROOT/apps/ktl/*.cc" >/dev/null; then
    build release ktl_app
  else
    build release
  fi
  if [[ ! -x "$bin" ]]; then
    printf 'ktl.sh: the ktl app is not built yet: %s does not exist (apps/ktl/*.cc missing?)\n' \
      "${bin#"$ROOT"/}" >&2
    exit 1
  fi
  log "run ${bin#"$ROOT"/} boot --demo $*"
  exec "$bin" boot --demo "$@"
}

cmd_test() {
  local presets=()
  if (($# > 0)); then
    presets=("$@")
  elif [[ -n "${KTL_TEST_PRESETS:-}" ]]; then
    read -r -a presets <<<"${KTL_TEST_PRESETS//,/ }"
  else
    presets=(release asan tsan)
  fi
  ((${#presets[@]} > 0)) || die "no presets to test"
  local p
  for p in "${presets[@]}"; do check_preset "$p"; done

  cmd_deps

  local total_pass=0 total_fail=0 any_failed=0 summary=() start=$SECONDS
  for p in "${presets[@]}"; do
    local t0=$SECONDS
    if ! build "$p"; then
      summary+=("$(printf '%-10s BUILD FAILED, counted as 1 failed (%ss)' "$p" $((SECONDS - t0)))")
      total_fail=$((total_fail + 1))
      any_failed=1
      continue
    fi
    local logf="$ROOT/build/$p/ktl-ctest.log" rc=0
    log "test $p"
    if ctest --preset "$p" 2>&1 | tee "$logf"; then rc=0; else rc=$?; fi
    # CTest's closing line: "100% tests passed, 0 tests failed out of 12"
    local line pass=0 fail=0 total
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$logf" | tail -n 1 || true)
    if [[ -n "$line" ]]; then
      fail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
      total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
      pass=$((total - fail))
    elif ((rc != 0)); then
      fail=1 # ctest failed before running tests; count the preset as one failure
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    local status=ok
    if ((rc != 0 || fail > 0)); then status=FAILED; any_failed=1; fi
    summary+=("$(printf '%-10s %-6s %d passed, %d failed (%ss)' "$p" "$status" "$pass" "$fail" $((SECONDS - t0)))")
  done

  echo
  echo "ktl test summary ($((SECONDS - start))s):"
  local s
  for s in "${summary[@]}"; do echo "  $s"; done
  echo "ktl: $total_pass passed, $total_fail failed"
  return "$any_failed"
}

cmd_bench() {
  local filter=${1:-}
  if (($# > 0)); then shift; fi
  cmd_deps
  if ! compgen -G "$ROOT/bench/*.cc" >/dev/null; then
    die "no bench/*.cc: nothing to benchmark"
  fi
  build release ktl_bench
  local bin="$ROOT/build/release/bench/ktl_bench" json="$ROOT/build/release/bench.json"
  [[ -x "$bin" ]] || die "${bin#"$ROOT"/} was not built"
  local args=(--benchmark_out="$json" --benchmark_out_format=json)
  if [[ -n "$filter" ]]; then args+=(--benchmark_filter="$filter"); fi
  log "run ${bin#"$ROOT"/} ${args[*]} $*"
  "$bin" "${args[@]}" "$@"
  if [[ -f "$ROOT/bench/report.py" ]]; then
    log "report ${json#"$ROOT"/}"
    python3 "$ROOT/bench/report.py" "$json"
  fi
}

main() {
  local cmd=${1:-help}
  if (($# > 0)); then shift; fi
  case "$cmd" in
    deps) cmd_deps ;;
    build) cmd_build "$@" ;;
    demo) cmd_demo "$@" ;;
    test) cmd_test "$@" ;;
    bench) cmd_bench "$@" ;;
    presets) cmake --list-presets=all ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
