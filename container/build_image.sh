#!/bin/sh
# Builds the FROM-scratch image with buildah, without pulling anything: a minimal local
# build-stage base (build_base.sh), the context (prepare_context.sh), then the Containerfile.
# With a compiled Linux binary in dist/ it builds the `binary` stage, else `deno-run`.
# Usage: build_image.sh [--binary FILE | --deno] [--tag TAG] [--storage DIR]
# --storage keeps buildah's images in DIR (vfs driver, chroot isolation: no daemon, no
# overlay mounts), so a test can build and remove everything in a temporary folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
app=$(cd "$here/.." && pwd)
version=$(sed -n 's/^export const VERSION = "\(.*\)";$/\1/p' "$app/src/version.ts")
binary=$app/dist/code-review-mcp-$version-x86_64-unknown-linux-gnu
mode=auto
tag=localhost/code-review-mcp:$version
storage=
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) mode=binary; binary=$2; shift 2 ;;
    --deno) mode=deno; shift ;;
    --tag) tag=$2; shift 2 ;;
    --storage) storage=$2; shift 2 ;;
    *) echo "usage: build_image.sh [--binary FILE | --deno] [--tag TAG] [--storage DIR]" >&2; exit 2 ;;
  esac
done
if [ "$mode" = auto ]; then
  if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then mode=binary; else mode=deno; fi
fi

BUILDAH_OPTS="--storage-driver vfs"
if [ -n "$storage" ]; then
  BUILDAH_OPTS="$BUILDAH_OPTS --root $storage/root --runroot $storage/runroot"
fi
export BUILDAH_OPTS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base=localhost/code-review-mcp-build-base:latest
if [ "$mode" = binary ]; then
  "$here/prepare_context.sh" --binary "$binary" "$work/context"
  target=binary
  program=$work/context/code-review-mcp
else
  "$here/prepare_context.sh" --deno "$work/context" >/dev/null 2>&1
  target=deno-run
  program=$work/context/deno
fi
"$here/build_base.sh" "$base" "$program"
# shellcheck disable=SC2086
buildah $BUILDAH_OPTS bud --isolation chroot --pull-never --layers=false --format docker \
  --build-arg "BUILD_BASE=$base" --target "$target" -f "$app/Containerfile" -t "$tag" "$work/context" >&2
# shellcheck disable=SC2086
size=$(buildah $BUILDAH_OPTS inspect --type image --format '{{.OCIv1.Config.User}}' "$tag" >/dev/null &&
  buildah $BUILDAH_OPTS images --format '{{.Size}}' "$tag")
echo "build_image: $tag ($target stage) $size"
