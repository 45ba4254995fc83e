#!/usr/bin/env bash
# Reruns the product-alone and storage measurements of docs/performance.md in one go:
# compare (plain SignalR, SignalR + Redis on 2 nodes, the product), the storage benchmark, and the
# product alone under ramp, many-threads, connect-storm and idle-connections (on a fresh server, so
# that its memory per connection is not flattered by a heap grown in earlier runs).
# Everything runs on loopback and stops by itself; results (JSON + PNG) go to $OUT.
# Run it on a quiet machine: the generator shares the cores with the servers.
#   OUT=results/$(date +%F) load-tests/measure.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/measure-$(date +%Y%m%d-%H%M%S)}
PORT=${PORT:-5190}
TABLE_PORT=${AZURITE_TABLE_PORT:-10190}
mkdir -p "$OUT"
command -v redis-server >/dev/null || { echo "measure.sh: redis-server is needed (apt-get install -y redis-server)" >&2; exit 1; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build -c Release --nologo -v quiet -clp:ErrorsOnly load-tests/Chat.LoadTests
dotnet build -c Release --nologo -v quiet -clp:ErrorsOnly src/Chat.Web
lt() { echo "==> $*" | tee -a "$OUT/summary.txt"; dotnet load-tests/Chat.LoadTests/bin/Release/net10.0/Chat.LoadTests.dll "$@" --out "$OUT" --no-live 2>&1 | tee -a "$OUT/summary.txt" | tail -12; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
# 1. Side by side (it starts Azurite, the product, redis and the baselines itself).
lt compare --reader dotnet --readers 500 --posters 10 --rate 100 --duration 20s --rounds 1 || true

# 2. The product alone, fresh for each scenario: Azurite in memory, abuse limits lifted.
start_product() {
  node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" --inMemoryPersistence --disableTelemetry --silent &
  azurite_pid=$!
  (
    cd src/Chat.Web
    export Chat__Storage__ConnectionString="$storage"
    export Chat__SeedDemo=false Chat__Limits__PostsPerSecondPerUser=100000 Chat__Limits__PostBurstPerUser=100000 \
      Chat__Limits__HubInvocationsPerSecond=100000 Chat__Limits__HubInvocationBurst=100000 \
      Chat__Limits__AuthRequestsPerIpPerMinute=100000 Chat__Limits__ConnectionsPerIp=100000
    exec dotnet bin/Release/net10.0/Chat.Web.dll --urls "http://127.0.0.1:$PORT" >"$OUT/product.log" 2>&1
  ) &
  product_pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0; sleep 0.5; done
  echo "measure.sh: the product did not get ready; see $OUT/product.log" >&2; return 1
}
stop_product() {
  kill -TERM "$product_pid" 2>/dev/null || true; wait "$product_pid" 2>/dev/null || true
  kill -INT "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true
}
trap 'stop_product 2>/dev/null || true' EXIT
url=http://127.0.0.1:$PORT
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

# Azurite's own ceiling (single inserts, 100-entity transactions) and the product's acked comments/s
# on one thread, against the same Azurite.
# 15 s each: the first seconds of a fresh server are slower (JIT); 50 posters x 8 posts in flight keep
# two full 100-comment transactions queued (Chat:Threads:MaxFlushesInFlight=2).
start_product; lt storage --url "$url" --table-endpoint "$storage" --posters 50 --in-flight 8 --duration 15s || true; stop_product
start_product; lt idle-connections --url "$url" --readers 2000 --reader dotnet --duration 16s --server-pid "$product_pid" || true; stop_product
# The highest rate one thread sustains (acks keep up, errors <= 1 %, p99 under a generous 1 s),
# then the latency target's check: hot-thread at half that rate.
start_product; lt ramp --url "$url" --readers 200 --start-rate 100 --step 100 --step-duration 8s --p99-limit 1000 || true; stop_product
best=$(grep -ho '"highestSustainableRate": [0-9.]*' "$OUT"/ramp-steps-*.json 2>/dev/null | tail -1 | grep -o '[0-9.]*$' || true)
half=$(python3 -c "print(max(10, int(float('${best:-200}') / 2)))")
start_product; lt hot-thread --url "$url" --readers 200 --posters 20 --rate "$half" --duration 20s || true; stop_product
start_product; lt many-threads --url "$url" --threads 20 --readers 1000 --posters 20 --rate 200 --duration 20s || true; stop_product
start_product; lt connect-storm --url "$url" --connections 2000 --start-rate 100 || true; stop_product
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
echo "==> results in $OUT (summary.txt, JSON, PNG)"
