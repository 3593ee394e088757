#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10; we pin 3.10).
# Order: $RASA_PYTHON, pyenv's 3.10.x, python3.10 on PATH, python3 if it is 3.10.
set -euo pipefail

is_py310() { [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
[ -n "${RASA_PYTHON:-}" ] && candidates+=("$RASA_PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    candidates+=("$(pyenv root)/versions/$v/bin/python3.10")
  done
fi
for d in /usr/local/bin /usr/bin "$HOME/.pyenv/versions"/3.10*/bin; do candidates+=("$d/python3.10"); done
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")

for c in "${candidates[@]}"; do
  if is_py310 "$c"; then echo "$c"; exit 0; fi
done

cat >&2 <<'MSG'
ERROR: Python 3.10 was not found (Rasa Open Source 3.6 runs on Python 3.8-3.10 only).
Install it, then run the command again:
  - with pyenv:      pyenv install 3.10.13
  - Debian/Ubuntu:   sudo apt install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - or point to one: RASA_PYTHON=/path/to/python3.10 make run
MSG
exit 1
