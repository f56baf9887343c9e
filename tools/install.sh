#!/usr/bin/env bash
# Installs the agent and redundancyctl on a box without dpkg: the same files and the same setup steps as the
# Debian package (tools/package.sh; firmware-config/debian/postinst). Run it as root from a checkout, with the
# .NET SDK on the machine (it publishes for the box's architecture, or for --arch).
# Usage: tools/install.sh [--arch amd64|arm64|armhf] [--root DIR]
#   --root DIR: install into DIR instead of / (nothing outside it is touched; systemd is not called).
# An existing /etc/redundancy/agent.json is kept (the new example goes beside it as agent.json.new); an existing
# pair key and the data in /var/lib/redundancy are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=/
arch=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=(--arch "$2"); shift 2 ;;
    --root) root=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it creates a user and installs into $root)" >&2
  exit 1
fi
root=${root%/}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tools/package.sh "${arch[@]}" --stage "$stage"

old=
[ -e "$root/usr/lib/redundancy/redundancy-agent" ] && old=installed
rm -rf "$root/usr/lib/redundancy"
(cd "$stage" && find . -path ./DEBIAN -prune -o \( -type f -o -type l \) -print) | while read -r f; do
  rel=${f#./}
  dest="$root/$rel"
  if [ "$rel" = etc/redundancy/agent.json ] && [ -e "$dest" ]; then
    cp -a "$stage/$rel" "$dest.new"
    echo "install.sh: kept your $dest; the new example is $dest.new"
    continue
  fi
  mkdir -p "$(dirname "$dest")"
  cp -a "$stage/$rel" "$dest"
done
DPKG_ROOT="$root" sh "$stage/DEBIAN/postinst" configure $old
echo "install.sh: installed into ${root:-/}"
