# Sourced by scripts/test and scripts/demo: make .venv (Python 3.11+) and install the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MODCONSOLE_VENV:-$ROOT/.venv}"
pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "modconsole needs Python 3.11 or newer (python3.11 / python3.12 not found)" >&2
  return 1
}
if [ ! -x "$VENV/bin/python" ]; then
  PY="$(pick_python)"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# Reinstall only when pyproject.toml changed since the last install.
STAMP="$VENV/.modconsole-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ] || [ "${1:-}" = "--reinstall" ]; then
  echo "installing modconsole and its dependencies into $VENV (log: $VENV/install.log)" >&2
  if ! "$VENV/bin/python" -m pip install -e "$ROOT[$EXTRAS]" >"$VENV/install.log" 2>&1; then
    tail -30 "$VENV/install.log" >&2
    exit 1
  fi
  "$VENV/bin/python" -c 'import modconsole.cli.main' # fails loudly if the install did not work
  touch "$STAMP"
fi
