#!/usr/bin/env bash
# Builds underhood_VERSION_ARCH.deb from an existing release build tree (no
# second compile): `cmake --install` into a staging folder, the Debian control
# files, dpkg-shlibdeps for the runtime dependencies, dpkg-deb.
#
#   installer/build-deb.sh [--build-dir DIR] [--out DIR]
#
# Needs dpkg-dev (dpkg-shlibdeps) and, in the build tree, scdoc's man pages.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

build_dir=build
out_dir=.
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift ;;
    --out) out_dir="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build-deb: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

cache="$build_dir/CMakeCache.txt"
[ -f "$cache" ] || { echo "build-deb: $build_dir is not a configured build tree (run installer/bootstrap.sh)" >&2; exit 1; }
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n 1; }
[ "$(cache_value UNDERHOOD_BUILD_GUI)" != OFF ] || { echo "build-deb: $build_dir has no desktop app (UNDERHOOD_BUILD_GUI=OFF)" >&2; exit 1; }
[ "$(cache_value UNDERHOOD_SANITIZE)" != ON ] || { echo "build-deb: $build_dir is a sanitizer build; package a release build" >&2; exit 1; }
[ "$(cache_value UNDERHOOD_MAN_PAGES)" = ON ] || { echo "build-deb: $build_dir has no man pages: apt install scdoc, then reconfigure" >&2; exit 1; }
[ "$(cache_value UNDERHOOD_PKGLIBDIR)" = lib/underhood ] || { echo "build-deb: the package needs UNDERHOOD_PKGLIBDIR=lib/underhood" >&2; exit 1; }

# Up to date already after a build; this only catches a stale tree.
cmake --build "$build_dir" --target underhood underhood-cli underhood-cli-graph underhood-capture man

version=$(cache_value CMAKE_PROJECT_VERSION)
arch=$(dpkg --print-architecture)
homepage=$(cache_value UNDERHOOD_HOMEPAGE)
# The project's maintainers sign the package as they sign its commits.
maintainer=${UNDERHOOD_MAINTAINER:-$(git -C "$src" -c safe.directory="$src" log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$maintainer" ] || { echo "build-deb: set UNDERHOOD_MAINTAINER='Name <address>'" >&2; exit 1; }
deb="$out_dir/underhood_${version}_${arch}.deb"

umask 022
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

DESTDIR="$root" cmake --install "$build_dir" --prefix /usr --strip >/dev/null
# What --strip leaves that a package does not need (the compiler's notes).
for f in "$root"/usr/bin/* "$root"/usr/lib/underhood/*; do
  strip --remove-section=.comment --remove-section=.note "$f"
done
# Tests and benchmarks never go into the package; only what the app needs.
for f in usr/bin/underhood usr/bin/underhood-cli usr/lib/underhood/underhood-capture \
         usr/lib/underhood/underhood-cli-graph usr/share/applications/underhood.desktop \
         usr/share/man/man1/underhood-cli.1.gz usr/share/man/man8/underhood-capture.8.gz \
         usr/share/underhood/demo.pcapng; do
  [ -e "$root/$f" ] || { echo "build-deb: the install left out /$f" >&2; exit 1; }
done

doc="$root/usr/share/doc/underhood"
# Copyright years: from the first commit to the last.
first_year=$(git -C "$src" -c safe.directory="$src" log --reverse --format=%cd --date=format:%Y 2>/dev/null | sed -n 1p)
last_year=$(git -C "$src" -c safe.directory="$src" log -1 --format=%cd --date=format:%Y 2>/dev/null || date +%Y)
years=${first_year:-$last_year}
[ "$years" = "$last_year" ] || years="$years-$last_year"
sed -e "s|@HOMEPAGE@|$homepage|" -e "s|@YEARS@|$years|" installer/debian/copyright.in > "$doc/copyright"
# A native package's changelog (Debian's format), from the version and the last commit's date.
when=$(git -C "$src" -c safe.directory="$src" log -1 --format=%cD 2>/dev/null || date -R)
{
  printf 'underhood (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Release %s. See README.md for what Underhood does.\n\n' "$version"
  printf ' -- %s  %s\n' "$maintainer" "$when"
} | gzip -9n > "$doc/changelog.gz"
for f in "$doc"/*.md; do gzip -9n "$f"; done

# Runtime libraries of the programs, as dpkg-shlibdeps finds them (it wants a
# debian/control beside it).
mkdir -p "$stage/debian"
printf 'Source: underhood\n\nPackage: underhood\nArchitecture: any\n' > "$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O -eroot/usr/bin/underhood -eroot/usr/bin/underhood-cli \
           -eroot/usr/lib/underhood/underhood-capture -eroot/usr/lib/underhood/underhood-cli-graph 2>/dev/null |
         sed -n 's/^shlibs:Depends=//p')
rm -rf "$stage/debian"
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
install -m 0755 installer/debian/postinst installer/debian/postrm "$root/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: underhood
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $shlibs, adduser, libcap2-bin
Recommends: ieee-data, qt6-qpa-plugins
Section: net
Priority: optional
Homepage: $homepage
Description: network analyzer for the desktop: host graph, throughput, drops
 Underhood shows the hosts on a network as an animated graph, with their
 conversations as links, beside live throughput plots, a panel that shows
 where packets are lost on the way from the wire, and a packet list with
 details. It opens pcap and pcapng files and captures live.
 .
 Only the small helper underhood-capture holds the capture capabilities
 (cap_net_raw, cap_net_admin), and only members of the underhood group may
 run it: add users with "usermod -aG underhood USER".
 .
 underhood-cli prints a capture's hosts, conversations and protocols, or
 draws its host graph, without a display.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"

mkdir -p "$out_dir"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb: $deb"
