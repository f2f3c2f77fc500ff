#!/usr/bin/python3
"""Writes Tests/LanscopeServiceTests/Fixtures/attacks.pcap: a small synthetic LAN with one of each
attack the detectors are built for, at fixed times, so tests can assert the events exactly.

Timeline (seconds from T0; ordinary life runs throughout: ARP, mDNS, DHCP renewals):
    0     router (DHCP server, IPv6 router) hands leases to a laptop, a printer and a phone; first RA
    650   an attacker joins (DHCP) and gets 192.168.50.66
    700   ARP sweep: who-has 192.168.50.100-160 (61 addresses nobody holds; threshold 32 in 60 s)
    760   forged ARP replies: 192.168.50.1 (the router's address) is-at the attacker, to the laptop
    780   rogue DHCP OFFER from the attacker (server id 192.168.50.66), > 600 s after the first server
    790   rogue IPv6 RA from the attacker (router lifetime 1800 s)
    800   TCP SYN scan of the printer, ports 1-200 in 2 s; the printer answers RST, SYN-ACK on 80/631
    810   the router answers the next ARP request for its address: 192.168.50.1 moves back
          (router -> attacker -> router within 300 s: an ip_conflict on the attacker besides the spoof)
    900-1230  ordinary life only

Deterministic: fixed timestamps, no randomness. Run with Debian's python3 (python3-scapy):
    /usr/bin/python3 Tests/Scripts/make_attack_capture.py [OUT]
"""
import os
import sys
from decimal import Decimal

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSRR, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo,
                       ICMPv6NDOptSrcLLAddr, IP, IPv6, TCP, UDP, Ether, wrpcap)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = Decimal(1793527200)  # 2026-11-01T10:00:00Z
BCAST = "ff:ff:ff:ff:ff:ff"
MDNS_MAC, MDNS_IP = "01:00:5e:00:00:fb", "224.0.0.251"

ROUTER = ("24:5a:4c:11:22:01", "192.168.50.1")
LAPTOP = ("3c:22:fb:10:00:02", "192.168.50.20")
PRINTER = ("00:1b:a9:10:00:03", "192.168.50.30")
PHONE = ("dc:a6:32:10:00:04", "192.168.50.40")
ATTACKER = ("00:66:66:10:00:66", "192.168.50.66")
CLIENTS = [LAPTOP, PRINTER, PHONE]


def dhcp_client(client, message_type, xid):
    mac, ip = client
    options = [("message-type", message_type), ("requested_addr", ip), ("hostname", "host-" + mac[-2:]),
               ("param_req_list", [1, 3, 6, 15, 28, 51]), "end"]
    return (Ether(src=mac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
            / BOOTP(op=1, xid=xid, chaddr=bytes.fromhex(mac.replace(":", "")) + b"\0" * 10, flags=0x8000)
            / DHCP(options=options))


def dhcp_server(server, client, message_type, xid):
    smac, sip = server
    mac, ip = client
    options = [("message-type", message_type), ("server_id", sip), ("lease_time", 86400),
               ("subnet_mask", "255.255.255.0"), ("router", sip), "end"]
    return (Ether(src=smac, dst=BCAST) / IP(src=sip, dst="255.255.255.255") / UDP(sport=67, dport=68)
            / BOOTP(op=2, xid=xid, yiaddr=ip, siaddr=sip, chaddr=bytes.fromhex(mac.replace(":", "")) + b"\0" * 10,
                    flags=0x8000)
            / DHCP(options=options))


def arp_request(sender, target_ip):
    mac, ip = sender
    return Ether(src=mac, dst=BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=target_ip)


def arp_reply(sender_mac, sender_ip, to):
    return Ether(src=sender_mac, dst=to[0]) / ARP(op=2, hwsrc=sender_mac, psrc=sender_ip, hwdst=to[0], pdst=to[1])


def mdns(client):
    mac, ip = client
    name = "host-%s.local" % mac[-2:]
    return (Ether(src=mac, dst=MDNS_MAC) / IP(src=ip, dst=MDNS_IP, ttl=255) / UDP(sport=5353, dport=5353)
            / DNS(qr=1, aa=1, an=DNSRR(rrname=name, type="A", rdata=ip, ttl=120)))


def router_advertisement(router, lifetime):
    mac = router[0]
    link_local = "fe80::%s" % mac.replace(":", "")[-4:]
    return (Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=link_local, dst="ff02::1", hlim=255)
            / ICMPv6ND_RA(routerlifetime=lifetime) / ICMPv6NDOptSrcLLAddr(lladdr=mac)
            / ICMPv6NDOptPrefixInfo(prefix="2001:db8:50::", prefixlen=64))


