#!/usr/bin/python3
"""Writes a large synthetic LAN capture (classic pcap, Ethernet) for the replay and HTTP benchmarks.

    make_large_capture.py OUT.pcap [--frames 2000000] [--devices 300] [--seed 1] [--attacks] [--mix lan|discovery]

Every device first introduces itself (DHCP REQUEST + ACK with hostname, vendor class and parameter
request list; a gratuitous ARP; an mDNS announcement, SSDP NOTIFY or NDP advertisement for some),
then the rest of the file is ordinary traffic with discovery frames mixed in at roughly the rates a
home/office LAN shows: ~93% unicast TCP/UDP over IPv4 and IPv6 (to the gateway, i.e. the Internet,
and between devices), ~3% ARP, ~2% mDNS, ~1% SSDP, ~1% NDP, ~0.1% DHCP.

With --mix discovery the discovery path is loaded as a busy network loads it: 20% of the frames are
discovery frames — DNS queries to the gateway 8% (names from a pool of 2,000: cloud, CDN and vendor
domains), ARP 5%, mDNS 4% (announcements and queries), DHCP 3% (requests and acks) — and 80% ordinary
traffic; every device's client signals (DNS names, DHCP) then reach the classifier.

With --attacks, half-way through an attacker (00:66:66:00:00:66, 10.20.0.66) sweeps ARP over
10.20.200.1-254 (addresses nobody holds) and SYN-scans the first device on ports 1-1024 and port 22
on every device, the scanned hosts answering RST: what the detectors must find in a large capture
(`make bench-detect`).

Frames are built once into pools with `struct` and then written with fresh timestamps, so two
million frames take seconds, not minutes. Output goes where it is told (a temp dir); never commit it.
"""

import argparse
import random
import struct
import sys

GATEWAY_MAC = bytes.fromhex("245a4c112201")
GATEWAY_V4 = bytes([10, 20, 0, 1])
# Real vendor OUIs so the vendor lookup has something to find; the last is a locally administered prefix.
OUIS = [bytes.fromhex(h) for h in ("3c22fb", "b827eb", "9c7bef", "5caafd", "d0d003", "f01898", "001a11", "dca632", "daa119")]
VENDOR_CLASSES = ["MSFT 5.0", "android-dhcp-14", "udhcp 1.36.1", "dhcpcd-9.4.1:Linux-6.1:armv7l", "", "HP LaserJet"]
PARAMETER_LISTS = [bytes([1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46]), bytes([1, 3, 6, 15, 26, 28, 51, 58, 59, 43]),
                   bytes([1, 33, 3, 6, 12, 15, 28, 42, 51, 54, 58, 59, 119]), bytes([1, 28, 2, 3, 15, 6, 12])]
SERVICES = [("_ipp._tcp", 631), ("_airplay._tcp", 7000), ("_googlecast._tcp", 8009), ("_ssh._tcp", 22), ("_hap._tcp", 8080)]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def ether(dst, src, ethertype, payload):
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ttl=64):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, ttl, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(src, dst, next_header, payload, hop_limit=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), next_header, hop_limit, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, ack, flags, payload):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload


def icmpv6(src, dst, icmp_type, body):
    message = struct.pack("!BBH", icmp_type, 0, 0) + body
    pseudo = src + dst + struct.pack("!I3xB", len(message), 58)
    message = message[:2] + struct.pack("!H", checksum(pseudo + message)) + message[4:]
    return ipv6(src, dst, 58, message, hop_limit=255)


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def dns_rr(name, rtype, data, cache_flush=True, ttl=120):
    return dns_name(name) + struct.pack("!HHIH", rtype, 0x8001 if cache_flush else 1, ttl, len(data)) + data


