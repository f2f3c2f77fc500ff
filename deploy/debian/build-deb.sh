#!/usr/bin/env bash
# Builds the Debian package with dpkg-deb (no debhelper): `make deb`.
#   build-deb.sh BINARY GENERATED_DIR OUT_DIR   → OUT_DIR/lanscope_VERSION_ARCH.deb
# BINARY must be built with --static-swift-stdlib (`make release`): the package runs on a machine
# without Swift. This script refuses a binary that needs a Swift runtime library, and computes
# Depends with dpkg-shlibdeps from the libraries it does need (libc, libbpf, libpcap, libsqlite3, zlib,
# libcrypt, libstdc++, libgcc). Files are laid out by deploy/install.sh with PREFIX=/usr.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:?binary}
generated=${2:?generated directory}
out=${3:?output directory}

# No Swift runtime may be needed: every NEEDED entry must be a system library.
needed=$(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
if grep -Ei '^lib(swift|Foundation|dispatch|BlocksRuntime|_Foundation|XCTest)' <<< "$needed"; then
  echo "build-deb: $binary needs the Swift runtime (above); build it with --static-swift-stdlib (make release)" >&2
  exit 1
fi

version=$("$binary" --version | head -1 | tr -d '[:space:]')
version=${version#v}
# A Debian version must start with a digit; a development build without a tag reads 0~dev.
[[ "$version" =~ ^[0-9] ]] || version="0~${version//[^A-Za-z0-9.+~]/.}"
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/lanscope
mkdir -p "$root/DEBIAN"
PREFIX=/usr SYSCONFDIR=/etc DESTDIR=$root bash deploy/install.sh install "$binary" "$generated" > /dev/null

# Debian conventions: debug information stripped, man page compressed, the licence in copyright.
objcopy --strip-debug "$root/usr/bin/lanscope"
gzip -9n "$root/usr/share/man/man1/lanscope.1"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: lanscope"
  echo
  echo "Files: *"
  echo "Copyright: the lanscope authors"
  echo "License: Apache-2.0"
  echo " On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0."
  echo
  echo "Comment:"
  sed 's/^$/./; s/^/ /' NOTICE
} > "$root/usr/share/doc/lanscope/copyright"

install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
echo /etc/default/lanscope > "$root/DEBIAN/conffiles"

# Depends from the binary's libraries (dpkg-shlibdeps wants a debian/control beside it).
mkdir -p "$stage/src/debian"
printf 'Source: lanscope\n\nPackage: lanscope\nArchitecture: any\n' > "$stage/src/debian/control"
depends=$(cd "$stage/src" && dpkg-shlibdeps -O -e"$root/usr/bin/lanscope" 2> "$stage/shlibdeps.log" \
  | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { cat "$stage/shlibdeps.log" >&2; echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" << EOF
Package: lanscope
Version: $version
Architecture: $arch
Maintainer: lanscope authors <lanscope@localhost>
Section: net
Priority: optional
Installed-Size: $size
Depends: $depends
Recommends: ieee-data
Suggests: prometheus, prometheus-alertmanager
Homepage: https://github.com/lanscope/lanscope
Description: passive LAN monitor with Prometheus metrics
 lanscope discovers every device on a network from the metadata it leaks
 (ARP, DHCP, mDNS, SSDP, NDP, LLDP, CDP...), identifies it, counts its traffic
 in the kernel with eBPF (or libpcap), raises anomaly events and exports it all
 as Prometheus metrics and JSON. It never sends a packet onto the network.
EOF

mkdir -p "$out"
deb=$out/lanscope_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" > /dev/null
echo "$deb"
