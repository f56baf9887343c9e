#!/usr/bin/env bash
# Builds the Debian packages of the agent, redundancyctl and redundancy-witness into artifacts/packages (or --out DIR):
#   amd64, arm64: self-contained (the .NET runtime inside), ReadyToRun (compiled ahead);
#   armhf: framework-dependent (no linux-arm runtime pack is served to us), needs a .NET 10 runtime on the box
#          (dotnet-runtime-10.0); ARMv6 boards (the first Pi Zero, Pi 1) cannot run .NET at all.
# Usage: tools/package.sh [--arch amd64|arm64|armhf|all] [--out DIR] [--version V] [--stage DIR]
#   --stage DIR: only lay out the installed tree for --arch (one) in DIR, with its DEBIAN/ folder (tools/install.sh).
# Prints, per package, its path, its size and its installed size.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

arches=()
out=artifacts/packages
version=
stage_only=
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) [ "$2" = all ] && arches=(amd64 arm64 armhf) || arches+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --stage) stage_only=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done
if [ ${#arches[@]} -eq 0 ]; then
  case "$(uname -m)" in
    x86_64) arches=(amd64) ;;
    aarch64 | arm64) arches=(arm64) ;;
    armv7l) arches=(armhf) ;;
    *) echo "package.sh: say --arch (amd64, arm64, armhf or all)" >&2; exit 64 ;;
  esac
fi
if [ -n "$stage_only" ] && [ ${#arches[@]} -ne 1 ]; then
  echo "package.sh: --stage lays out one architecture: give one --arch" >&2; exit 64
fi
if [ -z "$version" ]; then
  base=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
  count=$(git rev-list --count HEAD 2>/dev/null || echo 0)
  version="${base:-0.0.0}+git${count}"
fi
case "$version" in
  [0-9]*) ;;
  *) echo "package.sh: --version must start with a digit (Debian version), not '$version'" >&2; exit 64 ;;
esac
[ -n "$stage_only" ] || tools/ensure-deps.sh dpkg:dpkg-deb

fw=firmware-config