class Device:
    def __init__(self, index, rng):
        self.index = index
        oui = OUIS[index % len(OUIS)]
        self.mac = oui + struct.pack("!I", 0x100000 + index)[1:]
        self.v4 = bytes([10, 20, 1 + index // 250, 2 + index % 250])
        eui = bytes([self.mac[0] ^ 0x02]) + self.mac[1:3] + b"\xff\xfe" + self.mac[3:6]
        self.ll6 = bytes.fromhex("fe800000000000000000000000000000")[:8] + eui
        self.gua6 = bytes.fromhex("20010db8000a0000") + eui
        self.hostname = "host-%05d" % index
        self.vendor_class = VENDOR_CLASSES[index % len(VENDOR_CLASSES)]
        self.parameters = PARAMETER_LISTS[index % len(PARAMETER_LISTS)]
        self.service = SERVICES[index % len(SERVICES)] if index % 3 == 0 else None
        self.xid = rng.getrandbits(32)


def dhcp(device, message_type, from_server):
    options = bytes([53, 1, message_type])
    if from_server:
        options += bytes([54, 4]) + GATEWAY_V4 + bytes([51, 4]) + struct.pack("!I", 86400) + bytes([1, 4, 255, 255, 0, 0, 3, 4]) + GATEWAY_V4
    else:
        options += bytes([61, 7, 1]) + device.mac + bytes([50, 4]) + device.v4
        host = device.hostname.encode()
        options += bytes([12, len(host)]) + host
        if device.vendor_class:
            vc = device.vendor_class.encode()
            options += bytes([60, len(vc)]) + vc
        options += bytes([55, len(device.parameters)]) + device.parameters + bytes([57, 2, 0x05, 0xDC])
    options += b"\xff"
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s", 2 if from_server else 1, 1, 6, 0, device.xid, 0, 0x8000,
                        b"\0" * 4, device.v4 if from_server else b"\0" * 4, b"\0" * 4, b"\0" * 4, device.mac + b"\0" * 10)
    bootp += b"\0" * 192 + bytes([99, 130, 83, 99]) + options
    if from_server:
        frame = ether(b"\xff" * 6, GATEWAY_MAC, 0x0800, ipv4(GATEWAY_V4, b"\xff" * 4, 17, udp(67, 68, bootp)))
    else:
        frame = ether(b"\xff" * 6, device.mac, 0x0800, ipv4(b"\0" * 4, b"\xff" * 4, 17, udp(68, 67, bootp)))
    return frame


def arp(sender_mac, sender_ip, target_mac, target_ip, op, dst_mac=b"\xff" * 6):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sender_mac, sender_ip, target_mac, target_ip)
    return ether(dst_mac, sender_mac, 0x0806, body)


def mdns_announcement(device):
    service, port = device.service or ("_workstation._tcp", 9)
    instance = "%s.%s.local" % (device.hostname, service)
    host = device.hostname + ".local"
    answers = [
        dns_rr(host, 1, device.v4),
        dns_rr(host, 28, device.ll6),
        dns_rr(service + ".local", 12, dns_name(instance), cache_flush=False, ttl=4500),
        dns_rr(instance, 33, struct.pack("!HHH", 0, 0, port) + dns_name(host)),
        dns_rr(instance, 16, b"\x09txtvers=1" + bytes([len("model=bench")]) + b"model=bench"),
    ]
    payload = struct.pack("!HHHHHH", 0, 0x8400, 0, len(answers), 0, 0) + b"".join(answers)
    return ether(bytes.fromhex("01005e0000fb"), device.mac, 0x0800, ipv4(device.v4, bytes([224, 0, 0, 251]), 17, udp(5353, 5353, payload), ttl=255))


def mdns_query(device):
    payload = struct.pack("!HHHHHH", 0, 0, 1, 0, 0, 0) + dns_name("_googlecast._tcp.local") + struct.pack("!HH", 12, 1)
    return ether(bytes.fromhex("01005e0000fb"), device.mac, 0x0800, ipv4(device.v4, bytes([224, 0, 0, 251]), 17, udp(5353, 5353, payload), ttl=255))


