#!/usr/bin/env bash
# Set up hearlab in ./.venv on a fresh machine (idempotent: a second run only checks).
# torch is installed first and pinned by HEARLAB_TORCH (default torch==2.13.0, the CPU wheel
# these machines carry; e.g. HEARLAB_TORCH="torch --index-url <a CUDA index>" elsewhere); every
# later requirement accepts that torch, so nothing pulls another build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# pip's warnings about unusable local index folders are noise here; its errors still fail the script.
pip_install() { .venv/bin/python -m pip install --quiet "$@" 2> >(grep -v "is ignored" >&2); }
# shellcheck disable=SC2086  # HEARLAB_TORCH may carry pip options
pip_install ${HEARLAB_TORCH:-torch==2.13.0} numpy
pip_install -e ".[dev]"
.venv/bin/python -c "import torch, hearlab, librosa; print('setup: ok, hearlab', hearlab.__version__, 'torch', torch.__version__)"
