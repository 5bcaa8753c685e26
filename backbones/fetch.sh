#!/bin/sh
# Fetches the pretrained MobileNetV2 (npm nsfwjs@4.4.0, MIT) and writes a standard TF.js layers model
# to OUT_DIR/model.json + OUT_DIR/group1-shard1of1.bin.
#
# Usage: backbones/fetch.sh OUT_DIR
#
# Never fails the caller: when node/npm are missing or the fetch fails it prints one line saying what to
# do and exits 0, so a Java build without node still succeeds (tests that need the model then skip).
# Uses the npm cache when it holds the package (npm ci --prefer-offline), the registry otherwise.
set -u

OUT_DIR="${1:-}"
if [ -z "$OUT_DIR" ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
case "$0" in */*) HERE="${0%/*}" ;; *) HERE=. ;; esac
HERE="$(cd "$HERE" && pwd)"

if [ -s "$OUT_DIR/model.json" ] && [ -s "$OUT_DIR/group1-shard1of1.bin" ]; then
  echo "backbones: $OUT_DIR/model.json already present"
  exit 0
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "backbones: SKIPPED, node and npm not found: install Node.js 20+ (e.g. apt-get install nodejs npm) and run $HERE/fetch.sh $OUT_DIR"
  exit 0
fi

# npm works in a scratch folder next to the output, so the source tree stays clean.
WORK="$OUT_DIR.npm"
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT_DIR" || { echo "backbones: SKIPPED, cannot create $WORK"; exit 0; }
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/.npmrc" "$WORK/"

LOG="$WORK/npm.log"
if ! (cd "$WORK" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund \
        --fetch-retries=1 --fetch-timeout=60000 >"$LOG" 2>&1); then
  echo "backbones: SKIPPED, 'npm ci' failed (no npm registry and nsfwjs@4.4.0 not in the npm cache?); see $LOG, then rerun $HERE/fetch.sh $OUT_DIR"
  exit 0
fi

if ! node "$HERE/extract.js" "$OUT_DIR" "$WORK/node_modules/nsfwjs/dist/models/mobilenet_v2"; then
  echo "backbones: SKIPPED, extract.js failed (see the message above); rerun $HERE/fetch.sh $OUT_DIR"
  exit 0
fi
rm -rf "$WORK"
