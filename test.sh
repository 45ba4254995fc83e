#!/usr/bin/env bash
# Sets up and runs every test: installs the npm packages (Azurite, SignalR browser client) and
# Debian's chromium, redis-server and prometheus (as root also iproute2, nftables, docker.io and debootstrap) when missing, builds the solution and runs `dotnet test Cluster.sln`.
# Tests start their own Azurite and hosts on free loopback ports; nothing needs to be running.
set -euo pipefail
cd "$(dirname "$0")"

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is not installed." >&2; exit 1; }
done

echo "==> npm packages"
[ -x node_modules/.bin/azurite-table ] && [ -f node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] \
  || npm ci --no-audit --no-fund --loglevel=error

# Debian packages: chromium (browser tests), redis-server (the load tests' Redis-backplane baseline);
# as root (CI): iproute2 and nftables (the chaos smoke's network partitions), docker.io and debootstrap
# for the container tests, which build the images and run them in a dockerd of their own (they are
# skipped when not root).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ "$(id -u)" -eq 0 ]; then
  command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  command -v nft >/dev/null || [ -x /usr/sbin/nft ] || missing+=(nftables)
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's prometheus (prometheus and promtool) for the monitoring tests, which run a Prometheus of
# their own on a free port. Its package would start a system Prometheus on :9090 (and recommends
# node-exporter, another service): installed without recommends, under a policy-rc.d that denies
# service starts (kept if the machine has one, as Docker images do; removed afterwards otherwise).
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
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
# One test assembly at a time: they start real servers and browsers, and the machine has 2 cores.
dotnet test Cluster.sln -c Release --no-build --nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory "$results" --logger trx "$@" || rc=$?

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
