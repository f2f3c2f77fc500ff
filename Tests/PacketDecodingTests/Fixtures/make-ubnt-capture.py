#!/usr/bin/env python3
"""Makes ubnt-discovery.pcap: Ubiquiti discovery messages (UDP 10001) built here from the message layout
(a 4-byte header: version, command, 16-bit length; then TLVs of a 1-byte type, a 16-bit length and the
value), so the decoder can be compared with tshark's `ubdp` dissector on every TLV mix it must read:

1. a client's request (01 00 00 00), broadcast to port 10001;
2. a version 1 answer from an airMAX radio (firmware, hostname, platform, ESSID, long model name);
3. a version 2 announcement from a UniFi access point (platform, model, firmware version, counter...);
4. a version 2 announcement from a UniFi switch whose MAC/IP list also names another interface;
5. a version 1 answer from an EdgeRouter with several addresses and an unknown TLV type;
6. a version 2 announcement with a UTF-8 hostname and no model at all.

Addresses are documentation ranges and locally chosen MACs under Ubiquiti's OUIs; the names are made up.
Usage (Debian python3 with python3-scapy): /usr/bin/python3 make-ubnt-capture.py OUT.pcap
"""
import struct
import sys

from scapy.all import Ether, IP, UDP, Raw, wrpcap

CLIENT_MAC = "02:55:00:00:00:10"


def mac(text):
    return bytes(int(part, 16) for part in text.split(":"))


def ip(text):
    return bytes(int(part) for part in text.split("."))


def tlv(kind, value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return struct.pack("!BH", kind, len(value)) + value


def message(version, command, tlvs):
    body = b"".join(tlvs)
    return struct.pack("!BBH", version, command, len(body)) + body


def frame(source_mac, source_ip, source_port, destination_port, payload, destination_ip="255.255.255.255"):
    return (
        Ether(src=source_mac, dst="ff:ff:ff:ff:ff:ff")
        / IP(src=source_ip, dst=destination_ip, ttl=64, id=1)
        / UDP(sport=source_port, dport=destination_port)
        / Raw(payload)
    )


def main(out):
    radio, uap, switch, router, other = (
        "24:a4:3c:10:00:01", "80:2a:a8:20:00:02", "f0:9f:c2:30:00:03", "78:8a:20:40:00:04", "74:83:c2:50:00:05",
    )
    frames = [
        frame(CLIENT_MAC, "192.0.2.10", 45000, 10001, message(1, 0, [])),
        frame(radio, "192.0.2.21", 10001, 45000, message(1, 0, [
            tlv(2, mac(radio) + ip("192.0.2.21")),
            tlv(1, mac(radio)),
            tlv(10, struct.pack("!I", 86400)),
            tlv(11, "roof-bridge"),
            tlv(12, "LM5"),
            tlv(3, "XM.ar7240.v6.3.6.33330.210818.1900"),
            tlv(13, "backhaul-north"),
            tlv(14, b"\x02"),
            tlv(16, b"\xe8\xa5"),
            tlv(20, "NanoStation loco M5"),
        ]), destination_ip="192.0.2.10"),
        frame(uap, "192.0.2.22", 50123, 10001, message(2, 6, [
            tlv(2, mac(uap) + ip("192.0.2.22")),
            tlv(1, mac(uap)),
            tlv(10, struct.pack("!I", 5025)),
            tlv(11, "UAP-Lobby"),
            tlv(12, "U7PG2"),
            tlv(3, "BZ.qca956x.v4.3.28.11361.200421.1506"),
            tlv(22, "4.3.28.11361"),
            tlv(21, "U7PG2"),
            tlv(23, b"\x00"),
            tlv(24, b"\x00"),
            tlv(19, mac(uap)),
            tlv(18, struct.pack("!I", 42)),
            tlv(27, "4.3.28"),
        ])),
        frame(switch, "192.0.2.23", 50124, 10001, message(2, 6, [
            tlv(2, mac(switch) + ip("192.0.2.23")),
            tlv(2, mac(other) + ip("198.51.100.23")),
            tlv(1, mac(switch)),
            tlv(11, "core-switch"),
            tlv(12, "US24P250"),
            tlv(3, "US.bcm5334x.v5.43.35.12698.210802.1212"),
            tlv(22, "5.43.35.12698"),
            tlv(21, "US24P250"),
            tlv(19, mac(switch)),
        ])),
        frame(router, "192.0.2.24", 10001, 45000, message(1, 0, [
            tlv(2, mac(router) + ip("192.0.2.24")),
            tlv(2, mac(router) + ip("203.0.113.24")),
            tlv(1, mac(router)),
            tlv(10, struct.pack("!I", 113144)),
            tlv(11, "edge-gw"),
            tlv(12, "ER-X"),
            tlv(3, "EdgeRouter.ER-e50.v2.0.9-hotfix.7.5622731.230615.0857"),
            tlv(0x30, b"\x01\x02\x03"),
        ]), destination_ip="192.0.2.10"),
        frame(uap, "192.0.2.22", 50125, 10001, message(2, 6, [
            tlv(2, mac(uap) + ip("192.0.2.22")),
            tlv(11, "Büro-AP"),
            tlv(13, ""),
            tlv(3, "BZ.qca956x.v4.3.28.11361.200421.1506"),
        ])),
    ]
    for number, packet in enumerate(frames):
        packet.time = 1_700_000_000 + number
    wrpcap(out, frames)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-ubnt-capture.py OUT.pcap")
    main(sys.argv[1])
