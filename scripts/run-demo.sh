#!/usr/bin/env bash
# Start jifen on a demo station (built on first run in ./demo.db).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
if [ ! -f demo.db ]; then
  .venv/bin/jifen --db demo.db demo
fi
exec .venv/bin/jifen --db demo.db "$@"
