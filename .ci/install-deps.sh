#!/usr/bin/env bash
# Installs the system packages lanscope builds and tests with. Idempotent: installs only what is
# missing, never starts the daemons it installs (tests start their own on loopback / in namespaces).
set -euo pipefail

PACKAGES=(
  # build
  libbpf-dev libpcap-dev libsqlite3-dev libcrypt-dev zlib1g-dev pkg-config
  # vendor registry (IEEE OUI files under /usr/share/ieee-data)
  ieee-data
  # reference tools, exposition and ops tests
  tcpdump tshark tcpreplay prometheus prometheus-alertmanager prometheus-node-exporter
  python3 python3-prometheus-client python3-scapy curl
  # kernel / namespace end-to-end
  iproute2 ethtool bpftool dnsmasq-base isc-dhcp-client busybox iputils-ping avahi-daemon libcap2-bin
  # attack tools for the detection end-to-end tests
  nmap dsniff iperf3
  # benchmarks
  wrk hyperfine
  # terminal end-to-end (`lanscope top` driven in tmux)
  tmux
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's maintainer scripts would start prometheus/node-exporter/alertmanager; keep them stopped.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
