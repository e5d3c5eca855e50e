#!/usr/bin/env bash
# The Debian package, end to end: build it from the release build tree, check
# it with lintian, install it with apt-get, check what it set up (the helper's
# capabilities, owner and mode, the group, the desktop entry, AppStream, the
# MIME association, man pages, completion, the CLI on the demo capture), let a
# member of the group capture on a veth pair in network namespaces and a
# non-member get the app's explanation, then purge it and check that nothing
# is left. Each check prints PASS, FAIL or SKIPPED; the exit status is 1 if
# any failed.
#
#   tests/package/test_package.sh [--build-dir DIR]
#
# Needs root (CI runs it as root): it installs and purges the package, adds
# and removes two test users and, for the while of the test, the underhood
# group (restored as it was, with the same id and members, at the end).
set -uo pipefail
cd "$(dirname "$0")/../.."
build_dir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift ;;
    *) echo "test_package: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

passed=0 failed=0
work=$(mktemp -d)
chmod 0755 "$work"
log="$work/check.log"
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; [ -s "$log" ] && sed 's/^/    /' "$log" | tail -n 25; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
  local what=$1; shift
  if "$@" >"$log" 2>&1; then pass "$what"; else fail "$what"; fi
}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: the package test needs root (it installs and purges the package)"
  exit 77
fi
for tool in lintian desktop-file-validate appstreamcli xdg-mime man getcap ip setpriv dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (installer/bootstrap.sh installs it)"; exit 1; }
done
export DEBIAN_FRONTEND=noninteractive
helper=/usr/lib/underhood/underhood-capture
member=uhpkg-member outsider=uhpkg-outsider
ns_a=uhpkg-a ns_b=uhpkg-b

