#!/usr/bin/env bash
# The Python client's checks: a virtual environment with the package and its test and arrow
# extras, then ruff (lint and format), mypy --strict, and pytest against the real server.
# Runs from any folder; exits non-zero on the first failure.
#
#   AUDIENCES_PY_VENV  where the environment lives (default: clients/python/.venv); it is reused
#                      while pyproject.toml is unchanged
#   PYTHON             the interpreter that makes it (default: python3)
#
# With --install-only it makes the environment and stops; any other arguments go to pytest.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AUDIENCES_PY_VENV:-$here/.venv}"
python="${PYTHON:-python3}"
started=$SECONDS

# pip reads this machine's package mirror; an index it cannot reach is skipped at once, not retried.
export PIP_RETRIES="${PIP_RETRIES:-0}" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

stamp="$venv/.audiences-installed"
wanted="$(sha256sum "$here/pyproject.toml" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "python client: installing into $venv"
  "$python" -m venv "$venv"
  # pip's notes about this machine's mirror are kept in a log, shown only when the install fails.
  if ! "$venv/bin/python" -m pip install --quiet -e "$here[test,arrow]" >"$venv/pip.log" 2>&1; then
    cat "$venv/pip.log" >&2
    exit 1
  fi
  echo "$wanted" > "$stamp"
fi
echo "python client: environment ready in $((SECONDS - started)) s"
# --install-only: only the environment (CI makes it while npm installs, and runs the checks later).
if [ "${1:-}" = "--install-only" ]; then exit 0; fi

cd "$here"
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
"$venv/bin/mypy" --strict
"$venv/bin/python" -m pytest -p no:cacheprovider "$@"
echo "python client: checks passed in $((SECONDS - started)) s"
