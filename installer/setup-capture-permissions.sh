#!/usr/bin/env bash
# Lets members of the 'underhood' group capture live without running anything
# as root, the way Wireshark's dumpcap is set up: only the small helper
# underhood-capture gets cap_net_raw,cap_net_admin, and only the group may run it.
#
#   installer/setup-capture-permissions.sh [PATH/TO/underhood-capture] [USER]
set -euo pipefail
helper=${1:-build/bin/underhood-capture}
user=${2:-${SUDO_USER:-${USER:-}}}
[ -x "$helper" ] || { echo "setup-capture-permissions: $helper is not built" >&2; exit 1; }
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

"${sudo[@]}" groupadd -f underhood
if [ -n "$user" ] && [ "$user" != root ] && id "$user" >/dev/null 2>&1; then
  if ! id -nG "$user" | tr ' ' '\n' | grep -qx underhood; then
    "${sudo[@]}" usermod -aG underhood "$user"
    echo "setup-capture-permissions: added $user to the underhood group (log out and in again to use it)"
  fi
fi
"${sudo[@]}" chgrp underhood "$helper"
"${sudo[@]}" chmod 0750 "$helper"
if "${sudo[@]}" setcap cap_net_raw,cap_net_admin=eip "$helper"; then
  echo "setup-capture-permissions: $helper may capture for members of the underhood group"
else
  echo "setup-capture-permissions: could not set file capabilities on $helper (filesystem without xattrs?);" \
       "live capture will need sudo" >&2
fi
