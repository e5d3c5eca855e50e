#!/usr/bin/env bash
# Renders resources/icons/underhood.svg into the PNG sizes desktops look for
# (16 to 256 px, the hicolor theme's). The PNGs are committed; run this after
# changing the SVG (needs rsvg-convert, Debian's librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
mkdir -p png
for size in 16 22 24 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" underhood.svg --output "png/underhood-$size.png"
done
echo "render-icons: resources/icons/png/underhood-{16..256}.png"