# The group as it was before the test, to give it back afterwards.
orig_group=$(getent group underhood || true)
cleanup() {
  ip netns del "$ns_a" 2>/dev/null; ip netns del "$ns_b" 2>/dev/null
  userdel "$member" 2>/dev/null; userdel "$outsider" 2>/dev/null
  if dpkg -s underhood >/dev/null 2>&1; then apt-get purge -y -q underhood >/dev/null 2>&1; fi
  if [ -n "$orig_group" ] && ! getent group underhood >/dev/null; then
    IFS=: read -r _ _ gid members <<<"$orig_group"
    groupadd -g "$gid" underhood
    if [ -n "$members" ]; then gpasswd -M "$members" underhood >/dev/null; fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if dpkg -s underhood >/dev/null 2>&1; then apt-get purge -y -q underhood >/dev/null; fi
if [ -n "$orig_group" ]; then
  # Without the group, installing shows that the package makes it (and purge that it removes it).
  groupdel underhood || { echo "FAIL: cannot take the underhood group away for the test"; exit 1; }
fi

t0=$(date +%s)
echo "--- building the package from $build_dir"
if installer/build-deb.sh --build-dir "$build_dir" --out "$work" >"$log" 2>&1; then
  pass "build-deb.sh builds the package ($(( $(date +%s) - t0 )) s)"
else
  fail "build-deb.sh builds the package"; exit 1
fi
deb=$(ls "$work"/underhood_*_"$(dpkg --print-architecture)".deb)
echo "    $(basename "$deb"): $(du -h "$deb" | cut -f1)"
echo "    Depends: $(dpkg-deb -f "$deb" Depends)"
echo "    Recommends: $(dpkg-deb -f "$deb" Recommends)"

check "dependencies hold no build or test tool" \
  bash -c "! dpkg-deb -f '$deb' Depends Recommends | grep -Ew 'cmake|ninja-build|clang|tshark|tcpreplay|netsniff-ng|qt6-base-dev|libpcap-dev|build-essential|-dev'"
check "ieee-data is recommended" bash -c "dpkg-deb -f '$deb' Recommends | grep -qw ieee-data"

# lintian prints its tags (warnings are shown, errors fail).
lintian --fail-on error --display-level '>=warning' "$deb" >"$log" 2>&1
lint=$?
sed 's/^/    lintian: /' "$log"
if [ $lint -eq 0 ]; then pass "lintian reports no errors"; else fail "lintian reports no errors"; fi

echo "--- installing with apt-get"
t1=$(date +%s)
check "apt-get install ./$(basename "$deb")" bash -c "cd '$work' && apt-get install -y -q './$(basename "$deb")'"
echo "    installed in $(( $(date +%s) - t1 )) s"

check "the helper is at $helper" test -x "$helper"
check "getcap: cap_net_admin,cap_net_raw=ep" bash -c "getcap '$helper' | tee /dev/stderr | grep -q 'cap_net_admin,cap_net_raw=ep'"
check "the helper is root:underhood, mode 0750" bash -c "[ \"\$(stat -c '%U:%G %a' '$helper')\" = 'root:underhood 750' ] || stat -c '%U:%G %a' '$helper'"
check "the system group underhood exists" bash -c "gid=\$(getent group underhood | cut -d: -f3) && [ \"\$gid\" -lt 1000 ]"
check "desktop-file-validate underhood.desktop" desktop-file-validate /usr/share/applications/underhood.desktop
check "appstreamcli validate (metainfo)" bash -c "appstreamcli validate --no-net /usr/share/metainfo/*.metainfo.xml"
# A clean home: the question is what the installed files say, not this user's choices.
mkdir -p "$work/home"
for type in application/vnd.tcpdump.pcap application/x-pcapng; do
  check "xdg-mime query default $type: underhood.desktop" bash -c "[ \"\$(env -i PATH='$PATH' HOME='$work/home' xdg-mime query default $type)\" = underhood.desktop ]"
done
check "the pcapng MIME type is known (shared-mime-info)" grep -q 'application/x-pcapng' /usr/share/mime/types
check "icons in every size (16 to 256 px and SVG)" bash -c '
  for size in 16 22 24 32 48 64 128 256; do
    test -s /usr/share/icons/hicolor/${size}x${size}/apps/underhood.png || { echo "no ${size} px icon"; exit 1; }
  done
  test -s /usr/share/icons/hicolor/scalable/apps/underhood.svg' 
if grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
  echo "SKIPPED: man -w (dpkg is told to leave out /usr/share/man on this machine)"
else
  check "man -w underhood-cli" bash -c "man -w underhood-cli | grep -q '/usr/share/man/man1/underhood-cli.1'"
  check "man -w underhood" bash -c "man -w underhood | grep -q '/usr/share/man/man1/underhood.1'"
  check "man -w 8 underhood-capture" bash -c "man -w 8 underhood-capture | grep -q '/usr/share/man/man8/underhood-capture.8'"
fi
if [ -f /usr/share/bash-completion/bash_completion ]; then
  check "bash completion: interfaces for underhood -i" bash -c '
    source /usr/share/bash-completion/bash_completion
    source /usr/share/bash-completion/completions/underhood
    COMP_WORDS=(underhood -i l); COMP_CWORD=2; COMP_LINE="underhood -i l"; COMP_POINT=${#COMP_LINE}
    _underhood; printf "%s\n" "${COMPREPLY[@]}"; printf "%s\n" "${COMPREPLY[@]}" | grep -qx lo'
  check "bash completion: underhood-cli verbs and underhood-capture options" bash -c '
    source /usr/share/bash-completion/bash_completion
    for c in underhood-cli underhood-capture; do source /usr/share/bash-completion/completions/$c; done
    COMP_WORDS=(underhood-cli st); COMP_CWORD=1; COMP_LINE="underhood-cli st"; COMP_POINT=${#COMP_LINE}
    _underhood_cli; [ "${COMPREPLY[*]}" = stats ] || exit 1
    COMP_WORDS=(underhood-capture --back); COMP_CWORD=1; COMP_LINE="underhood-capture --back"; COMP_POINT=${#COMP_LINE}
    _underhood_capture; [ "${COMPREPLY[*]}" = --backend ]'
else
  echo "SKIPPED: bash completion (the bash-completion package is not installed)"
fi
check "underhood --version" bash -c "underhood --version | grep -q '^underhood '"
check "underhood-cli stats on the installed demo capture" \
  bash -c "underhood-cli stats /usr/share/underhood/demo.pcapng | tee /dev/stderr | grep -qi packets"
check "underhood-cli graph finds its renderer in /usr/lib/underhood" \
  bash -c "underhood-cli graph /usr/share/underhood/demo.pcapng -o '$work/graph.svg' && [ -s '$work/graph.svg' ]"

echo "--- live capture with the installed helper"
useradd --system --no-create-home --shell /usr/sbin/nologin -G underhood "$member" &&
  useradd --system --no-create-home --shell /usr/sbin/nologin "$outsider" || { fail "test users"; }
ip netns add "$ns_a" && ip netns add "$ns_b" &&
  ip link add uhpkg0 netns "$ns_a" type veth peer name uhpkg1 netns "$ns_b" &&
  ip -n "$ns_a" addr add 10.213.0.1/24 dev uhpkg0 && ip -n "$ns_b" addr add 10.213.0.2/24 dev uhpkg1 &&
  ip -n "$ns_a" link set uhpkg0 up && ip -n "$ns_b" link set uhpkg1 up || fail "network namespaces"
# Runs a command as user $1 with that user's groups. setpriv's own exec of a
# file the new identity may not run was seen to succeed; a shell started as
# that user execs the way a desktop session does, and is refused as it would be.
as_user() {
  local u=$1; shift
  setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- /bin/sh -c 'exec "$0" "$@"' "$@"
}
# The member runs the helper itself: 10 packets, then it ends with its final statistics.
ip netns exec "$ns_a" bash -c "$(declare -f as_user); as_user $member $helper -i uhpkg0 -c 10 -w -" \
  >"$work/live.pcapng" 2>"$work/live.err" &
cap=$!
for _ in $(seq 100); do grep -q 'capturing on' "$work/live.err" && break; kill -0 $cap 2>/dev/null || break; sleep 0.1; done
ip netns exec "$ns_b" ping -c 20 -i 0.2 -W 1 10.213.0.1 >/dev/null 2>&1 &
pinger=$!
timeout 30 tail --pid=$cap -f /dev/null; wait $cap; rc=$?
kill $pinger 2>/dev/null; wait $pinger 2>/dev/null
cp "$work/live.err" "$log"
if [ $rc -eq 0 ] && grep -q 'capturing on uhpkg0' "$work/live.err"; then
  pass "a member of underhood captures with $helper (exit 0)"
else
  echo "exit status $rc" >>"$log"; fail "a member of underhood captures with $helper"
fi
check "the member's capture holds the 10 packets (underhood-cli)" \
  bash -c "underhood-cli stats --json '$work/live.pcapng' | tee /dev/stderr | grep -q '\"packets\": *10,'"
# A non-member: the app says why and what to type, naming the installed helper.
mkdir -p "$work/outsider" && chown "$outsider" "$work/outsider"
ip netns exec "$ns_a" bash -c "$(declare -f as_user); as_user $outsider \"\$@\"" as_user \
  env -i PATH=/usr/bin:/bin HOME="$work/outsider" QT_QPA_PLATFORM=offscreen \
  timeout 60 underhood -i uhpkg0 --screenshot "$work/outsider/window.png" >"$work/outsider.out" 2>&1
cp "$work/outsider.out" "$log"
if grep -q "You may not run the capture helper $helper: only members of the 'underhood' group may" "$work/outsider.out" &&
   grep -q 'sudo usermod -aG underhood \$USER' "$work/outsider.out"; then
  pass "a non-member gets the app's explanation (group, usermod, the installed path)"
else
  fail "a non-member gets the app's explanation"
fi
as_user "$outsider" "$helper" --version >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'Permission denied' "$log"; then
  pass "a non-member may not run the helper (Permission denied)"
else
  echo "exit status $rc" >>"$log"; fail "a non-member may not run the helper"
fi
ip netns del "$ns_a"; ip netns del "$ns_b"
userdel "$member"; userdel "$outsider"

echo "--- purging"
dpkg -L underhood >"$work/files" 2>/dev/null
check "apt-get purge underhood" apt-get purge -y -q underhood
left=()
while read -r f; do
  [ -z "$f" ] && continue
  # Folders other packages share (/usr/bin, /usr/share/man/man1, ...) stay; ours go.
  if [ -d "$f" ] && [[ $f != *underhood* ]]; then continue; fi
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done <"$work/files"
printf '%s\n' "${left[@]}" >"$log"
if [ ${#left[@]} -eq 0 ]; then
  pass "no file of the package is left ($(wc -l <"$work/files") paths of dpkg -L checked)"
else
  fail "no file of the package is left"
fi
check "no statoverride is left" bash -c "! dpkg-statoverride --list $helper"
check "no /var/lib/underhood is left" test ! -e /var/lib/underhood
check "purge removed the group the package made" bash -c "! getent group underhood"
check "underhood.desktop no longer opens pcap files" \
  bash -c "[ \"\$(env -i PATH='$PATH' HOME='$work/home' xdg-mime query default application/vnd.tcpdump.pcap)\" != underhood.desktop ]"

echo "--- a group the administrator made stays"
groupadd --system underhood
check "install with the group already there" bash -c "cd '$work' && apt-get install -y -q './$(basename "$deb")'"
check "the helper is root:underhood 0750 with the existing group" bash -c "[ \"\$(stat -c '%G %a' '$helper')\" = 'underhood 750' ]"
check "apt-get purge underhood" apt-get purge -y -q underhood
check "purge kept the group it did not make" getent group underhood
groupdel underhood

echo "--- $passed passed, $failed failed ($(( $(date +%s) - t0 )) s)"
[ $failed -eq 0 ]