def ssdp_notify(device):
    ip = ".".join(str(b) for b in device.v4)
    text = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
            "LOCATION: http://%s:49152/description.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
            "SERVER: Linux/5.10 UPnP/1.0 bench/%d\r\nUSN: uuid:bench-%08d::upnp:rootdevice\r\n\r\n" % (ip, device.index % 7, device.index))
    return ether(bytes.fromhex("01005e7ffffa"), device.mac, 0x0800, ipv4(device.v4, bytes([239, 255, 255, 250]), 17, udp(1900, 1900, text.encode()), ttl=4))


def ssdp_search(device):
    text = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
    return ether(bytes.fromhex("01005e7ffffa"), device.mac, 0x0800, ipv4(device.v4, bytes([239, 255, 255, 250]), 17, udp(50000, 1900, text.encode()), ttl=4))


def ndp_advertisement(device):
    all_nodes = bytes.fromhex("ff020000000000000000000000000001")
    body = struct.pack("!I", 0x20000000) + device.gua6 + bytes([2, 1]) + device.mac  # override flag; target link-layer option
    return ether(bytes.fromhex("333300000001"), device.mac, 0x86DD, icmpv6(device.ll6, all_nodes, 136, body))


def ndp_solicitation(device, target):
    solicited = bytes.fromhex("ff0200000000000000000001ff") + target.gua6[13:]
    body = b"\0" * 4 + target.gua6 + bytes([1, 1]) + device.mac
    return ether(bytes.fromhex("3333ff") + target.gua6[13:], device.mac, 0x86DD, icmpv6(device.ll6, solicited, 135, body))


def internet_v4(index):
    return bytes([93, 184, (index * 7) % 250 + 1, (index * 13) % 250 + 1])


def internet_v6(index):
    return bytes.fromhex("2a0014500000000000000000") + struct.pack("!I", index + 1)


def ordinary_pool(devices, rng, size):
    """Unicast frames: TCP bulk and ACKs, DNS and QUIC over UDP, IPv4 and IPv6, Internet and local."""
    pool = []
    payload_full = bytes(rng.getrandbits(8) for _ in range(1460))
    for n in range(size):
        d = devices[n % len(devices)]
        kind = rng.random()
        sport = 32768 + rng.randrange(28000)
        if kind < 0.30:  # IPv4 TCP download, full-size segment from the Internet
            seg = tcp(443, sport, n, n, 0x18, payload_full)
            pool.append(ether(d.mac, GATEWAY_MAC, 0x0800, ipv4(internet_v4(n), d.v4, 6, seg)))
        elif kind < 0.55:  # IPv4 TCP ACK or small request upstream
            seg = tcp(sport, 443, n, n, 0x10, payload_full[: rng.choice((0, 0, 0, 120, 517))])
            pool.append(ether(GATEWAY_MAC, d.mac, 0x0800, ipv4(d.v4, internet_v4(n), 6, seg)))
        elif kind < 0.65:  # IPv4 UDP: DNS to the gateway, or QUIC
            if rng.random() < 0.5:
                q = struct.pack("!HHHHHH", n & 0xFFFF, 0x0100, 1, 0, 0, 0) + dns_name("www.example%d.com" % (n % 50)) + struct.pack("!HH", 1, 1)
                pool.append(ether(GATEWAY_MAC, d.mac, 0x0800, ipv4(d.v4, GATEWAY_V4, 17, udp(sport, 53, q))))
            else:
                pool.append(ether(d.mac, GATEWAY_MAC, 0x0800, ipv4(internet_v4(n), d.v4, 17, udp(443, sport, payload_full[:1200]))))
        elif kind < 0.80:  # IPv6 TCP, both directions
            if rng.random() < 0.5:
                pool.append(ether(d.mac, GATEWAY_MAC, 0x86DD, ipv6(internet_v6(n), d.gua6, 6, tcp(443, sport, n, n, 0x18, payload_full[:1440]))))
            else:
                pool.append(ether(GATEWAY_MAC, d.mac, 0x86DD, ipv6(d.gua6, internet_v6(n), 6, tcp(sport, 443, n, n, 0x10, b""))))
        elif kind < 0.88:  # IPv6 UDP (QUIC)
            pool.append(ether(d.mac, GATEWAY_MAC, 0x86DD, ipv6(internet_v6(n), d.gua6, 17, udp(443, sport, payload_full[:1232]))))
        else:  # local traffic between two devices (file share, casting, SSH)
            peer = devices[(n * 31 + 7) % len(devices)]
            if peer is d:
                peer = devices[(d.index + 1) % len(devices)]
            size = rng.choice((0, 64, 300, 1448))
            pool.append(ether(peer.mac, d.mac, 0x0800, ipv4(d.v4, peer.v4, 6, tcp(sport, 445, n, n, 0x18 if size else 0x10, payload_full[:size]))))
    return pool


