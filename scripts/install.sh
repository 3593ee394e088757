#!/usr/bin/env bash
# Creates .venv on Python 3.10 and installs requirements.lock into it, then `pip check`.
# A second run is a no-op unless requirements.lock changed (its hash is stamped in the venv).
set -euo pipefail
cd "$(dirname "$0")/.."

# The public edge of `make run` is nginx from the distribution (scripts/debian_packages.sh).
. scripts/debian_packages.sh
ensure_debian_packages /usr/sbin/nginx "the public edge of make run, port 8080" nginx-light

VENV=.venv
STAMP="$VENV/.requirements.lock.sha256"
want=$(sha256sum requirements.lock | cut -d' ' -f1)

# Plain `rasa test` collects every test_*.yml under the project root, .venv included, and
# would run the moodbot tests of `rasa init`'s template (rasa/cli/initial_project/tests) as
# ours. Only `rasa init` reads that folder, and this project never runs it: drop it.
rasa_ready() {
  rm -rf "$VENV"/lib/python3*/site-packages/rasa/cli/initial_project/tests
  # A product holding citizens' data sends no usage data to third parties.
  [ -f "$HOME/.config/rasa/global.yml" ] && grep -q "enabled: false" "$HOME/.config/rasa/global.yml" \
    || RASA_TELEMETRY_ENABLED=false "$VENV/bin/rasa" telemetry disable >/dev/null 2>&1 || true
}

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  rasa_ready
  exit 0
fi

if ! [ -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  PY=$(scripts/find_python.sh)
  echo "==> Creating $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

echo "==> Installing requirements.lock into $VENV (first time takes a few minutes)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<25"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 \
  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
"$VENV/bin/python" -m pip check
rasa_ready
mkdir -p var/log models
echo "$want" > "$STAMP"
echo "==> Environment ready"
