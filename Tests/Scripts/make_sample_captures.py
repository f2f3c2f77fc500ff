#!/usr/bin/python3
"""Writes lanscope's own sample captures (no third-party capture is copied):

  deploy/samples/lan.pcap          a small synthetic home LAN: a router, a laptop, a printer, a speaker,
                                   a TV, a Raspberry Pi and a phone with a randomised MAC doing DHCP, ARP,
                                   mDNS, SSDP, NDP and some TCP/UDP traffic.
  Tests/LanscopeServiceTests/Fixtures/hostile.pcap
                                   devices announcing hostile names/services (quotes, backslashes,
                                   newlines, braces, '# HELP' lines, 4 KB strings, invalid UTF-8, ESC).

Deterministic: fixed timestamps, no randomness. Run with Debian's python3 (python3-scapy):
    /usr/bin/python3 Tests/Scripts/make_sample_captures.py
"""
import os
import sys
from decimal import Decimal

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, DNSRR, DNSRRSRV, ICMPv6ND_NS, ICMPv6ND_RS,
                       ICMPv6NDOptSrcLLAddr, IP, IPv6, TCP, UDP, Ether, Raw, wrpcap)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = Decimal(1793527200)  # 2026-11-01T10:00:00Z
BCAST = "ff:ff:ff:ff:ff:ff"
MDNS_MAC, MDNS_IP = "01:00:5e:00:00:fb", "224.0.0.251"
MDNS6_MAC, MDNS6_IP = "33:33:00:00:00:fb", "ff02::fb"
SSDP_MAC, SSDP_IP = "01:00:5e:7f:ff:fa", "239.255.255.250"

ROUTER = ("24:5a:4c:11:22:01", "192.168.50.1")


class Capture:
    def __init__(self):
        self.packets = []
        self.t = T0

    def add(self, pkt, gap="0.05"):
        self.t += Decimal(str(gap))
        pkt.time = self.t
        self.packets.append(pkt)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def dhcp_exchange(cap, mac, ip, xid, hostname, prl, vendor=None, client_id=True):
    opts_common = [("param_req_list", prl)]
    if vendor:
        opts_common.append(("vendor_class_id", vendor.encode() if isinstance(vendor, str) else vendor))
    if client_id:
        opts_common.append(("client_id", b"\x01" + mac_bytes(mac)))
    host = [("hostname", hostname if isinstance(hostname, bytes) else hostname.encode())] if hostname is not None else []
    base = Ether(src=mac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
    boot = BOOTP(op=1, chaddr=mac_bytes(mac) + b"\x00" * 10, xid=xid, flags=0x8000)
    cap.add(base / boot / DHCP(options=[("message-type", "discover"), ("max_dhcp_size", 1500)] + host + opts_common + ["end"]))
    srv = Ether(src=ROUTER[0], dst=BCAST) / IP(src=ROUTER[1], dst="255.255.255.255") / UDP(sport=67, dport=68)
    sboot = BOOTP(op=2, yiaddr=ip, siaddr=ROUTER[1], chaddr=mac_bytes(mac) + b"\x00" * 10, xid=xid, flags=0x8000)
    lease = [("server_id", ROUTER[1]), ("lease_time", 86400), ("subnet_mask", "255.255.255.0"), ("router", ROUTER[1]),
             ("name_server", ROUTER[1])]
    cap.add(srv / sboot / DHCP(options=[("message-type", "offer")] + lease + ["end"]))
    cap.add(base / boot / DHCP(options=[("message-type", "request"), ("requested_addr", ip), ("server_id", ROUTER[1])]
                               + host + opts_common + ["end"]))
    cap.add(srv / sboot / DHCP(options=[("message-type", "ack")] + lease + ["end"]))
    # Gratuitous ARP after configuring the address (RFC 5227 announcement).
    cap.add(Ether(src=mac, dst=BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=ip))


def mdns_announce(cap, mac, ip, host, services, ipv6=None):
    """services: list of (type, instance, port, txt list)."""
    answers = [DNSRR(rrname=f"{host}.local.", type="A", rclass=0x8001, ttl=120, rdata=ip)]
    if ipv6:
        answers.append(DNSRR(rrname=f"{host}.local.", type="AAAA", rclass=0x8001, ttl=120, rdata=ipv6))
    for stype, inst, port, txt in services:
        fqdn = f"{inst}.{stype}.local."
        answers.append(DNSRR(rrname=f"{stype}.local.", type="PTR", ttl=4500, rdata=fqdn))
        answers.append(DNSRRSRV(rrname=fqdn, rclass=0x8001, ttl=120, port=port, target=f"{host}.local."))
        answers.append(DNSRR(rrname=fqdn, type="TXT", rclass=0x8001, ttl=4500, rdata=txt or [b""]))
    rr = answers[0]
    for a in answers[1:]:
        rr = rr / a
    dns = DNS(id=0, qr=1, aa=1, qd=None, qdcount=0, ancount=len(answers), an=rr)
    cap.add(Ether(src=mac, dst=MDNS_MAC) / IP(src=ip, dst=MDNS_IP, ttl=255) / UDP(sport=5353, dport=5353) / dns)


def ssdp_notify(cap, mac, ip, nt, usn, server, location):
    body = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
            f"LOCATION: {location}\r\nNT: {nt}\r\nNTS: ssdp:alive\r\nSERVER: {server}\r\nUSN: {usn}\r\n\r\n")
    cap.add(Ether(src=mac, dst=SSDP_MAC) / IP(src=ip, dst=SSDP_IP, ttl=4) / UDP(sport=1900, dport=1900) / Raw(body.encode()))


