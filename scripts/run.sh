#!/usr/bin/env bash
# Starts the action server, the e-District gateway (when present), the Rasa server and the
# public edge (nginx, when installed), then either opens the terminal chat (`run.sh chat`)
# or waits (`run.sh serve`). `run.sh shell` starts only the action server and the gateway,
# then Rasa's own `rasa shell` (which runs its own Rasa server). Ctrl-C (or the chat's
# /quit) stops every process started here.
# Logs: var/log/.
#
# Boundary: Rasa (API behind RASA_TOKEN), the action server (ACTION_SERVER_TOKEN) and the
# gateway listen on 127.0.0.1 only; the one public port (PUBLIC_PORT, default 8080) is nginx,
# which exposes only the WhatsApp/Twilio webhooks and the gateway's verification pages.
# Without those two variables, random ones are made once and kept in var/secrets.env (600).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

MODE=${1:-chat}
export RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=5055            # fixed: endpoints.yml points the Rasa server at it
export EDISTRICT_PORT=${EDISTRICT_PORT:-8001}
GATEWAY_PORT=$EDISTRICT_PORT
export PUBLIC_PORT=${PUBLIC_PORT:-8080}
export EDISTRICT_HOST=${EDISTRICT_HOST:-127.0.0.1}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
mkdir -p var/log

# RASA_TOKEN and ACTION_SERVER_TOKEN: from the environment, else var/secrets.env (created
# once, mode 600). Every process started below inherits them.
TOKENS=$(.venv/bin/python -m infra.tokens)
eval "$TOKENS"

NGINX=$(.venv/bin/python -c 'from infra.edge import find_nginx; print(find_nginx() or "")')
[ "$MODE" = shell ] && NGINX=""

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$RASA_PORT" "$ACTIONS_PORT" ${NGINX:+"$PUBLIC_PORT"}; do
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

# wait_for NAME URL PID [any]: until URL answers 2xx (any HTTP status with "any"), the
# process dies, or 180 s pass. RASA_TOKEN is added as ?token= for Rasa's /status.
wait_for() {
  local name=$1 url=$2 pid=$3 accept=${4:-ok}
  for _ in $(seq 1 360); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "ERROR: $name exited; last lines of var/log/$name.log:" >&2
      tail -n 30 "var/log/$name.log" >&2
      exit 1
    fi
    if .venv/bin/python - "$url" "$accept" 2>/dev/null <<'PY'
import os, sys, urllib.error, urllib.parse, urllib.request
url, accept = sys.argv[1], sys.argv[2]
if url.endswith("/status"):
    url += "?" + urllib.parse.urlencode({"token": os.environ["RASA_TOKEN"]})
try:
    urllib.request.urlopen(url, timeout=2)
except urllib.error.HTTPError:
    sys.exit(0 if accept == "any" else 1)
PY
    then
      return 0
    fi
    sleep 0.5
  done
  echo "ERROR: $name did not answer on $url within 180 s (see var/log/$name.log)" >&2
  exit 1
}

start actions .venv/bin/python -m infra.action_server --actions actions --host 127.0.0.1 \
  --port "$ACTIONS_PORT"
ACTIONS_PID=${PIDS[-1]}
if [ -x edistrict/bin/serve ]; then
  edistrict/bin/install
  start gateway edistrict/bin/serve
  GATEWAY_PID=${PIDS[-1]}
fi
wait_backends() {
  wait_for actions "http://127.0.0.1:$ACTIONS_PORT/health" "$ACTIONS_PID"
  [ -z "${GATEWAY_PID:-}" ] || wait_for gateway "http://127.0.0.1:$GATEWAY_PORT/health" "$GATEWAY_PID"
}
if [ "$MODE" = shell ]; then
  wait_backends
  echo "==> rasa shell (its Rasa server logs to the terminal; /stop or Ctrl-C ends it)"
  .venv/bin/rasa shell --model models/current.tar.gz -i 127.0.0.1 --port "$RASA_PORT"
  exit 0
fi

# infra.rasa_server adds --auth-token "$RASA_TOKEN" inside the process (not visible in ps).
start rasa .venv/bin/python -m infra.rasa_server --model models/current.tar.gz \
  --endpoints endpoints.yml --credentials credentials.yml --enable-api \
  -i 127.0.0.1 --port "$RASA_PORT"
RASA_PID=${PIDS[-1]}
# Deletes idle conversations and old delivery records (docs/privacy.md "Retention").
start retention .venv/bin/python -m infra.retention run
if [ -n "$NGINX" ]; then
  EDGE_CMD=$(.venv/bin/python -m infra.edge render)
  # shellcheck disable=SC2086  # the rendered command is a plain word list
  start edge $EDGE_CMD
  EDGE_PID=${PIDS[-1]}
else
  echo "WARNING: nginx is not installed, so there is no public edge on port $PUBLIC_PORT" >&2
  echo "         (WhatsApp webhooks, verification pages). Install it: sudo apt-get install" >&2
  echo "         nginx-light (scripts/install.sh does it when run as root). The terminal" >&2
  echo "         chat works without it." >&2
fi

wait_backends
wait_for rasa "http://127.0.0.1:$RASA_PORT/status" "$RASA_PID"
EDGE_HOST=${PUBLIC_HOST:-0.0.0.0}; [ "$EDGE_HOST" = 0.0.0.0 ] && EDGE_HOST=127.0.0.1
[ -n "${EDGE_PID:-}" ] && wait_for edge "http://$EDGE_HOST:$PUBLIC_PORT/" "$EDGE_PID" any
echo "==> Ready: Rasa http://127.0.0.1:$RASA_PORT (local only; API token in var/secrets.env"
echo "    unless RASA_TOKEN was set; REST webhook /webhooks/rest/webhook)"
if [ -n "${GATEWAY_PID:-}" ]; then
  echo "==> Officer console http://127.0.0.1:$GATEWAY_PORT/console (local only; development officer:"
  echo "    id dev-officer, token dev-officer-token, unless EDISTRICT_OFFICER_TOKENS was set)"
fi
if [ -n "${EDGE_PID:-}" ]; then
  echo "==> Public edge http://${PUBLIC_HOST:-0.0.0.0}:$PUBLIC_PORT: /webhooks/whatsapp/, /webhooks/twilio_whatsapp/,"
  echo "    /verify/, /v/, /verify-key, /certificates/ only"
fi

if [ "$MODE" = chat ]; then
  .venv/bin/python -m scripts.chat --url "http://127.0.0.1:$RASA_PORT"
else
  echo "==> Serving; press Ctrl-C to stop"
  wait -n "${PIDS[@]}"
  echo "ERROR: a process exited; see var/log/" >&2
  exit 1
fi
