#!/usr/bin/env bash
# Set up hearlab in ./.venv on a fresh machine (idempotent: a second run only checks).
# torch is installed first and pinned by HEARLAB_TORCH (default torch==2.13.0, the CPU wheel
# these machines carry); every later requirement leaves that torch in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet "${HEARLAB_TORCH:-torch==2.13.0}" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import torch" || { echo "setup: torch failed to install" >&2; exit 1; }
.venv/bin/python -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import hearlab, librosa" || { echo "setup: hearlab failed to install" >&2; exit 1; }
echo "setup: ok ($(.venv/bin/python -c 'import torch, hearlab; print("hearlab", hearlab.__version__, "torch", torch.__version__)'))"
