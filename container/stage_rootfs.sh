#!/bin/sh
# The image's build stage: lays out the final FROM-scratch file system in ROOTFS from the
# prepared context CTX (see prepare_context.sh): the server (a compiled binary, or deno with
# the app and its cached dependencies), exactly the shared libraries ldd reports for it,
# /tmp, the /workspace mount point, and passwd/group naming the numeric user 65532.
# Needs only sh, ldd, mkdir, cp and chmod: it runs in a Debian stage or a minimal local one.
# Usage: stage_rootfs.sh CTX ROOTFS
set -eu
ctx=$1
rootfs=$2

mkdir -p "$rootfs/tmp" "$rootfs/workspace" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
chmod 0755 "$rootfs/workspace"

if [ -f "$ctx/code-review-mcp" ]; then
  program=/code-review-mcp
  cp "$ctx/code-review-mcp" "$rootfs$program"
else
  program=/deno
  cp "$ctx/deno" "$rootfs$program"
  cp -R "$ctx/app" "$rootfs/app"
  cp -R "$ctx/deno-dir" "$rootfs/deno-dir"
  chmod -R a+rX "$rootfs/app" "$rootfs/deno-dir"
fi
chmod 0755 "$rootfs$program"

# Every library the loader would map, at the path it would look for it ("=> /path" or a
# bare absolute path for the loader itself); linux-vdso lives in the kernel.
ldd "$rootfs$program" > "$rootfs.ldd"
while read -r first second third _; do
  if [ "$third" = not ]; then
    echo "stage_rootfs: $first is not installed in the build stage (ldd: not found)" >&2
    exit 1
  fi
  case "$second" in
    "=>") lib=$third ;;
    *) lib=$first ;;
  esac
  case "$lib" in
    /*) ;;
    *) continue ;;
  esac
  mkdir -p "$rootfs${lib%/*}"
  cp -L "$lib" "$rootfs$lib"
  echo "stage_rootfs: $lib"
done < "$rootfs.ldd"
rm -f "$rootfs.ldd"

printf 'root:x:0:0:root:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
echo "stage_rootfs: $program ready in $rootfs"
