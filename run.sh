#!/usr/bin/env bash
# Sets up and runs the product on this machine: Azurite (table storage, data on disk) and the web
# host co-hosting an Orleans silo. Ctrl-C or SIGTERM stops everything cleanly.
#   ./run.sh            one process: Chat.Web with a silo inside, on PORT
#   ./run.sh --cluster  a local multi-process cluster: 2 Chat.Silo processes and 2 Chat.Web nodes
#                       (Orleans clients of the silos) on PORT and PORT+1
#   PORT      web port (default 5000)
#   DATA_DIR  where Azurite keeps its data (default ./.data)
#   AZURITE_TABLE_PORT  Azurite's table port (default 10002)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
PORT=${PORT:-5000}
DATA_DIR=${DATA_DIR:-$root/.data}
TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
mode=single
case "${1:-}" in
  "") ;;
  --cluster) mode=cluster ;;
  *) echo "usage: ./run.sh [--cluster]" >&2; exit 2 ;;
esac

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not installed; it is needed to build and run the site." >&2; exit 1; }
done
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
web_ports=("$PORT"); [ "$mode" = cluster ] && web_ports+=("$((PORT + 1))")
for p in "${web_ports[@]}"; do
  if port_busy "$p"; then echo "run.sh: port $p is in use; set PORT to a free port (PORT=5050 ./run.sh)." >&2; exit 1; fi
done
if port_busy "$TABLE_PORT"; then echo "run.sh: port $TABLE_PORT (Azurite) is in use; stop what uses it or set AZURITE_TABLE_PORT." >&2; exit 1; fi

echo "==> npm packages (Azurite, SignalR browser client)"
[ -x node_modules/.bin/azurite-table ] && [ -f node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] \
  || npm ci --no-audit --no-fund --loglevel=error
echo "==> building"
dotnet build src/Chat.Web -c Release --nologo -v quiet -clp:ErrorsOnly
[ "$mode" = cluster ] && dotnet build src/Chat.Silo -c Release --nologo -v quiet -clp:ErrorsOnly

mkdir -p "$DATA_DIR/azurite"
azurite_pid="" pids=()
stop() {
  trap - INT TERM EXIT
  # Web nodes first, then silos (SIGTERM: they leave the cluster and hand off their grains).
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # SIGINT, not SIGTERM: azurite-table drops its last seconds of writes on SIGTERM.
  [ -n "$azurite_pid" ] && kill -INT "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null || true
  echo "==> stopped"
}
trap stop INT TERM EXIT

echo "==> starting Azurite on 127.0.0.1:$TABLE_PORT (data in $DATA_DIR/azurite)"
# In a session of its own: Ctrl-C in the terminal signals the whole foreground process group, and
# Azurite must outlive the web nodes' shutdown (they save grain state and leave the membership
# table on the way out; without storage they hang retrying). stop() ends it last.
setsid node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" \
  --location "$DATA_DIR/azurite" --disableTelemetry --silent &
azurite_pid=$!
for _ in $(seq 1 100); do port_busy "$TABLE_PORT" && break; sleep 0.1; done
port_busy "$TABLE_PORT" || { echo "run.sh: Azurite did not start" >&2; exit 1; }

export Chat__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
wait_ready() { # url pid name
  for _ in $(seq 1 600); do
    curl -fs "$1/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "run.sh: $3 exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "run.sh: $3 did not become ready at $1" >&2; exit 1
}

if [ "$mode" = single ]; then
  echo "==> starting Chat.Web (co-hosting a silo)"
  (cd src/Chat.Web && exec dotnet bin/Release/net10.0/Chat.Web.dll --urls "http://127.0.0.1:$PORT") &
  pids+=($!)
  wait_ready "http://127.0.0.1:$PORT" "$!" Chat.Web
  echo
  echo "    Chat is running at http://127.0.0.1:$PORT   (Ctrl-C stops it)"
  echo
else
  # A fresh ClusterId per run: grain state is keyed by ServiceId, so data carries over, and no
  # stale membership row from an earlier run can hold up the new silos.
  export Chat__Cluster__ClusterId="local-$(date +%s)"
  for i in 0 1; do
    echo "==> starting Chat.Silo $((i + 1)) (silo port $((11111 + i)), gateway $((30000 + i)), health http://127.0.0.1:$((8081 + i)))"
    (cd src/Chat.Silo && Chat__Silo__SiloPort=$((11111 + i)) Chat__Silo__GatewayPort=$((30000 + i)) \
      exec dotnet bin/Release/net10.0/Chat.Silo.dll --urls "http://127.0.0.1:$((8081 + i))") &
    pids=("$!" "${pids[@]}")
  done
  for i in 0 1; do wait_ready "http://127.0.0.1:$((8081 + i))" "${pids[$((1 - i))]}" "Chat.Silo $((i + 1))"; done
  for p in "${web_ports[@]}"; do
    echo "==> starting Chat.Web on $p (Orleans client of the silos)"
    (cd src/Chat.Web && Chat__Topology=Client exec dotnet bin/Release/net10.0/Chat.Web.dll --urls "http://127.0.0.1:$p") &
    pids=("$!" "${pids[@]}")
    wait_ready "http://127.0.0.1:$p" "$!" "Chat.Web on $p"
  done
  echo
  echo "    Chat is running on two web nodes: http://127.0.0.1:${web_ports[0]} and http://127.0.0.1:${web_ports[1]}"
  echo "    Open one thread on both to watch it live across nodes.   (Ctrl-C stops everything)"
  echo
fi
wait -n "${pids[@]}"