def discovery_pools(devices, rng):
    """Periodic discovery chatter: (weight, frames)."""
    n = len(devices)
    arp_frames = []
    for d in devices[: min(n, 2000)]:
        arp_frames.append(arp(d.mac, d.v4, b"\0" * 6, GATEWAY_V4, 1))
        arp_frames.append(arp(GATEWAY_MAC, GATEWAY_V4, d.mac, d.v4, 2, dst_mac=d.mac))
    announcers = [d for d in devices if d.service][:2000]
    mdns_frames = [mdns_announcement(d) for d in announcers[:500]] + [mdns_query(d) for d in devices[:500]]
    ssdp_frames = [ssdp_notify(d) for d in devices[:500:5]] + [ssdp_search(d) for d in devices[1:500:7]]
    ndp_frames = [ndp_advertisement(d) for d in devices[:500:2]] + [ndp_solicitation(d, devices[(d.index + 3) % n]) for d in devices[:500:3]]
    dhcp_frames = []
    for d in devices[:200]:
        dhcp_frames += [dhcp(d, 3, False), dhcp(d, 5, True)]
    return [(0.03, arp_frames), (0.02, mdns_frames), (0.01, ssdp_frames), (0.01, ndp_frames), (0.001, dhcp_frames)]


DNS_WORDS = ["api", "cdn", "time", "push", "update", "telemetry", "auth", "media", "img", "static"]
DNS_ZONES = ["example.com", "example.net", "example.org", "cloud.example", "cdn.example", "devices.example",
             "iot.example", "tv.example", "vendor.example", "stream.example"]


