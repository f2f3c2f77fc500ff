#!/usr/bin/env python3
"""Writes the crafted client-signal frames under fuzz-seeds/ (seed corpus for FuzzDecoders and
fixtures for FuzzSeedTests) and lldp-med-inventory.pcap (the LLDP-MED seed as a capture, so tshark
can be the reference for TLVs the public corpus lacks). Standard library only; deterministic.
Run from this directory: python3 make-client-seeds.py"""
import struct

SEED_MAC = bytes.fromhex("001122334455")


def ethernet(dst, ethertype, payload, src=SEED_MAC):
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ttl=64, df=True):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000 if df else 0, ttl, proto, 0,
                         bytes(src), bytes(dst))
    return header + payload


def ipv6(src, dst, nxt, payload, hlim=64):
    return struct.pack("!IHBB", 0x60000000, len(payload), nxt, hlim) + src + dst + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, flags, options=b"", payload=b"", window=64240):
    offset = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0 if flags == 0x02 else 1, offset << 4, flags, window, 0, 0) \
        + options + payload


def name(text):
    out = b""
    for label in text.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


LINK_LOCAL = bytes.fromhex("fe800000000000000211 22ff fe33 4455".replace(" ", ""))
ALL_DHCP = bytes.fromhex("ff020000000000000000000000010002")
ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")
V4_HOST = [192, 168, 7, 10]
V4_SERVER = [192, 168, 7, 1]
GATEWAY_MAC = bytes.fromhex("00aabbccddee")

seeds = {}

# DHCPv6 SOLICIT: client ID (DUID-LLT), ORO, vendor class (enterprise 311, "MSFT 5.0"), FQDN "seed-host.example.com".
options = struct.pack("!HH", 1, 14) + struct.pack("!HHI", 1, 1, 0x1C38262D) + SEED_MAC
options += struct.pack("!HH", 8, 2) + b"\0\0"  # elapsed time
oro = [23, 24, 39, 17]
options += struct.pack("!HH", 6, 2 * len(oro)) + b"".join(struct.pack("!H", code) for code in oro)
vendor = b"MSFT 5.0"
options += struct.pack("!HHI", 16, 4 + 2 + len(vendor), 311) + struct.pack("!H", len(vendor)) + vendor
fqdn = b"\x00" + name("seed-host.example.com")
options += struct.pack("!HH", 39, len(fqdn)) + fqdn
solicit = bytes([1, 0xAB, 0xCD, 0xEF]) + options
seeds["dhcpv6-solicit"] = ethernet(bytes.fromhex("333300010002"), 0x86DD,
                                   ipv6(LINK_LOCAL, ALL_DHCP, 17, udp(546, 547, solicit), hlim=1))

# TCP SYN over IPv4 (Linux-like options) and IPv6 (with EOL padding).
linux_options = struct.pack("!BBH", 2, 4, 1460) + bytes([4, 2]) + struct.pack("!BBII", 8, 10, 12345, 0) \
    + bytes([1, 3, 3, 7])
seeds["tcp-syn"] = ethernet(GATEWAY_MAC, 0x0800, ipv4(V4_HOST, V4_SERVER, 6, tcp(40000, 443, 0x02, linux_options)))
v6_options = struct.pack("!BBH", 2, 4, 1440) + bytes([1, 3, 3, 6, 1, 1]) + struct.pack("!BBII", 8, 10, 1, 0) \
    + bytes([4, 2, 0, 0])
seeds["tcp-syn-ipv6"] = ethernet(GATEWAY_MAC, 0x86DD,
                                 ipv6(LINK_LOCAL, bytes.fromhex("20010db8000000000000000000000001"), 6,
                                      tcp(40001, 80, 0x02, v6_options, window=65535)))

# DNS query for two names (one reverse lookup, which is not kept) with an EDNS OPT record.
dns = struct.pack("!HHHHHH", 0x1234, 0x0100, 2, 0, 0, 1)
dns += name("Camera.Vendor-Cloud.example") + struct.pack("!HH", 1, 1)
dns += name("10.7.168.192.in-addr.arpa") + struct.pack("!HH", 12, 1)
dns += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
seeds["dns-query"] = ethernet(GATEWAY_MAC, 0x0800, ipv4(V4_HOST, V4_SERVER, 17, udp(53000, 53, dns), df=False))

