#!/usr/bin/env bash
# Sets up and runs the tests: installs the npm packages (Azurite, SignalR browser client) and the
# Debian packages the chosen lanes need when missing, builds the solution and runs `dotnet test Cluster.sln`.
# Tests start their own Azurite and hosts on free loopback ports; nothing needs to be running.
#
#   ./test.sh                  every test (CI)
#   ./test.sh --fast           lanes pure and cluster: no Azurite, host process, browser or container (~1-3 min warm)
#   ./test.sh --lane storage   one lane (repeat --lane for several): pure, cluster, storage, processes, browser, containers
#   ./test.sh --no-slow        leave out the classes marked [Trait("Slow","true")] (over ~30 s each)
# Any other argument goes to `dotnet test`; a --filter of yours is ANDed with the lanes' filter.
# Lanes: tests/Chat.TestSupport/Lanes.cs.
set -euo pipefail
cd "$(dirname "$0")"

all_lanes=(pure cluster storage processes browser containers)
lanes=() no_slow="" user_filter="" pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) lanes+=(pure cluster) ;;
    --lane) [ $# -ge 2 ] || { echo "test.sh: --lane needs one of: ${all_lanes[*]}" >&2; exit 2; }
            [[ " ${all_lanes[*]} " == *" $2 "* ]] || { echo "test.sh: unknown lane '$2' (one of: ${all_lanes[*]})" >&2; exit 2; }
            lanes+=("$2"); shift ;;
    --lane=*) set -- --lane "${1#--lane=}" "${@:2}"; continue ;;
    --no-slow) no_slow=1 ;;
    --filter) [ $# -ge 2 ] || { echo "test.sh: --filter needs an expression" >&2; exit 2; }
              user_filter="$2"; shift ;;
    *) pass+=("$1") ;;
  esac
  shift
done
# Does the run include lane $1? (No --lane/--fast: every lane.)
runs() { [ ${#lanes[@]} -eq 0 ] || [[ " ${lanes[*]} " == *" $1 "* ]]; }

filter=""
if [ ${#lanes[@]} -gt 0 ]; then
  filter=$(printf 'Lane=%s|' "${lanes[@]}"); filter="(${filter%|})"
fi
[ -z "$no_slow" ] || filter="${filter:+$filter&}Slow!=true"
[ -z "$user_filter" ] || filter="${filter:+$filter&}($user_filter)"
[ -z "$filter" ] || pass=(--filter "$filter" "${pass[@]}")

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is not installed." >&2; exit 1; }
done

echo "==> npm packages"
[ -x node_modules/.bin/azurite-table ] && [ -x node_modules/.bin/azurite-blob ] && [ -f node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] \
  || npm ci --no-audit --no-fund --loglevel=error

# Debian packages, for the lanes that run: chromium (browser and containers lanes), redis-server (the
# load tests' Redis-backplane baseline: processes); as root (CI): iproute2 and nftables (the chaos
# smoke's network partitions: processes), docker.io and debootstrap for the container tests, which
# build the images and run them in a dockerd of their own (they are skipped when not root).
missing=()
{ runs browser || runs containers; } && { [ -x /usr/bin/chromium ] || missing+=(chromium); }
runs processes && { [ -x /usr/bin/redis-server ] || missing+=(redis-server); }
if [ "$(id -u)" -eq 0 ]; then
  if runs processes; then
    command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
    command -v nft >/dev/null || [ -x /usr/sbin/nft ] || missing+=(nftables)
  fi
  if runs containers; then
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's prometheus (prometheus and promtool) for the monitoring tests, which run a Prometheus of
# their own on a free port (processes lane), and for the alert rules' promtool tests (pure lane). Its
# package would start a system Prometheus on :9090 (and recommends node-exporter, another service):
# installed without recommends, under a policy-rc.d that denies service starts (kept if the machine
# has one, as Docker images do; removed afterwards otherwise).
if { runs pure || runs processes; } && { ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; }; then
  echo "==> installing Debian package: prometheus (its service is not started)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && own_policy=1
  fi
  install_rc=0
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || install_rc=$?
  [ -z "$own_policy" ] || $sudo rm -f "$policy"
  [ "$install_rc" -eq 0 ] || { echo "test.sh: installing prometheus failed ($install_rc)." >&2; exit "$install_rc"; }
fi

echo "==> build"
dotnet build Cluster.sln -c Release --nologo -v quiet -clp:ErrorsOnly

echo "==> test"
results=$(mktemp -d)
rc=0
# Two streams side by side, each one assembly at a time (they start real servers and browsers, and
# the machine has 2 cores), balanced by their times in CI (seconds, beside each other): the
# integration tests (~600, mostly waiting on clusters: failure detection, drains, a rolling
# upgrade), then the grain tests (~60); and the browser (~280), load-tool (~200), web (~150) and
# security (~40) tests. The deployment tests run last, alone: their monitored cluster checks that no
# alert is even pending (a cold cluster on a crowded machine can take a second to acknowledge), and
# their image builds would crowd the others. The second stream's output is prefixed with [stream 2].
# Job control on (set -m): a background job of a shell without it ignores SIGINT, and so would every
# process it starts.
project() { echo "tests/$1/$1.csproj"; }
second=("$(project Chat.Integration.Tests)" "$(project Chat.Grains.Tests)")
last=$(project Chat.Deployment.Tests)
mapfile -t first < <(dotnet sln Cluster.sln list | grep -E '^tests/.*\.Tests\.csproj$' | grep -vxF "${second[@]/#/-e}" -e "$last")
run_tests() {
  local out=$1; shift
  dotnet test "$@" -c Release --no-build --nologo \
    --logger "console;verbosity=normal" --results-directory "$out" --logger trx "${pass[@]}"
}
run_stream() {
  local out=$1 rc=0; shift
  for p in "$@"; do run_tests "$out" "$p" || rc=$?; done
  return $rc
}
trap '[ -z "${second_pid:-}" ] || kill -- -"$second_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
set -m
( run_stream "$results/second" "${second[@]}" 2>&1 | sed -u 's/^/[stream 2] /'; exit "${PIPESTATUS[0]}" ) &
second_pid=$!
set +m
run_stream "$results/first" "${first[@]}" || rc=$?
wait "$second_pid" || rc=$?
run_tests "$results/first" "$last" || rc=$?

passed=0 failed=0 skipped=0
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
