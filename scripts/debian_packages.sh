# Sourced by the install steps: `ensure_debian_packages <check> <why> <package>...` installs
# Debian packages when <check> (a command name or a path) is missing and this user can
# (root with apt-get); otherwise prints what to install. Never fails the install: the
# feature that needs the packages reports itself as unavailable instead.
ensure_debian_packages() {
  local check=$1 why=$2
  shift 2
  if command -v "$check" >/dev/null 2>&1 || [ -e "$check" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing $* ($why)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 \
        && apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }; then
      return 0
    fi
    echo "WARNING: could not install $*; without them: $why is unavailable" >&2
  else
    echo "NOTE: $* not installed ($why is unavailable). Install with:"
    echo "      sudo apt-get install $*"
  fi
}