# TLS 1.3 ClientHello with GREASE, SNI, ALPN h2 + http/1.1, supported_versions, signature algorithms.
def ext(kind, data):
    return struct.pack("!HH", kind, len(data)) + data

ciphers = [0x0A0A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F]
host = b"seed.example.com"
exts = ext(0x0A0A, b"")
exts += ext(0x0000, struct.pack("!HBH", len(host) + 3, 0, len(host)) + host)
alpn = b"\x02h2\x08http/1.1"
exts += ext(0x0010, struct.pack("!H", len(alpn)) + alpn)
exts += ext(0x002B, bytes([6]) + struct.pack("!HHH", 0x1A1A, 0x0304, 0x0303))
exts += ext(0x000D, struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401))
exts += ext(0x000A, struct.pack("!HHH", 4, 0x001D, 0x0017))
body = struct.pack("!H", 0x0303) + bytes(range(32)) + bytes([0])
body += struct.pack("!H", 2 * len(ciphers)) + b"".join(struct.pack("!H", c) for c in ciphers) + bytes([1, 0])
body += struct.pack("!H", len(exts)) + exts
handshake = bytes([1]) + struct.pack("!I", len(body))[1:] + body
record = bytes([22, 3, 1]) + struct.pack("!H", len(handshake)) + handshake
seeds["tls-clienthello"] = ethernet(GATEWAY_MAC, 0x0800,
                                    ipv4(V4_HOST, V4_SERVER, 6, tcp(40002, 8443, 0x18, payload=record)))

# HTTP/1.1 request head.
request = (b"GET /status HTTP/1.1\r\nHost: seed.example.com\r\nUser-Agent: SeedCam/1.0 (lanscope)\r\n"
           b"Accept: */*\r\n\r\n")
seeds["http-request"] = ethernet(GATEWAY_MAC, 0x0800, ipv4(V4_HOST, V4_SERVER, 6, tcp(40003, 80, 0x18,
                                                                                       payload=request)))

# Router advertisement: M and O set, lifetime 1800, one prefix, source link-layer option.
ra = bytes([134, 0, 0, 0, 64, 0xC0]) + struct.pack("!HII", 1800, 0, 0)
ra += bytes([1, 1]) + SEED_MAC
ra += bytes([3, 4, 64, 0xC0]) + struct.pack("!III", 86400, 14400, 0) + bytes.fromhex("20010db8000100000000000000000000")
seeds["ndp-ra-prefix"] = ethernet(bytes.fromhex("333300000001"), 0x86DD,
                                  ipv6(LINK_LOCAL, ALL_NODES, 58, ra, hlim=255))

# LLDP with LLDP-MED capabilities and inventory TLVs (ANSI/TIA-1057).
def tlv(kind, data):
    return struct.pack("!H", kind << 9 | len(data)) + data

def med(subtype, data):
    return tlv(127, bytes.fromhex("0012bb") + bytes([subtype]) + data)

lldp = tlv(1, bytes([4]) + SEED_MAC) + tlv(2, bytes([3]) + SEED_MAC) + tlv(3, struct.pack("!H", 120))
lldp += tlv(5, b"seed-phone")
lldp += med(1, struct.pack("!H", 0x0033) + bytes([3]))
lldp += med(5, b"HW 1.0A") + med(6, b"FW 2.3.4") + med(7, b"SIP 5.1.7") + med(8, b"SN0001")
lldp += med(9, b"Seed Phones Inc") + med(10, b"SP-100") + med(11, b"asset-7") + tlv(0, b"")
seeds["lldp-med"] = ethernet(bytes.fromhex("0180c200000e"), 0x88CC, lldp)

for label, frame in seeds.items():
    with open(f"fuzz-seeds/{label}.bin", "wb") as handle:
        handle.write(frame)

with open("lldp-med-inventory.pcap", "wb") as handle:
    handle.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    frame = seeds["lldp-med"]
    handle.write(struct.pack("<IIII", 1_700_000_000, 0, len(frame), len(frame)) + frame)
