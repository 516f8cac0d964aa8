#!/usr/bin/env bash
# Idempotent set-up of the app environment (.venv, Python 3.11+), then `wakala setup` for the
# Rasa environment (Python 3.10) and the NLU model. Cheap when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python311() {
    local candidate
    for candidate in "${WAKALA_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

PYTHON=$(find_python311) || {
    echo "error[WAK001]: Python 3.11 or newer is needed for the app. Install it (e.g. 'pyenv install 3.11')" >&2
    echo "               or point WAKALA_PYTHON at it." >&2
    exit 1
}

stamp_of() { cat requirements/app.lock pyproject.toml | sha256sum | cut -c1-16; }
want=$(stamp_of)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.wakala-stamp 2>/dev/null)" != "$want" ]; then
    echo "==> setting up the app environment in .venv ($("$PYTHON" --version))"
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install -qq --disable-pip-version-check -r requirements/app.lock
    .venv/bin/python -m pip install -qq --disable-pip-version-check --no-deps -e .
    echo "$want" > .venv/.wakala-stamp
fi

exec .venv/bin/wakala setup "$@"