def tcp(source, destination, sport, dport, flags, seq=1000, ack=0):
    return (Ether(src=source[0], dst=destination[0]) / IP(src=source[1], dst=destination[1])
            / TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=1024))


class Capture:
    def __init__(self):
        self.packets = []

    def at(self, seconds, pkt):
        pkt.time = T0 + Decimal(str(seconds))
        self.packets.append(pkt)


def lease(capture, client, start, xid):
    capture.at(start, dhcp_client(client, 1, xid))
    capture.at(start + 0.01, dhcp_server(ROUTER, client, 2, xid))
    capture.at(start + 0.02, dhcp_client(client, 3, xid))
    capture.at(start + 0.03, dhcp_server(ROUTER, client, 5, xid))
    capture.at(start + 0.04, arp_request(client, client[1]))  # gratuitous: announces the address


def build():
    c = Capture()
    c.at(0.0, router_advertisement(ROUTER, 1800))
    c.at(0.5, arp_request(ROUTER, ROUTER[1]))
    for i, client in enumerate(CLIENTS):
        lease(c, client, 1 + i, 0x1000 + i)
    # Ordinary life every 60 s: each client asks for the router and the router answers; mDNS; an RA.
    for minute in range(0, 21):
        t = 30 + 60 * minute
        for i, client in enumerate(CLIENTS):
            c.at(t + i, arp_request(client, ROUTER[1]))
            c.at(t + i + 0.001, arp_reply(ROUTER[0], ROUTER[1], client))
            c.at(t + i + 0.5, mdns(client))
        if minute % 5 == 0:
            c.at(t + 10, router_advertisement(ROUTER, 1800))
    # The attacker joins.
    lease(c, ATTACKER, 650, 0x6666)
    # 700: ARP sweep of addresses nobody holds.
    for n, last in enumerate(range(100, 161)):
        c.at(700 + n * 0.05, arp_request(ATTACKER, "192.168.50.%d" % last))
    # 760: forged replies: the router's address is at the attacker, sent to the laptop.
    for n in range(5):
        c.at(760 + n, arp_reply(ATTACKER[0], ROUTER[1], LAPTOP))
    # 780: the laptop renews; the attacker answers first with its own OFFER.
    c.at(780, dhcp_client(LAPTOP, 1, 0x2000))
    c.at(780.001, dhcp_server(ATTACKER, LAPTOP, 2, 0x2000))
    c.at(780.01, dhcp_server(ROUTER, LAPTOP, 2, 0x2000))
    c.at(780.02, dhcp_client(LAPTOP, 3, 0x2000))
    c.at(780.03, dhcp_server(ROUTER, LAPTOP, 5, 0x2000))
    # 790: a rogue router advertisement.
    c.at(790, router_advertisement(ATTACKER, 1800))
    # 800: SYN scan of the printer; closed ports answer RST, 80 and 631 answer SYN-ACK (then RST from the
    # scanner, as nmap's half-open scan does).
    for n, port in enumerate(range(1, 201)):
        t = 800 + n * 0.01
        c.at(t, tcp(ATTACKER, PRINTER, 40000, port, "S", seq=7000))
        if port in (80, 631):
            c.at(t + 0.0005, tcp(PRINTER, ATTACKER, port, 40000, "SA", seq=9000, ack=7001))
            c.at(t + 0.001, tcp(ATTACKER, PRINTER, 40000, port, "R", seq=7001))
        else:
            c.at(t + 0.0005, tcp(PRINTER, ATTACKER, port, 40000, "RA", seq=0, ack=7001))
    c.packets.sort(key=lambda p: p.time)
    return c.packets


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests/LanscopeServiceTests/Fixtures/attacks.pcap")
    packets = build()
    wrpcap(out, packets)
    print("%s: %d frames" % (out, len(packets)), file=sys.stderr)


if __name__ == "__main__":
    main()
