#!/usr/bin/env bash
# Sets up and runs the product on this machine: Azurite (table storage, data on disk) and the web
# host co-hosting an Orleans silo. Ctrl-C or SIGTERM stops both cleanly.
#   PORT      web port (default 5000)
#   DATA_DIR  where Azurite keeps its data (default ./.data)
#   AZURITE_TABLE_PORT  Azurite's table port (default 10002)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
PORT=${PORT:-5000}
DATA_DIR=${DATA_DIR:-$root/.data}
TABLE_PORT=${AZURITE_TABLE_PORT:-10002}

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not installed; it is needed to build and run the site." >&2; exit 1; }
done
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if port_busy "$PORT"; then echo "run.sh: port $PORT is in use; set PORT to a free port (PORT=5050 ./run.sh)." >&2; exit 1; fi
if port_busy "$TABLE_PORT"; then echo "run.sh: port $TABLE_PORT (Azurite) is in use; stop what uses it or set AZURITE_TABLE_PORT." >&2; exit 1; fi

echo "==> npm packages (Azurite, SignalR browser client)"
[ -x node_modules/.bin/azurite-table ] && [ -f node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] \
  || npm ci --no-audit --no-fund --loglevel=error
echo "==> building Chat.Web"
dotnet build src/Chat.Web -c Release --nologo -v quiet -clp:ErrorsOnly

mkdir -p "$DATA_DIR/azurite"
azurite_pid="" web_pid=""
stop() {
  trap - INT TERM EXIT
  [ -n "$web_pid" ] && kill -TERM "$web_pid" 2>/dev/null && wait "$web_pid" 2>/dev/null || true
  # SIGINT, not SIGTERM: azurite-table drops its last seconds of writes on SIGTERM.
  [ -n "$azurite_pid" ] && kill -INT "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null || true
  echo "==> stopped"
}
trap stop INT TERM EXIT

echo "==> starting Azurite on 127.0.0.1:$TABLE_PORT (data in $DATA_DIR/azurite)"
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" \
  --location "$DATA_DIR/azurite" --disableTelemetry --silent &
azurite_pid=$!
for _ in $(seq 1 100); do port_busy "$TABLE_PORT" && break; sleep 0.1; done
port_busy "$TABLE_PORT" || { echo "run.sh: Azurite did not start" >&2; exit 1; }

export Chat__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
echo "==> starting Chat.Web (co-hosting a silo)"
(cd src/Chat.Web && exec dotnet bin/Release/net10.0/Chat.Web.dll --urls "http://127.0.0.1:$PORT") &
web_pid=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$web_pid" 2>/dev/null || { echo "run.sh: Chat.Web exited" >&2; exit 1; }
  sleep 0.1
done
echo
echo "    Chat is running at http://127.0.0.1:$PORT   (Ctrl-C stops it)"
echo
wait "$web_pid"
