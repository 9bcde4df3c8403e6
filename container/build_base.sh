#!/bin/sh
# A minimal local build-stage image, for machines that cannot pull one: `buildah from
# scratch` plus this host's sh, ldd (with bash and the loader), cp, mkdir, chmod and rm,
# which is all stage_rootfs.sh runs, and the shared libraries ldd lists for them and for
# each PROGRAM given (what Debian's essential libc6 and libgcc-s1 give a Debian stage).
# Usage: build_base.sh IMAGE_NAME [PROGRAM...]  (buildah options come from $BUILDAH_OPTS)
set -eu
image=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs/usr/bin" "$rootfs/usr/lib" "$rootfs/usr/lib64" "$rootfs/tmp"
ln -s usr/bin "$rootfs/bin"
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
for tool in sh bash ldd cp mkdir chmod rm "$@"; do
  case "$tool" in
    /*) src=$tool ;; # a program to stage: only its libraries go in
    *) src=$(command -v "$tool"); cp -L "$src" "$rootfs/usr/bin/$tool" ;;
  esac
  case "$(head -c 4 "$src")" in
    "$(printf '\177ELF')") ;;
    *) continue ;; # a script (ldd): its interpreter is in the list
  esac
  ldd "$src" | while read -r first second third _; do
    case "$second" in "=>") lib=$third ;; *) lib=$first ;; esac
    case "$lib" in /*) ;; *) continue ;; esac
    mkdir -p "$rootfs${lib%/*}"
    cp -L "$lib" "$rootfs$lib"
  done
done
# shellcheck disable=SC2086
ctr=$(buildah $BUILDAH_OPTS from scratch)
# shellcheck disable=SC2086
buildah $BUILDAH_OPTS copy "$ctr" "$rootfs/" / >/dev/null
# shellcheck disable=SC2086
buildah $BUILDAH_OPTS commit --quiet --rm "$ctr" "$image" >/dev/null
echo "build_base: $image"
