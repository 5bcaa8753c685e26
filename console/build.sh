#!/bin/sh
# Builds the web console and copies it into OUT_DIR (Maven: sh console/build.sh server/target/classes/console,
# which the server serves at / from its classpath folder console/).
#
# npm ci runs only when node_modules is missing or older than package-lock.json. Without npm (or with a Node.js
# too old for Vite) it prints a warning and exits 0 having written nothing: the server then works without its
# console, and says so at /.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: sh console/build.sh OUT_DIR" >&2
  exit 2
fi
case $1 in
  /*) out=$1 ;;
  *) out=$(pwd)/$1 ;;
esac
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
here=$(cd "$here" && pwd)

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "WARNING: npm/node not found: the web console is not built (the server serves the REST API without it)." >&2
  echo "WARNING: install Node.js 20.19+ and npm, then rebuild, to get the console." >&2
  exit 0
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "WARNING: Node.js $(node --version) is older than 20.19, which Vite needs: the web console is not built." >&2
  exit 0
fi

cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
npm run --silent build

mkdir -p "$out"
# Replace what an earlier build copied (hashed asset names change), nothing else.
rm -rf "$out/assets" "$out/index.html"
cp -R dist/. "$out/"
echo "console built into $out"
