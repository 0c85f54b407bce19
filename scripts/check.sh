#!/usr/bin/env bash
# Lint, format check, type check and the test suite, in ./.venv (made by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check
.venv/bin/ruff format --check
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