def dns_query(device, name, n):
    q = struct.pack("!HHHHHH", n & 0xFFFF, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", 1 if n % 3 else 28, 1)
    return ether(GATEWAY_MAC, device.mac, 0x0800, ipv4(device.v4, GATEWAY_V4, 17, udp(40000 + n % 20000, 53, q)))


def discovery_heavy_pools(devices, rng):
    """The issue's discovery-heavy mix: DNS 8%, ARP 5%, mDNS 4%, DHCP 3% (20% in all)."""
    names = ["%s%d.%s" % (DNS_WORDS[i % len(DNS_WORDS)], i // len(DNS_WORDS), DNS_ZONES[(i * 7) % len(DNS_ZONES)])
             for i in range(2000)]
    dns_frames = [dns_query(devices[n % len(devices)], names[rng.randrange(len(names))], n) for n in range(16384)]
    arp_frames = []
    for d in devices:
        arp_frames.append(arp(d.mac, d.v4, b"\0" * 6, GATEWAY_V4, 1))
        arp_frames.append(arp(GATEWAY_MAC, GATEWAY_V4, d.mac, d.v4, 2, dst_mac=d.mac))
    mdns_frames = [mdns_announcement(d) for d in devices if d.service] + [mdns_query(d) for d in devices]
    dhcp_frames = []
    for d in devices:
        dhcp_frames += [dhcp(d, 3, False), dhcp(d, 5, True)]
    return [(0.08, dns_frames), (0.05, arp_frames), (0.04, mdns_frames), (0.03, dhcp_frames)]


def introductions(devices):
    """What each device says when it joins: DHCP, gratuitous ARP, and an announcement for some."""
    frames = []
    for d in devices:
        frames.append(dhcp(d, 3, False))
        frames.append(dhcp(d, 5, True))
        frames.append(arp(d.mac, d.v4, b"\0" * 6, d.v4, 1))
        if d.service:
            frames.append(mdns_announcement(d))
        if d.index % 5 == 1:
            frames.append(ssdp_notify(d))
        if d.index % 2 == 0:
            frames.append(ndp_advertisement(d))
    return frames


ATTACKER_MAC = bytes.fromhex("006666000066")
ATTACKER_V4 = bytes([10, 20, 0, 66])


def attack_frames(devices):
    """An ARP sweep of unheld addresses, then a vertical and a horizontal SYN scan answered by RSTs."""
    frames = [arp(ATTACKER_MAC, ATTACKER_V4, b"\0" * 6, bytes([10, 20, 200, last]), 1) for last in range(1, 255)]
    target = devices[0]
    probes = [(target, port) for port in range(1, 1025)] + [(d, 22) for d in devices[1:]]
    for d, port in probes:
        frames.append(ether(d.mac, ATTACKER_MAC, 0x0800, ipv4(ATTACKER_V4, d.v4, 6, tcp(41000, port, 7000, 0, 0x02, b""))))
        frames.append(ether(ATTACKER_MAC, d.mac, 0x0800, ipv4(d.v4, ATTACKER_V4, 6, tcp(port, 41000, 0, 7001, 0x14, b""))))
    return frames


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--frames", type=int, default=2_000_000, help="total frames (default 2,000,000)")
    parser.add_argument("--devices", type=int, default=300, help="devices besides the gateway (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--attacks", action="store_true", help="an ARP sweep and SYN scans half-way through")
    parser.add_argument("--mix", choices=("lan", "discovery"), default="lan",
                        help="lan: ~7%% discovery frames (default); discovery: 20%% (DNS 8, ARP 5, mDNS 4, DHCP 3)")
    args = parser.parse_args()
    if args.devices < 2 or args.devices > 60000:
        sys.exit("--devices must be between 2 and 60000")

    rng = random.Random(args.seed)
    devices = [Device(i, rng) for i in range(args.devices)]
    intro = introductions(devices)
    attacks = attack_frames(devices) if args.attacks else []
    ordinary = ordinary_pool(devices, rng, max(4096, 4 * args.devices))
    discovery = discovery_pools(devices, rng) if args.mix == "lan" else discovery_heavy_pools(devices, rng)
    remaining = max(0, args.frames - len(intro) - len(attacks))

    # Choose each remaining frame's pool up front; within a pool, walk it round-robin.
    weights = [w for w, _ in discovery]
    pools = [frames for _, frames in discovery] + [ordinary]
    weights.append(1.0 - sum(weights))
    choices = rng.choices(range(len(pools)), weights=weights, k=remaining)
    cursors = [0] * len(pools)

    pack = struct.pack
    t = 1_767_225_600 * 1_000_000  # 2026-01-01T00:00:00Z in microseconds
    written = 0
    with open(args.out, "wb", buffering=1 << 22) as out:
        out.write(pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        chunk = []
        for frame in intro:
            t += 200
            chunk.append(pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            chunk.append(frame)
        written += len(intro)
        attack_at = remaining // 2
        for n, which in enumerate(choices):
            if n == attack_at and attacks:
                for frame in attacks:
                    t += 500  # 2,000 frames/s: a fast scan, well inside every detector's window
                    chunk.append(pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
                    chunk.append(frame)
                written += len(attacks)
            frames = pools[which]
            frame = frames[cursors[which] % len(frames)]
            cursors[which] += 1
            t += 37
            chunk.append(pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            chunk.append(frame)
            if len(chunk) >= 65536:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))
        written += remaining
    print("%s: %d frames, %d devices (+ gateway)" % (args.out, written, args.devices), file=sys.stderr)


if __name__ == "__main__":
    main()
