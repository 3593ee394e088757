#!/usr/bin/env bash
# Starts the action server, the e-District gateway (when present) and the Rasa server, then
# either opens the terminal chat (`run.sh chat`) or waits (`run.sh serve`).
# Ctrl-C (or the chat's /quit) stops every process started here. Logs: var/log/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

MODE=${1:-chat}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=5055            # fixed: endpoints.yml points the Rasa server at it
GATEWAY_PORT=${EDISTRICT_PORT:-8001}
mkdir -p var/log

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$RASA_PORT" "$ACTIONS_PORT"; do
  if port_busy "$p"; then
    echo "ERROR: port $p is already in use (another 'make run'?). Stop that process first." >&2
    exit 1
  fi
done

scripts/train.sh

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo; echo "==> Stopping ${#PIDS[@]} processes"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() {  # start NAME COMMAND...: runs COMMAND in the background, logging to var/log/NAME.log
  local name=$1; shift
  "$@" > "var/log/$name.log" 2>&1 &
  PIDS+=("$!")
  echo "==> Started $name (pid $!, log var/log/$name.log)"
}

wait_for() {  # wait_for NAME URL PID: until URL answers, the process dies, or 180 s pass
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 360); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "ERROR: $name exited; last lines of var/log/$name.log:" >&2
      tail -n 30 "var/log/$name.log" >&2
      exit 1
    fi
    if .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "ERROR: $name did not answer on $url within 180 s (see var/log/$name.log)" >&2
  exit 1
}

start actions .venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT"
ACTIONS_PID=${PIDS[-1]}
if [ -x edistrict/bin/serve ]; then
  edistrict/bin/install
  start gateway edistrict/bin/serve
  GATEWAY_PID=${PIDS[-1]}
fi
start rasa .venv/bin/rasa run --model models/current.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --enable-api --port "$RASA_PORT"
RASA_PID=${PIDS[-1]}

wait_for actions "http://127.0.0.1:$ACTIONS_PORT/health" "$ACTIONS_PID"
[ -n "${GATEWAY_PID:-}" ] && wait_for gateway "http://127.0.0.1:$GATEWAY_PORT/health" "$GATEWAY_PID"
wait_for rasa "http://127.0.0.1:$RASA_PORT/status" "$RASA_PID"
echo "==> Ready: Rasa http://localhost:$RASA_PORT (REST webhook /webhooks/rest/webhook)"

if [ "$MODE" = chat ]; then
  .venv/bin/python -m scripts.chat --url "http://127.0.0.1:$RASA_PORT"
else
  echo "==> Serving; press Ctrl-C to stop"
  wait -n "${PIDS[@]}"
  echo "ERROR: a process exited; see var/log/" >&2
  exit 1
fi
