#!/usr/bin/env bash
# Install everything the tests need, then run them (README: "两条命令上手", the second; CI runs exactly this).
# Uses the active virtualenv, or makes .venv in the checkout when none is active.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v apt-get >/dev/null 2>&1; then
  bash scripts/install-office.sh
else
  echo "apt-get not found: install LibreOffice, poppler-utils and pandoc yourself for the layout tests" >&2
fi
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  . .venv/bin/activate
fi
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[test]"
python -m pytest "$@"