def tcp_session(cap, mac, ip, remote, dport, sport, payloads, gateway_mac=ROUTER[0]):
    c = Ether(src=mac, dst=gateway_mac) / IP(src=ip, dst=remote)
    s = Ether(src=gateway_mac, dst=mac) / IP(src=remote, dst=ip)
    cap.add(c / TCP(sport=sport, dport=dport, flags="S", seq=1000, options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]))
    cap.add(s / TCP(sport=dport, dport=sport, flags="SA", seq=5000, ack=1001))
    cap.add(c / TCP(sport=sport, dport=dport, flags="A", seq=1001, ack=5001))
    seq = 1001
    for i, n in enumerate(payloads):
        cap.add(c / TCP(sport=sport, dport=dport, flags="PA", seq=seq, ack=5001) / Raw(bytes([0x41 + i % 26]) * n), gap=0.01)
        seq += n
        cap.add(s / TCP(sport=dport, dport=sport, flags="A", seq=5001, ack=seq), gap=0.01)
    cap.add(c / TCP(sport=sport, dport=dport, flags="FA", seq=seq, ack=5001))


def sample_lan():
    cap = Capture()
    laptop = ("3c:22:fb:aa:bb:01", "192.168.50.10")
    printer = ("9c:7b:ef:10:20:30", "192.168.50.20")
    speaker = ("5c:aa:fd:44:55:66", "192.168.50.30")
    tv = ("d0:d0:03:77:88:99", "192.168.50.40")
    pi = ("b8:27:eb:01:02:03", "192.168.50.50")
    phone = ("da:a1:19:5e:6f:70", "192.168.50.60")  # locally administered: a randomised "private" MAC

    # The router announces itself.
    cap.add(Ether(src=ROUTER[0], dst=BCAST) / ARP(op=1, hwsrc=ROUTER[0], psrc=ROUTER[1], pdst=ROUTER[1]))
    dhcp_exchange(cap, laptop[0], laptop[1], 0x1001, "alices-macbook", [1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46])
    dhcp_exchange(cap, printer[0], printer[1], 0x1002, "HPLJ-M404", [1, 3, 6, 15, 44, 47, 12, 81, 252],
                  vendor="Hewlett-Packard JetDirect")
    dhcp_exchange(cap, speaker[0], speaker[1], 0x1003, "Sonos-Kitchen", [1, 3, 6, 12, 15, 28, 42])
    dhcp_exchange(cap, tv[0], tv[1], 0x1004, "Samsung-TV", [1, 3, 6, 12, 15, 28, 33, 121], vendor="udhcp 1.30.1")
    dhcp_exchange(cap, pi[0], pi[1], 0x1005, "raspberrypi", [1, 121, 33, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 119],
                  vendor="dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835")
    dhcp_exchange(cap, phone[0], phone[1], 0x1006, "Pixel-7", [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114],
                  vendor="android-dhcp-13")

    # ARP: the laptop resolves the router; the router answers.
    cap.add(Ether(src=laptop[0], dst=BCAST) / ARP(op=1, hwsrc=laptop[0], psrc=laptop[1], pdst=ROUTER[1]))
    cap.add(Ether(src=ROUTER[0], dst=laptop[0]) / ARP(op=2, hwsrc=ROUTER[0], psrc=ROUTER[1], hwdst=laptop[0], pdst=laptop[1]))

    # mDNS / DNS-SD announcements.
    mdns_announce(cap, printer[0], printer[1], "HPLJ-M404",
                  [("_ipp._tcp", "HP LaserJet Pro M404", 631,
                    [b"txtvers=1", b"ty=HP LaserJet Pro M404dn", b"product=(HP LaserJet Pro M404dn)",
                     b"pdl=application/pdf,image/urf", b"rp=ipp/print"]),
                   ("_printer._tcp", "HP LaserJet Pro M404", 515, [b"txtvers=1"])])
    mdns_announce(cap, speaker[0], speaker[1], "Sonos-Kitchen",
                  [("_sonos._tcp", "Kitchen", 1443, [b"info=/api/v1/players/RINCON_5CAAFD445566/info", b"vers=3"]),
                   ("_spotify-connect._tcp", "Kitchen", 1400, [b"VERSION=1.0", b"CPath=/spotifyzc"])])
    mdns_announce(cap, pi[0], pi[1], "raspberrypi",
                  [("_ssh._tcp", "raspberrypi", 22, []), ("_workstation._tcp", "raspberrypi [b8:27:eb:01:02:03]", 9, [])],
                  ipv6="fe80::ba27:ebff:fe01:203")
    mdns_announce(cap, laptop[0], laptop[1], "alices-macbook",
                  [("_companion-link._tcp", "Alice's MacBook", 49152, [b"rpVr=360.4", b"rpMd=MacBookPro18,3"])])
    # The laptop asks for printers: a question is not evidence about the asker.
    q = DNS(id=0, qr=0, qd=DNSQR(qname="_ipp._tcp.local.", qtype="PTR"))
    cap.add(Ether(src=laptop[0], dst=MDNS_MAC) / IP(src=laptop[1], dst=MDNS_IP, ttl=255) / UDP(sport=5353, dport=5353) / q)

    # SSDP.
    ssdp_notify(cap, speaker[0], speaker[1], "urn:schemas-upnp-org:device:ZonePlayer:1",
                "uuid:RINCON_5CAAFD44556601400::urn:schemas-upnp-org:device:ZonePlayer:1",
                "Linux UPnP/1.0 Sonos/70.3-35220 (ZPS1)", "http://192.168.50.30:1400/xml/device_description.xml")
    ssdp_notify(cap, tv[0], tv[1], "urn:schemas-upnp-org:device:MediaRenderer:1",
                "uuid:0a1b2c3d-0000-1000-8000-d0d003778899::urn:schemas-upnp-org:device:MediaRenderer:1",
                "SHP, UPnP/1.0, Samsung UPnP SDK/1.0", "http://192.168.50.40:9197/dmr")
    msearch = ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
               "ST: urn:dial-multiscreen-org:service:dial:1\r\nUSER-AGENT: Google Chrome/120.0 Linux\r\n\r\n")
    cap.add(Ether(src=phone[0], dst=SSDP_MAC) / IP(src=phone[1], dst=SSDP_IP, ttl=4) / UDP(sport=50000, dport=1900) / Raw(msearch.encode()))
    reply = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://192.168.50.40:8080/dd.xml\r\n"
             "SERVER: Linux/4.1 UPnP/1.0 Samsung DIAL/1.0\r\nST: urn:dial-multiscreen-org:service:dial:1\r\n"
             "USN: uuid:0a1b2c3d-0000-1000-8000-d0d003778899::urn:dial-multiscreen-org:service:dial:1\r\n\r\n")
    cap.add(Ether(src=tv[0], dst=phone[0]) / IP(src=tv[1], dst=phone[1]) / UDP(sport=1900, dport=50000) / Raw(reply.encode()))

    # IPv6: the Pi solicits routers and probes its link-local address (NDP).
    ll = "fe80::ba27:ebff:fe01:203"
    cap.add(Ether(src=pi[0], dst="33:33:00:00:00:02") / IPv6(src=ll, dst="ff02::2", hlim=255) / ICMPv6ND_RS()
            / ICMPv6NDOptSrcLLAddr(lladdr=pi[0]))
    cap.add(Ether(src=pi[0], dst="33:33:ff:01:02:03") / IPv6(src="::", dst="ff02::1:ff01:203", hlim=255)
            / ICMPv6ND_NS(tgt=ll))

    # Ordinary traffic through the router, so per-device counters have something to count.
    tcp_session(cap, laptop[0], laptop[1], "203.0.113.10", 443, 51000, [517, 1200, 1200, 300])
    tcp_session(cap, phone[0], phone[1], "203.0.113.20", 443, 40000, [600, 64])
    tcp_session(cap, pi[0], pi[1], "198.51.100.5", 80, 33000, [120])
    tcp_session(cap, laptop[0], laptop[1], printer[1], 631, 51001, [400], gateway_mac=printer[0])
    for i in range(5):
        cap.add(Ether(src=tv[0], dst=ROUTER[0]) / IP(src=tv[1], dst="198.51.100.53") / UDP(sport=41000 + i, dport=53)
                / Raw(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"))
        cap.add(Ether(src=ROUTER[0], dst=tv[0]) / IP(src="198.51.100.53", dst=tv[1]) / UDP(sport=53, dport=41000 + i)
                / Raw(b"\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"))
    # IPv6 traffic from the Pi's link-local address to the laptop via mDNS over IPv6.
    cap.add(Ether(src=pi[0], dst=MDNS6_MAC) / IPv6(src=ll, dst=MDNS6_IP, hlim=255) / UDP(sport=5353, dport=5353)
            / DNS(id=0, qr=1, aa=1, qd=None, qdcount=0, ancount=1, an=DNSRR(rrname="raspberrypi.local.", type="AAAA", rclass=0x8001, ttl=120, rdata=ll)))
    return cap.packets


def hostile():
    cap = Capture()
    evil = [
        ("02:00:00:00:00:01", "10.9.0.1", b'quote"back\\slash'),
        ("02:00:00:00:00:02", "10.9.0.2", b"new\nline} 1\n# HELP injected fake\nlanscope_injected 1"),
        ("02:00:00:00:00:03", "10.9.0.3", b"A" * 4096),
        ("02:00:00:00:00:04", "10.9.0.4", b"bad\xff\xfeutf8\xc3("),
        ("02:00:00:00:00:05", "10.9.0.5", b"esc\x1b[31mred\x1b[0m,comma\r\ttab"),
        ("02:00:00:00:00:06", "10.9.0.6", b"=cmd|' /C calc'!A0"),
    ]
    for i, (mac, ip, name) in enumerate(evil):
        dhcp_exchange(cap, mac, ip, 0x2000 + i, name[:255], [1, 3, 6], vendor=name[:200])
    # Hostile mDNS service/TXT and a long SSDP SERVER header.
    mac, ip = "02:00:00:00:00:07", "10.9.0.7"
    mdns_announce(cap, mac, ip, "evil-host",
                  [("_http._tcp", 'In"st}\\ance\nx', 80, [b'model="}\n# TYPE x counter', b"ty=\xff\xfe", b"k=" + b"B" * 200])])
    ssdp_notify(cap, "02:00:00:00:00:08", "10.9.0.8", "urn:evil:device:X:1", 'uuid:"}\\', "S" * 1000 + '"}\\',
                "http://10.9.0.8/\"}")
    return cap.packets


def main():
    out = os.path.join(ROOT, "deploy", "samples", "lan.pcap")
    wrpcap(out, sample_lan())
    hostile_out = os.path.join(ROOT, "Tests", "LanscopeServiceTests", "Fixtures", "hostile.pcap")
    os.makedirs(os.path.dirname(hostile_out), exist_ok=True)
    wrpcap(hostile_out, hostile())
    print(f"wrote {out} and {hostile_out}")


if __name__ == "__main__":
    sys.exit(main())