# Lays out the installed tree of one architecture in $2.
stage() {
  local arch=$1 root=$2 rid self r2r apphost
  case "$arch" in
    amd64) rid=linux-x64; self=true; r2r=true; apphost=true ;;
    arm64) rid=linux-arm64; self=true; r2r=true; apphost=true ;;
    armhf) rid=linux-arm; self=false; r2r=false; apphost=false ;;
    *) echo "package.sh: unknown architecture '$arch' (amd64, arm64, armhf)" >&2; exit 64 ;;
  esac
  local lib="$root/usr/lib/redundancy" log
  mkdir -p "$lib"
  log=$(mktemp)
  # armhf: no linux-arm runtime pack is served, and a RID-specific publish asks for one even framework-dependent;
  # a portable publish carries every RID's native libraries (runtimes/linux-arm/native among them) instead.
  local ridargs=(-r "$rid" --self-contained "$self")
  [ "$arch" = armhf ] && ridargs=(--self-contained false)
  for project in src/Redundancy.Agent src/Redundancy.Cli src/Redundancy.Witness; do
    if ! dotnet publish "$project" -c Release "${ridargs[@]}" -p:PublishReadyToRun="$r2r" \
        -p:UseAppHost="$apphost" -p:Version="${version%%+*}" -p:InformationalVersion="$version" \
        -o "$lib" -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; exit 1
    fi
  done
  rm -f "$log" "$lib"/*.pdb
  # The three programs share one directory: a package that two of them resolve to different versions leaves only the
  # last one published, and the other program fails to load it. Refuse such a build, naming the package.
  local clash
  clash=$(for deps in "$lib"/*.deps.json; do
      awk '/"libraries": \{/ { f = 1; next } f && /^    "[^"]+\/[^"]+": \{/ { match($0, /"[^"]+\/[^"]+"/); s = substr($0, RSTART + 1, RLENGTH - 2); split(s, p, "/"); print p[1], p[2] }' "$deps"
    done | sort -u | awk '{ n[$1]++; v[$1] = v[$1] " " $2 } END { for (k in n) if (n[k] > 1) print k ":" v[k] }')
  if [ -n "$clash" ]; then
    echo "package.sh: the programs in $lib resolve these packages to different versions (pin one in Directory.Packages.props and reference it directly):" >&2
    echo "$clash" >&2
    exit 1
  fi
  chmod 755 "$root"
  find "$lib" -type f -exec chmod u+rw,go-w,a+r {} +
  if [ "$apphost" = false ]; then
    # No apphost for linux-arm here: the commands run the installed .NET runtime.
    for app in redundancy-agent redundancyctl redundancy-witness; do
      printf '#!/bin/sh\nexec dotnet /usr/lib/redundancy/%s.dll "$@"\n' "$app" > "$lib/$app"
      chmod 755 "$lib/$app"
    done
  fi

  install -d "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/usr/lib/udev/rules.d" \
    "$root/usr/share/bash-completion/completions" "$root/etc/redundancy" "$root/usr/share/redundancy/examples" \
    "$root/usr/share/doc/redundancy"
  ln -sf ../lib/redundancy/redundancyctl "$root/usr/bin/redundancyctl"
  ln -sf ../lib/redundancy/redundancy-agent "$root/usr/bin/redundancy-agent"
  ln -sf ../lib/redundancy/redundancy-witness "$root/usr/bin/redundancy-witness"
  install -m 644 "$fw/systemd/redundancy-agent.service" "$root/usr/lib/systemd/system/"
  # The witness's unit, for a third box: shipped, never enabled by the package (see the unit's header).
  install -m 644 "$fw/systemd/redundancy-witness.service" "$root/usr/lib/systemd/system/"
  if [ -d "$fw/systemd/system.conf.d" ]; then
    # systemd's own use of the board's hardware watchdog (a hung kernel or systemd reboots the box).
    install -d "$root/usr/lib/systemd/system.conf.d"
    install -m 644 "$fw"/systemd/system.conf.d/*.conf "$root/usr/lib/systemd/system.conf.d/"
  fi
  if [ -d "$fw/systemd/redundancy-agent.service.d" ]; then
    # Optional drop-ins (the system IP's capabilities): shipped, installed into /etc by hand when wanted.
    install -d "$root/usr/share/redundancy/systemd"
    install -m 644 "$fw"/systemd/redundancy-agent.service.d/*.conf "$root/usr/share/redundancy/systemd/"
  fi
  install -m 644 "$fw/udev/99-redundancy.rules" "$root/usr/lib/udev/rules.d/"
  install -m 644 "$fw/bash-completion/redundancyctl" "$root/usr/share/bash-completion/completions/"
  install -m 644 "$fw/examples/node-a.json" "$root/etc/redundancy/agent.json"
  install -m 644 "$fw"/examples/node-*.json "$fw/examples/witness.json" "$root/usr/share/redundancy/examples/"
  install -m 644 "$fw/boot/config.txt.redundancy" "$root/usr/share/redundancy/"
  install -m 644 README.md "$root/usr/share/doc/redundancy/README.md"
  install -m 644 "$fw/README.md" "$root/usr/share/doc/redundancy/firmware-config.md"
  install -m 644 docs/witness.md "$root/usr/share/doc/redundancy/witness.md"
  printf 'Redundancy: hot-standby agent for a pair of controllers.\nSee /usr/share/doc/redundancy/README.md.\n' \
    > "$root/usr/share/doc/redundancy/copyright"

  local depends="libgpiod3 | libgpiod2, passwd"
  [ "$arch" = armhf ] && depends="$depends, dotnet-runtime-10.0 | aspnetcore-runtime-10.0"
  install -d "$root/DEBIAN"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: redundancy
Version: $version
Architecture: $arch
Maintainer: Redundancy engineers <redundancy@localhost>
Section: misc
Priority: optional
Depends: $depends
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Description: hot-standby agent for a pair of industrial controllers
 Makes two Raspberry-Pi-class boxes behave as one controller: authenticated heartbeats on
 a serial crossover and UDP, a replicated control state, takeover within the peer timeout
 driving the GPIO outputs, MQTT status, and the field CLI redundancyctl. Also the witness
 (redundancy-witness, a tie breaker for a third box; its unit is not enabled).
CONTROL
  # Edited by the plant: dpkg keeps the edited copy on upgrade. The pair key and the data are never in the package.
  printf '/etc/redundancy/agent.json\n' > "$root/DEBIAN/conffiles"
  install -m 755 "$fw"/debian/postinst "$fw"/debian/prerm "$fw"/debian/postrm "$root/DEBIAN/"
}

if [ -n "$stage_only" ]; then
  stage "${arches[0]}" "$stage_only"
  exit 0
fi

mkdir -p "$out"
for arch in "${arches[@]}"; do
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  stage "$arch" "$root"
  deb="$out/redundancy_${version}_${arch}.deb"
  dpkg-deb --build -Zxz --root-owner-group "$root" "$deb" >/dev/null
  installed=$(sed -n 's/^Installed-Size: //p' "$root/DEBIAN/control")
  rm -rf "$root"
  trap - EXIT
  printf '%s  %s package, %s installed\n' "$deb" "$(du -h "$deb" | cut -f1)" "$((installed / 1024)) MiB"
done
