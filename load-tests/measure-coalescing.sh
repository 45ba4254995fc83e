#!/usr/bin/env bash
# The relay's coalescing, adaptive (Chat:Relay:CoalesceWindow 00:00:00, the default) against the
# fixed 10 ms window it replaced: compare (plain SignalR and the product, 2,000 lean readers of one
# hot thread) at RATES posts/s, the two settings alternating over ROUNDS rounds so that a
# difference is not the machine's drift. Prints one line per run: p50, p99, p99.9, deliveries/s and
# the CPU of both sides. Everything runs on loopback and stops by itself; about 2 minutes a run.
# Run it on a quiet machine.
#   ROUNDS=2 RATES="100 180" load-tests/measure-coalescing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/coalescing-$(date +%Y%m%d-%H%M%S)}
ROUNDS=${ROUNDS:-2}
RATES=${RATES:-"100 180"}
mkdir -p "$OUT"
command -v redis-server >/dev/null || { echo "measure-coalescing.sh: redis-server is needed (apt-get install -y redis-server)" >&2; exit 1; }
command -v jq >/dev/null || { echo "measure-coalescing.sh: jq is needed (apt-get install -y jq)" >&2; exit 1; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build -c Release --nologo -v quiet -clp:ErrorsOnly load-tests/Chat.LoadTests
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
for round in $(seq "$ROUNDS"); do
  for rate in $RATES; do
    for window in 00:00:00 00:00:00.010; do
      run="$OUT/r$round-$rate-${window//:/}"
      mkdir -p "$run"
      dotnet load-tests/Chat.LoadTests/bin/Release/net10.0/Chat.LoadTests.dll compare --targets baseline,product \
        --rate "$rate" --posters 4 --duration 20s --warmup 9s --no-live --out "$run" \
        --product-env "Chat__Relay__CoalesceWindow=$window" > "$run/output.txt" 2>&1 || true
      json=$(ls "$run"/compare-hot-thread-*.json 2>/dev/null | head -1)
      if [ -z "$json" ]; then echo "round $round, $rate/s, window $window: no result (see $run/output.txt)" | tee -a "$OUT/summary.txt"; continue; fi
      jq -r --arg r "$round" --arg rate "$rate" --arg w "$window" '.[] | "round \($r)  \($rate)/s  window \($w)  \(.target // .name)  p50 \(.latencyMs.p50 // .p50Ms) ms  p99 \(.latencyMs.p99 // .p99Ms) ms  p99.9 \(.latencyMs.p999 // .p999Ms) ms  deliveries/s \(.deliveriesPerSec // .deliveriesPerSecond)"' "$json" 2>/dev/null | tee -a "$OUT/summary.txt" \
        || { echo "round $round, $rate/s, window $window: see $json" | tee -a "$OUT/summary.txt"; }
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
echo "==> results in $OUT"
