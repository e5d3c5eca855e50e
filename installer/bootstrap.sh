#!/usr/bin/env bash
# Installs the Debian 12 packages that Underhood's build, tests and benchmarks
# need, then configures and builds the project into ./build.
#
#   installer/bootstrap.sh [--no-install] [--no-build] [--build-dir DIR] [-- extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
build=1
build_dir=build
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    --build-dir) build_dir="$2"; shift ;;
    --) shift; cmake_args=("$@"); break ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6svg6-dev libqcustomplot-dev libpcap-dev nlohmann-json3-dev libcap-dev libseccomp-dev
  libpcre2-dev nettle-dev
  # live capture: file capabilities for the helper
  libcap2-bin
  # runtime data: MAC vendor names
  ieee-data
  # tests: tshark is the reference the corpus tests compare with; test hosts
  # are network namespaces joined by a veth pair, fed by tcpreplay
  tshark iproute2 tcpreplay util-linux ethtool
  # remote sensors: sshd in a namespace, pcap-over-IP through netcat
  openssh-server openssh-client netcat-openbsd
  # the Debian package (installer/build-deb.sh: man pages, shared-library
  # dependencies) and its test (tests/package: lintian, the desktop entry,
  # AppStream, the MIME default, man, completion); the icon renderer
  scdoc dpkg-dev lintian desktop-file-utils appstream xdg-utils man-db bash-completion librsvg2-bin
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # benchmarks: the peer tools, a traffic generator and a peak-memory timer
  tcpdump netsniff-ng time bc
)

if [ "$install" = 1 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "bootstrap: installing packages needs root: run as root or install sudo" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

if [ "$build" = 1 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_args[@]}"
  cmake --build "$build_dir"
  if [ "$install" = 1 ]; then
    installer/setup-capture-permissions.sh "$build_dir/bin/underhood-capture" || true
  fi
fi
