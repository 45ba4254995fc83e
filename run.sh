#!/usr/bin/env bash
# Sets up and runs the product on this machine: Azurite (table storage, data on disk) and the web
# host co-hosting an Orleans silo. Ctrl-C or SIGTERM stops everything cleanly.
#   ./run.sh            one process: Chat.Web with a silo inside, on PORT
#   ./run.sh --cluster [--silos N] [--web M]
#                       a local multi-process cluster: N Chat.Silo processes (default 2) and M Chat.Web
#                       nodes (default 2, Orleans clients of the silos) on PORT, PORT+1, ...
#                       A node that dies leaves the rest running; the script says how to start it again.
#   ./run.sh --no-build ...   skip the build and run what the last Release build left (tests that
#                       built the solution already use it; it stops if a host was never built)
#   PORT      web port (default 5000)
#   DATA_DIR  where Azurite keeps its data (default ./.data)
#   AZURITE_TABLE_PORT  Azurite's table port (default 10002)
#   AZURITE_BLOB_PORT   Azurite's blob port (default: the table port - 2, so 10000), where search keeps copies of its index
#   SILO_PORT, GATEWAY_PORT, SILO_HEALTH_PORT  --cluster: the first silo's silo-to-silo, gateway and
#             health ports (defaults 11111, 30000, 8081); silo i uses each plus i
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
PORT=${PORT:-5000}
DATA_DIR=${DATA_DIR:-$root/.data}
TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
BLOB_PORT=${AZURITE_BLOB_PORT:-$((TABLE_PORT - 2))}
SILO_PORT=${SILO_PORT:-11111}
GATEWAY_PORT=${GATEWAY_PORT:-30000}
SILO_HEALTH_PORT=${SILO_HEALTH_PORT:-8081}
usage() { echo "usage: ./run.sh [--no-build] [--cluster [--silos N] [--web M]]   (N, M: 1 to 9)" >&2; exit 2; }
mode=single silos=2 webs=2 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster) mode=cluster ;;
    --no-build) build="" ;;
    --silos) [ $# -ge 2 ] || usage; silos=$2; shift ;;
    --web) [ $# -ge 2 ] || usage; webs=$2; shift ;;
    *) usage ;;
  esac
  shift
done
[[ "$silos" =~ ^[1-9]$ && "$webs" =~ ^[1-9]$ ]] || usage
if [ "$mode" = single ] && { [ "$silos" != 2 ] || [ "$webs" != 2 ]; }; then
  echo "run.sh: --silos and --web go with --cluster." >&2; exit 2
fi

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not installed; it is needed to build and run the site." >&2; exit 1; }
done
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
web_ports=("$PORT")
if [ "$mode" = cluster ]; then
  web_ports=(); for ((i = 0; i < webs; i++)); do web_ports+=("$((PORT + i))"); done
fi
for p in "${web_ports[@]}"; do
  if port_busy "$p"; then echo "run.sh: port $p is in use; set PORT to a free port (PORT=5050 ./run.sh)." >&2; exit 1; fi
done
if [ "$mode" = cluster ]; then
  for ((i = 0; i < silos; i++)); do
    for p in "$((SILO_PORT + i))" "$((GATEWAY_PORT + i))" "$((SILO_HEALTH_PORT + i))"; do
      if port_busy "$p"; then echo "run.sh: port $p (a silo's) is in use; set SILO_PORT, GATEWAY_PORT or SILO_HEALTH_PORT to free ones." >&2; exit 1; fi
    done
  done
fi
if port_busy "$TABLE_PORT"; then echo "run.sh: port $TABLE_PORT (Azurite) is in use; stop what uses it or set AZURITE_TABLE_PORT." >&2; exit 1; fi
if port_busy "$BLOB_PORT"; then echo "run.sh: port $BLOB_PORT (Azurite's blob service) is in use; stop what uses it or set AZURITE_BLOB_PORT." >&2; exit 1; fi

echo "==> npm packages (Azurite, SignalR browser client)"
[ -x node_modules/.bin/azurite-table ] && [ -x node_modules/.bin/azurite-blob ] && [ -f node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] \
  || npm ci --no-audit --no-fund --loglevel=error
hosts=(Chat.Web); [ "$mode" = cluster ] && hosts+=(Chat.Silo)
if [ -n "$build" ]; then
  echo "==> building"
  for host in "${hosts[@]}"; do dotnet build "src/$host" -c Release --nologo -v quiet -clp:ErrorsOnly; done
else
  for host in "${hosts[@]}"; do
    [ -f "src/$host/bin/Release/net10.0/$host.dll" ] || { echo "run.sh: --no-build, but src/$host has no Release build; run without --no-build." >&2; exit 1; }
  done
  echo "==> not building (--no-build): running the last Release build"
fi

