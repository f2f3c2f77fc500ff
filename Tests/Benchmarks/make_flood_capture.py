#!/usr/bin/python3
"""Writes a hostile capture for the detectors' state bound (`make bench-detect`): many source MACs and
a full-range port scan, so every detector's state table meets its cap.

    make_flood_capture.py OUT.pcap [--macs 100000] [--servers 100]

In order, 100 µs apart:
  1. --servers distinct MACs each send a DHCP OFFER and an IPv6 router advertisement within the first
     minute, while rogue_dhcp / rogue_ra learn the legitimate set (their learned-set cap is 64);
  2. --macs distinct locally administered MACs (a `macof`-style flood), each sending one broadcast ARP
     who-has for an address nobody holds and one TCP SYN to the victim (10.99.0.1);
  3. one scanner SYN-scans the victim on every port 1-65535.
Deterministic (no randomness). Output goes where it is told (a temp dir); never commit it.
"""

import argparse
import struct
import sys

# Frame builders shared with the large-capture generator beside this file.
from make_large_capture import ether, icmpv6, ipv4

VICTIM_MAC = bytes.fromhex("001a11990001")
VICTIM_V4 = bytes([10, 99, 0, 1])
SCANNER_MAC = bytes.fromhex("00666600ffff")
SCANNER_V4 = bytes([10, 99, 0, 66])


def syn(src_mac, src_ip, sport, dport):
    segment = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 1024, 0, 0)
    return ether(VICTIM_MAC, src_mac, 0x0800, ipv4(src_ip, VICTIM_V4, 6, segment))


def arp_who_has(mac, sender_ip, target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, sender_ip, b"\0" * 6, target_ip)
    return ether(b"\xff" * 6, mac, 0x0806, body)


def dhcp_offer(mac, server_ip):
    options = bytes([53, 1, 2, 54, 4]) + server_ip + bytes([51, 4]) + struct.pack("!I", 3600) + b"\xff"
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s", 2, 1, 6, 0, 0x1234, 0, 0x8000, b"\0" * 4, bytes([10, 99, 7, 7]),
                        server_ip, b"\0" * 4, bytes.fromhex("3c22fb000001") + b"\0" * 10)
    bootp += b"\0" * 192 + bytes([99, 130, 83, 99]) + options
    udp = struct.pack("!HHHH", 67, 68, 8 + len(bootp), 0) + bootp
    return ether(b"\xff" * 6, mac, 0x0800, ipv4(server_ip, b"\xff" * 4, 17, udp))


def router_advertisement(mac):
    source = bytes.fromhex("fe80000000000000") + bytes([mac[0] ^ 2]) + mac[1:3] + b"\xff\xfe" + mac[3:]
    all_nodes = bytes.fromhex("ff020000000000000000000000000001")
    body = struct.pack("!BBHII", 64, 0, 1800, 0, 0) + bytes([1, 1]) + mac
    return ether(bytes.fromhex("333300000001"), mac, 0x86DD, icmpv6(source, all_nodes, 134, body))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--macs", type=int, default=100_000, help="flooding source MACs (default 100,000)")
    parser.add_argument("--servers", type=int, default=100, help="DHCP servers and routers (default 100)")
    args = parser.parse_args()
    if not 1 <= args.macs <= 16_000_000 or not 0 <= args.servers <= 60_000:
        sys.exit("--macs must be 1..16000000 and --servers 0..60000")

    frames = []
    for i in range(args.servers):
        mac = bytes.fromhex("00163e") + struct.pack("!I", 0x500000 + i)[1:]
        frames.append(dhcp_offer(mac, bytes([10, 98, i // 250, 1 + i % 250])))
        frames.append(router_advertisement(mac))
    for i in range(args.macs):
        mac = bytes.fromhex("02") + struct.pack("!I", 0x10000000 + i) + b"\x01"
        ip = bytes([10, 100 + i // 65536, (i // 256) % 256, i % 256])
        frames.append(arp_who_has(mac, ip, bytes([10, 200 + i // 65536, (i // 256) % 256, i % 256])))
        frames.append(syn(mac, ip, 40000 + i % 20000, 80))
    for port in range(1, 65536):
        frames.append(syn(SCANNER_MAC, SCANNER_V4, 41000, port))

    pack = struct.pack
    t = 1_767_225_600 * 1_000_000
    with open(args.out, "wb", buffering=1 << 22) as out:
        out.write(pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for frame in frames:
            t += 100  # 10,000 frames/s: the whole flood lands inside the detectors' windows
            out.write(pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            out.write(frame)
    print("%s: %d frames, %d flooding MACs, %d servers" % (args.out, len(frames), args.macs, args.servers),
          file=sys.stderr)


if __name__ == "__main__":
    main()
