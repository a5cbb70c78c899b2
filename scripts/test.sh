#!/usr/bin/env bash
# Run the whole test suite (offscreen Qt), after preparing the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
JIFEN_TEST=1 ./scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check desktop tests scripts
exec .venv/bin/python -m pytest "$@"
