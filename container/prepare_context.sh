#!/bin/sh
# The image's build context, from this checkout: stage_rootfs.sh plus either a compiled
# Linux binary (--binary FILE) or, where no Deno runtime can compile one, the deno binary
# running the tests, the app (main.ts, src/, deno.json, deno.lock) and a DENO_DIR holding
# exactly its dependencies (--deno). Usage: prepare_context.sh (--binary FILE | --deno) OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
app=$(cd "$here/.." && pwd)
mode=${1:-}
case "$mode" in
  --binary) binary=$2; out=$3 ;;
  --deno) out=$2 ;;
  *) echo "usage: prepare_context.sh (--binary FILE | --deno) OUTDIR" >&2; exit 2 ;;
esac

rm -rf "$out"
mkdir -p "$out"
cp "$here/stage_rootfs.sh" "$out/stage_rootfs.sh"
if [ "$mode" = --binary ]; then
  cp "$binary" "$out/code-review-mcp"
  exit 0
fi

deno=${DENO_BIN:-$(command -v deno)}
cp "$(readlink -f "$deno")" "$out/deno"
mkdir -p "$out/app"
cp -R "$app/main.ts" "$app/src" "$app/deno.json" "$app/deno.lock" "$out/app/"
# A fresh DENO_DIR with the dependency graph of the server and of its worker, from the
# lock file; the image runs with --cached-only, so nothing is fetched at run time.
DENO_DIR="$out/deno-dir" "$out/deno" cache --frozen --config "$out/app/deno.json" \
  "$out/app/main.ts" "$out/app/src/sandbox/worker.ts" "$out/app/src/linters/ruff/wasm_module.js"
