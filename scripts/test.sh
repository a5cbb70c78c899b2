#!/usr/bin/env bash
# Run the whole test suite (offscreen Qt), after preparing the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
JIFEN_TEST=1 ./scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
# As root on Debian the bootstrap has just installed PostgreSQL: its tests must run, not skip.
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export JIFEN_TEST_PG=1
fi
.venv/bin/ruff check desktop tests scripts
# One worker per core, at most four (each builds the demo station once); a test file stays on one
# worker, so its module fixtures are built once. JIFEN_TEST_WORKERS=0 runs everything in-process.
exec .venv/bin/python -m pytest -n "${JIFEN_TEST_WORKERS:-auto}" --maxprocesses 4 --dist loadfile "$@"
