#!/usr/bin/env bash
# Trains models/current.tar.gz unless one exists for exactly the current config, domain,
# training data, catalog and custom components (fingerprint kept next to the model).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

MODEL=models/current.tar.gz
FPRINT=models/current.fingerprint
want=$(find config.yml domain.yml data components delhi catalog -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.json' -o -name '*.txt' \) 2>/dev/null \
       | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)

if [ -f "$MODEL" ] && [ -f "$FPRINT" ] && [ "$(cat "$FPRINT")" = "$want" ] && [ "${FORCE_TRAIN:-}" != 1 ]; then
  echo "==> Model is up to date ($MODEL)"
  exit 0
fi

echo "==> Training $MODEL (log: var/log/train.log)"
mkdir -p models var/log
start=$(date +%s)
if ! .venv/bin/rasa train --out models --fixed-model-name current --force > var/log/train.log 2>&1; then
  tail -n 40 var/log/train.log >&2
  echo "ERROR: training failed; full log in var/log/train.log" >&2
  exit 1
fi
echo "$want" > "$FPRINT"
echo "==> Trained in $(( $(date +%s) - start ))s"
