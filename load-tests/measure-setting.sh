#!/usr/bin/env bash
# One product setting against another, alternating, with plain SignalR as the control in every run:
# `compare` on one hot thread (2,000 lean readers, 4 posters at RATE posts/s) and/or on a community's
# load (`compare --scenario community`: 2 silos, 3 web nodes, 300 threads), each setting in turn, for
# ROUNDS rounds, so that a difference is not the machine's drift. Prints one line per target and run
# (p50, p99, p99.9, ack p99, deliveries/s, the server's and the generator's cores) and keeps every JSON.
# Everything runs on loopback and stops by itself; about 1.5 minutes a hot-thread run and 2.5 a
# community run. Run it on a quiet machine.
#   SETTINGS: the --product-env values to alternate, space-separated (default: the relay's coalescing
#             window counted from a batch's arrival, then from the thread's last send)
#   SCENARIOS: "hot-thread community" (default)   ROUNDS: 3   RATE: 100 (hot thread)
#   ROUNDS=3 load-tests/measure-setting.sh
#   SETTINGS="Chat__Relay__CoalesceWindow=00:00:00 Chat__Relay__CoalesceWindow=00:00:00.010" SCENARIOS=hot-thread load-tests/measure-setting.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/setting-$(date +%Y%m%d-%H%M%S)}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-100}
SCENARIOS=${SCENARIOS:-"hot-thread community"}
SETTINGS=${SETTINGS:-"Chat__Relay__CoalesceFrom=FirstArrival Chat__Relay__CoalesceFrom=LastSend"}
mkdir -p "$OUT"
command -v jq >/dev/null || { echo "measure-setting.sh: jq is needed (apt-get install -y jq)" >&2; exit 1; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build -c Release --nologo -v quiet -clp:ErrorsOnly load-tests/Chat.LoadTests
lt() { dotnet load-tests/Chat.LoadTests/bin/Release/net10.0/Chat.LoadTests.dll "$@"; }
# One line per target of a compare JSON, whichever scenario wrote it.
summarise() {
  jq -r --arg tag "$1" '
    def cores(role): [.processes[]? | select(.role == role) | .cpuCores] | add // 0 | . * 100 | round / 100;
    (if type == "array" then .[] else .targets[] end)
    | (.latency // .latencyMs) as $l | (.ackLatency // .ackMs) as $a
    | "\($tag)  \(.target // .name)  p50 \($l.p50) ms  p99 \($l.p99) ms  p99.9 \($l.p999) ms  ack p99 \($a.p99) ms  deliveries/s \(.deliveriesPerSec | round)  server cores \(.cpu.serverCores // (cores("web") + cores("silo") + cores("azurite") + cores("baseline") + cores("redis")))  generator cores \(.cpu.generatorCores // cores("generator"))"' "$2"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
for round in $(seq "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    for setting in $SETTINGS; do
      run="$OUT/r$round-$scenario-$(echo "$setting" | tr -c 'A-Za-z0-9=.\n' '_')"
      mkdir -p "$run"
      case $scenario in
        hot-thread) lt compare --targets baseline,product --rate "$RATE" --posters 4 --duration 20s --warmup 9s --no-live \
                      --out "$run" --product-env "$setting" > "$run/output.txt" 2>&1 || true ;;
        community)  lt compare --scenario community --targets plain,product --rounds 1 --warmup 30s --no-live \
                      --out "$run/compare.json" --product-env "$setting" > "$run/output.txt" 2>&1 || true ;;
        *) echo "measure-setting.sh: unknown scenario $scenario (hot-thread, community)" >&2; exit 1 ;;
      esac
      json=$(ls "$run"/compare*.json 2>/dev/null | head -1)
      if [ -z "$json" ]; then echo "round $round $scenario $setting: no result (see $run/output.txt)" | tee -a "$OUT/summary.txt"; continue; fi
      summarise "round $round  $scenario  $setting" "$json" | tee -a "$OUT/summary.txt"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
echo "==> results in $OUT"
