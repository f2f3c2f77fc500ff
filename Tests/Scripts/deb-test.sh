#!/usr/bin/env bash
# Installs the package from `make deb` into a clean Debian 12 root and runs it there: `make test-deb`
# (CI, root). The root is a debootstrap minbase of bookworm from the host's configured mirror,
# including the package's Depends, cached in /var/cache/lanscope/rootfs-bookworm (first run ~2 min,
# bounded by a timeout; later runs reuse it). Each run mounts a throw-away overlay on the cached root
# in a private mount namespace (unshare --mount) and chroots into it: nothing from the host — /opt/swift
# in particular — is visible inside, and nothing written inside survives.
# Checks: dpkg -i installs it (dependencies satisfied, conffile registered), ldd finds every library and
# no Swift runtime, `lanscope check` exits 0, a replay of deploy/samples/lan.pcap stores the sample's
# 7 devices and `lanscope list` shows them, and remove/purge leave nothing behind.
# Usage: deb-test.sh DEB_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
deb_dir=${1:?directory holding lanscope_*.deb}
deb=$(ls -t "$deb_dir"/lanscope_*.deb 2> /dev/null | head -1)
[ -n "$deb" ] || { echo "deb-test: no lanscope_*.deb in $deb_dir (make deb)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "deb-test: needs root (debootstrap, mount, chroot)" >&2; exit 1; }

cache=${LANSCOPE_DEB_ROOT:-/var/cache/lanscope/rootfs-bookworm}
# The first URI of the host's Debian sources (deb822 or one-line format), else deb.debian.org.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null \
  | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2> /dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
# The package's Depends (names only), included in the cached root so installing needs no network.
depends=$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/[[:space:]]//g')

if [ ! -x "$cache/usr/bin/dpkg" ] || ! chroot "$cache" dpkg -s ${depends//,/ } > /dev/null 2>&1; then
  echo "deb-test: building the clean root in $cache (debootstrap bookworm from $mirror, at most 10 min)"
  command -v debootstrap > /dev/null || { echo "deb-test: debootstrap missing (make deps-test)" >&2; exit 1; }
  rm -rf "$cache.tmp"
  mkdir -p "$(dirname "$cache")"
  if ! timeout 600 debootstrap --variant=minbase --include="$depends,ieee-data" bookworm "$cache.tmp" "$mirror" \
    > "$(dirname "$cache")/debootstrap.log" 2>&1; then
    tail -20 "$(dirname "$cache")/debootstrap.log" >&2
    echo "deb-test: debootstrap failed or timed out" >&2
    exit 1
  fi
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/work" "$work/root" "$work/in"
cp "$deb" "$work/in/lanscope.deb"
cp deploy/samples/lan.pcap "$work/in/lan.pcap"

# What runs inside the clean root, as root, with an empty environment.
cat > "$work/in/inside.sh" << 'EOF'
set -u
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ ! -e /opt/swift ] && pass "no /opt/swift" || fail "/opt/swift is visible"
ls /usr/lib/swift /usr/lib/x86_64-linux-gnu/libswiftCore.so 2> /dev/null && fail "a Swift runtime is installed" || pass "no Swift runtime installed"
dpkg -i /in/lanscope.deb > /in/dpkg.log 2>&1 && pass "dpkg -i" || { cat /in/dpkg.log; fail "dpkg -i"; }
dpkg-query -W -f='${Status}\n' lanscope | grep -q 'install ok installed' && pass "installed" || fail "not installed"
dpkg-query -W -f='${Conffiles}\n' lanscope | grep -q '/etc/default/lanscope' && pass "conffile" || fail "conffile not registered"
missing=$(ldd /usr/bin/lanscope | grep -E 'not found|swift|Foundation')
[ -z "$missing" ] && pass "ldd: every library found, none from Swift" || fail "ldd: $missing"
lanscope --version > /dev/null && pass "lanscope --version" || fail "lanscope --version"
lanscope check > /in/check.log 2>&1 && pass "lanscope check" || { cat /in/check.log; fail "lanscope check exited non-zero"; }
lanscope replay /in/lan.pcap --db /tmp/t.db --json > /in/replay.json 2> /in/replay.err \
  && grep -q '"devices" : 7\|"devices": 7\|"devices":7' /in/replay.json && pass "replay: 7 devices" \
  || { cat /in/replay.json /in/replay.err; fail "replay"; }
lanscope list --db /tmp/t.db | grep -q raspberrypi && pass "list shows the replayed devices" || fail "list"
[ -s /usr/share/man/man1/lanscope.1.gz ] && [ -s /usr/share/bash-completion/completions/lanscope ] \
  && [ -s /usr/lib/systemd/system/lanscope.service ] && pass "man page, completion, unit" || fail "files missing"
grep -q '^ExecStart=/usr/bin/lanscope run' /usr/lib/systemd/system/lanscope.service && pass "unit runs /usr/bin/lanscope" || fail "unit ExecStart"
dpkg -r lanscope > /dev/null 2>&1 && [ ! -e /usr/bin/lanscope ] && [ -e /etc/default/lanscope ] && pass "remove keeps the conffile" || fail "remove"
dpkg -P lanscope > /dev/null 2>&1 && [ ! -e /etc/default/lanscope ] && pass "purge" || fail "purge"
echo "inside: $fails failed"
exit $fails
EOF

# Private mount namespace: the overlay, /proc, /sys (BPF needs it: lanscope check loads the programs)
# and /dev exist only for this command and go with it.
unshare --mount --propagation private bash -c '
  set -e
  w=$1 cache=$2
  mount -t overlay overlay -o "lowerdir=$cache,upperdir=$w/upper,workdir=$w/work" "$w/root"
  mkdir -p "$w/root/in"
  mount --bind "$w/in" "$w/root/in"
  mount -t proc proc "$w/root/proc"
  mount --rbind /sys "$w/root/sys"
  mount --rbind /dev "$w/root/dev"
  exec timeout 300 chroot "$w/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh /in/inside.sh
' _ "$work" "$cache"
status=$?
if [ "$status" = 0 ]; then echo "deb-test: $(basename "$deb") installs and runs in a clean Debian root"; fi
exit "$status"
