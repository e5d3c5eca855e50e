#!/usr/bin/env bash
# Draws the same captures with EtherApe and with Underhood, side by side, so
# the host graphs can be compared by eye: the bundled demo capture, a
# 200,000-packet small office (40 LAN clients, about 300 remote hosts) and a
# 1,000-client network.
#
#   tests/bench/compare_etherape.sh [BUILD_DIR] [OUT_DIR]
#
# Needs xvfb, etherape, xdotool and imagemagick (apt-get install -y xvfb
# etherape xdotool imagemagick). EtherApe replays a file as it reads it; the
# picture is taken after 30 s. Underhood's is `underhood-cli graph` of the
# same file at the same size, and the app's main window under offscreen Qt.
set -euo pipefail

build=${1:-build}
out=${2:-graph-comparison}
mkdir -p "$out"
work=$(mktemp -d)
display=:97
cleanup() {
    pkill -f "etherape -r $work" 2>/dev/null || true
    [[ -n ${xvfb_pid:-} ]] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for tool in Xvfb etherape xdotool import montage; do
    command -v "$tool" >/dev/null || { echo "compare_etherape: needs $tool" >&2; exit 2; }
done

"$build/bin/underhood-synth" -q -n 200000 --hosts 40 -o "$work/office.pcapng"
"$build/bin/underhood-synth" -q -n 200000 --hosts 1000 -o "$work/campus.pcapng"
cp "$(dirname "$0")/../../resources/demo.pcapng" "$work/demo.pcapng"

Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1

for name in demo office campus; do
    file="$work/$name.pcapng"
    DISPLAY=$display etherape -r "$file" >/dev/null 2>&1 &
    ea=$!
    sleep 6
    win=$(DISPLAY=$display xdotool search --onlyvisible --name EtherApe | head -1 || true)
    [[ -n $win ]] && DISPLAY=$display xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800
    sleep 24
    DISPLAY=$display import -window root -crop 1280x800+0+0 "$out/etherape-$name.png"
    # EtherApe may ignore SIGTERM while it replays a file.
    kill "$ea" 2>/dev/null || true
    sleep 1
    kill -9 "$ea" 2>/dev/null || true
    wait "$ea" 2>/dev/null || true

    QT_QPA_PLATFORM=offscreen "$build/bin/underhood-cli" graph "$file" -o "$out/underhood-$name.png" --size 1280x800
    XDG_CONFIG_HOME="$work/config" QT_QPA_PLATFORM=offscreen "$build/bin/underhood" \
        --screenshot "$out/underhood-window-$name.png" "$file" 2>/dev/null
    montage "$out/etherape-$name.png" "$out/underhood-$name.png" -tile 2x1 -geometry 960x600+8+8 \
        -background '#888' "$out/side-by-side-$name.png"
    echo "$out/side-by-side-$name.png: EtherApe (left), Underhood (right)"
done
