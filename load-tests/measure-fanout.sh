#!/usr/bin/env bash
# Reruns the fan-out measurements of docs/performance.md ("Fan-out beside plain SignalR and SignalR +
# Redis", "Where a post's time goes", "Ramp to saturation", "Memory per idle connection"): compare at 30, 60, 100 and 180
# posts/s with 2,000 lean readers (each product row with its stage breakdown), the ramp of plain
# SignalR and the product to saturation, and memory per idle connection, product vs plain SignalR,
# with the product's default GC and with workstation GC. Everything runs on loopback and stops by
# itself; about 30 minutes. Run it on a quiet machine: the generator shares the cores with the servers.
#   OUT=results/fanout-$(date +%F) load-tests/measure-fanout.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/fanout-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
command -v redis-server >/dev/null || { echo "measure-fanout.sh: redis-server is needed (apt-get install -y redis-server)" >&2; exit 1; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build -c Release --nologo -v quiet -clp:ErrorsOnly load-tests/Chat.LoadTests
lt() { echo "==> $*" | tee -a "$OUT/summary.txt"; dotnet load-tests/Chat.LoadTests/bin/Release/net10.0/Chat.LoadTests.dll "$@" --out "$OUT" --no-live 2>&1 | tee -a "$OUT/summary.txt" | tail -40; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
for rate in 30 60; do lt compare --rate "$rate" --posters 4 --duration 20s || true; done
lt compare --rate 100 --posters 4 --duration 20s --warmup 9s || true
lt compare --targets baseline,product --rate 180 --posters 4 --duration 20s --warmup 9s || true
lt compare --scenario ramp --posters 4 --step-duration 8s --warmup 6s || true
lt compare --scenario idle-connections --readers 4000 --rounds 2 || true
lt compare --scenario idle-connections --readers 4000 --rounds 2 --product-env DOTNET_gcServer=0 || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
echo "==> results in $OUT (summary.txt, JSON, PNG)"
