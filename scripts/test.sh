#!/usr/bin/env bash
# `make test`: every check, in order; a failed step does not hide the others.
# Ends with one summary line and exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p var/log var/results

PASSED=() FAILED=() SKIPPED=()
T0=$(date +%s)

step() {  # step NAME COMMAND...: runs one check and records its result and duration
  local name=$1; shift
  local start=$SECONDS
  echo; echo "=== $name: $*"
  if "$@"; then
    PASSED+=("$name($((SECONDS - start))s)")
  else
    FAILED+=("$name($((SECONDS - start))s)")
    echo "=== $name FAILED"
  fi
}

summary() {
  local total=$(( ${#PASSED[@]} + ${#FAILED[@]} ))
  echo
  if [ ${#FAILED[@]} -eq 0 ]; then
    echo "SUMMARY: PASSED ${#PASSED[@]}/$total steps in $(( $(date +%s) - T0 ))s: ${PASSED[*]}${SKIPPED:+ (not run: ${SKIPPED[*]})}"
    exit 0
  fi
  echo "SUMMARY: FAILED ${#FAILED[@]}/$total steps in $(( $(date +%s) - T0 ))s: ${FAILED[*]}; passed: ${PASSED[*]:-none}${SKIPPED:+; not run: ${SKIPPED[*]}}"
  exit 1
}

# The gateway's venv too: the channel unit tests hand documents to a real gateway.
step install bash -c 'scripts/install.sh && edistrict/bin/install'
if [ ${#FAILED[@]} -gt 0 ]; then summary; fi

step lint bash -c '.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy'
step unit .venv/bin/python -m pytest -m "not integration" -q
if [ -x edistrict/bin/test ]; then
  step gateway bash -c 'edistrict/bin/install && edistrict/bin/test -q'
fi
step validate .venv/bin/rasa data validate --fail-on-warnings
step train scripts/train.sh
if [[ " ${FAILED[*]} " == *" train("* ]]; then
  SKIPPED+=(stories nlu integration)
  summary
fi
step stories .venv/bin/rasa test core --model models/current.tar.gz --stories tests/test_stories.yml \
  --e2e --fail-on-prediction-errors --out var/results/core
step nlu .venv/bin/python -m scripts.evaluate_nlu --enforce --custom-model models/current.tar.gz --no-stock
step integration .venv/bin/python -m pytest -m integration -q
summary