mkdir -p "$DATA_DIR/azurite" "$DATA_DIR/azurite-blob"
azurite_pid="" blob_pid="" pids=()
stop() {
  local rc=$?
  trap - INT TERM EXIT
  # Web nodes first, then silos (SIGTERM: they leave the cluster and hand off their grains).
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # SIGINT, not SIGTERM: azurite-table drops its last seconds of writes on SIGTERM.
  [ -n "$azurite_pid" ] && kill -INT "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null || true
  [ -n "$blob_pid" ] && kill -INT "$blob_pid" 2>/dev/null && wait "$blob_pid" 2>/dev/null || true
  echo "==> stopped"
  exit "$rc"
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
echo "==> starting Azurite's blob service on 127.0.0.1:$BLOB_PORT (search index copies; data in $DATA_DIR/azurite-blob)"
setsid node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" \
  --location "$DATA_DIR/azurite-blob" --disableTelemetry --silent --skipApiVersionCheck &
blob_pid=$!
for _ in $(seq 1 100); do port_busy "$BLOB_PORT" && break; sleep 0.1; done
port_busy "$BLOB_PORT" || { echo "run.sh: Azurite's blob service did not start" >&2; exit 1; }

export Chat__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;"
# The search shards' index files, beside Azurite's data (a folder per cluster and silo inside).
export Chat__Search__IndexDirectory="${Chat__Search__IndexDirectory:-$DATA_DIR/search}"
wait_ready() { # url pid name
  for _ in $(seq 1 600); do
    curl -fs "$1/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "run.sh: $3 exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "run.sh: $3 did not become ready at $1" >&2; exit 1
}

# Each node's start command, by pid: printed again if the node dies, so it can be started by hand.
declare -A name_of=() command_of=()
start_node() { # name command
  (eval "$2") &
  pids=("$!" "${pids[@]}")
  name_of[$!]=$1 command_of[$!]=$2
}

if [ "$mode" = single ]; then
  echo "==> starting Chat.Web (co-hosting a silo)"
  start_node Chat.Web "cd src/Chat.Web && exec dotnet bin/Release/net10.0/Chat.Web.dll --urls http://127.0.0.1:$PORT"
  wait_ready "http://127.0.0.1:$PORT" "$!" Chat.Web
  echo
  echo "    Chat is running at http://127.0.0.1:$PORT   (Ctrl-C stops it)"
  echo
  wait -n "${pids[@]}"
  exit
fi

# A fresh ClusterId per run: grain state is keyed by ServiceId, so data carries over, and no stale
# membership row from an earlier run can hold up the new silos.
export Chat__Cluster__ClusterId="local-$(date +%s)"
# Failure detection as production has it (k8s/base/silo-configmap.yaml), so that a silo killed or
# frozen here is declared dead in the same few seconds (docs/operations.md, "Failure detection"); a
# Chat__Membership__* already in the environment wins.
for setting in $(sed -n 's/^  \(Chat__Membership__[A-Za-z]*\): *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1=\2/p' k8s/base/silo-configmap.yaml); do
  key=${setting%%=*}
  [ -n "${!key:-}" ] || export "$setting"
done
# What a node started by hand needs to join this cluster (see "To start it again" below).
cluster_env="$DATA_DIR/cluster.env"
{ echo "export Chat__Storage__ConnectionString='$Chat__Storage__ConnectionString'"
  echo "export Chat__Cluster__ClusterId='$Chat__Cluster__ClusterId'"
  echo "export Chat__Search__IndexDirectory='$Chat__Search__IndexDirectory'"
  env | grep '^Chat__Membership__' | sed "s/^\([^=]*\)=\(.*\)$/export \1='\2'/" || true; } > "$cluster_env"
for ((i = 0; i < silos; i++)); do
  name="Chat.Silo $((i + 1))" health=$((SILO_HEALTH_PORT + i))
  echo "==> starting $name (silo port $((SILO_PORT + i)), gateway $((GATEWAY_PORT + i)), health http://127.0.0.1:$health)"
  start_node "$name" "cd src/Chat.Silo && Chat__Silo__SiloPort=$((SILO_PORT + i)) Chat__Silo__GatewayPort=$((GATEWAY_PORT + i)) exec dotnet bin/Release/net10.0/Chat.Silo.dll --urls http://127.0.0.1:$health"
  echo "    $name is pid $!"
done
for pid in "${pids[@]}"; do
  wait_ready "http://127.0.0.1:${command_of[$pid]##*:}" "$pid" "${name_of[$pid]}"
done
for p in "${web_ports[@]}"; do
  name="Chat.Web on $p"
  echo "==> starting $name (Orleans client of the silos)"
  start_node "$name" "cd src/Chat.Web && Chat__Topology=Client exec dotnet bin/Release/net10.0/Chat.Web.dll --urls http://127.0.0.1:$p"
  echo "    $name is pid $!"
  wait_ready "http://127.0.0.1:$p" "$!" "$name"
done
echo
echo "    Chat is running on $webs web node(s): $(printf 'http://127.0.0.1:%s ' "${web_ports[@]}")"
echo "    and $silos silo(s).   (Ctrl-C stops everything)"
[ "$webs" -gt 1 ] && echo "    Open one thread on two nodes to watch it live across them."
echo

# A cluster keeps running when one of its nodes dies: say which, and how to bring it back.
running=("${pids[@]}")
while [ ${#running[@]} -gt 0 ]; do
  died="" status=0
  wait -n -p died "${running[@]}" || status=$?
  [ -n "$died" ] || break
  remaining=()
  for pid in "${running[@]}"; do [ "$pid" = "$died" ] || remaining+=("$pid"); done
  running=("${remaining[@]}")
  reason="exited with status $status"; [ "$status" -gt 128 ] && reason="was killed by signal $((status - 128))"
  echo
  echo "==> ${name_of[$died]} (pid $died) $reason; ${#running[@]} node(s) keep running."
  echo "    To start it again, in another terminal (Ctrl-C there stops it):"
  echo "      (source '$cluster_env' && cd '$root' && ${command_of[$died]})"
done
echo "==> every node has exited"
