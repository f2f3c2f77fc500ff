#!/usr/bin/python3
"""Small network tools run inside the end-to-end namespaces: a UDP echo server for the gateway, a
UDP sender with a fixed count for the devices, and a one-shot mDNS query (RFC 6762 section 6.7
"legacy unicast": the query leaves from an ephemeral port, so the responder answers by unicast).

Every loop has a fixed count and every socket a timeout, so a broken LAN can never hang a test.
"""
import argparse
import select
import socket
import sys
import time


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def udp_echo_server(args):
    sockets = []
    for address in args.bind:
        sock = socket.socket(family_of(address), socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, args.port))
        sockets.append(sock)
    print("ready", flush=True)
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        readable, _, _ = select.select(sockets, [], [], 1.0)
        for sock in readable:
            data, peer = sock.recvfrom(65535)
            sock.sendto(data, peer)
    return 0


def udp_send(args):
    sock = socket.socket(family_of(args.to), socket.SOCK_DGRAM)
    sock.settimeout(args.timeout)
    answered = 0
    for index in range(args.count):
        payload = (b"lanscope-e2e-%04d-" % index).ljust(args.size, b"x")
        sock.sendto(payload, (args.to, args.port))
        try:
            data, _ = sock.recvfrom(65535)
            if data == payload:
                answered += 1
        except socket.timeout:
            pass
    print(f"sent {args.count} answered {answered}")
    return 0 if answered == args.count else 1


def mdns_query(args):
    # Imported here so the other tools start without scapy's import time.
    from scapy.all import DNS, DNSQR

    query = DNS(id=0x4C53, rd=0, qd=DNSQR(qname=args.name, qtype=args.qtype))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    sock.sendto(bytes(query), ("224.0.0.251", 5353))
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data, peer = sock.recvfrom(9000)
        except socket.timeout:
            break
        answer = DNS(data)
        if answer.id != query.id or not answer.qr:
            continue
        records = []
        # scapy 2.5 chains the records of a section as layers; their count is in the header.
        for section, count in ((answer.an, answer.ancount), (answer.ar, answer.arcount)):
            for index in range(count or 0):
                try:
                    records.append(section[index])
                except (IndexError, TypeError):
                    break
        for record in records:
            name = record.rrname.decode(errors="replace") if isinstance(record.rrname, bytes) else record.rrname
            kind = record.get_field("type").i2repr(record, record.type)
            if kind == "SRV":
                value = f"{record.target.decode(errors='replace')}:{record.port}"
            else:
                rdata = getattr(record, "rdata", b"")
                if isinstance(rdata, bytes):
                    value = rdata.decode(errors="replace")
                elif isinstance(rdata, list):
                    value = ";".join(x.decode(errors="replace") if isinstance(x, bytes) else str(x) for x in rdata)
                else:
                    value = str(rdata)
            print(f"{peer[0]}\t{kind}\t{name}\t{value}")
        return 0
    print("no answer", file=sys.stderr)
    return 1


def tcx_query(args):
    """Prints how many programs are attached to the interface's tcx hooks (kernel 6.6+), which neither
    `tc filter show` nor older bpftool list. Uses BPF_PROG_QUERY directly; -1 means the query failed."""
    import ctypes
    import struct

    bpf_prog_query, bpf_tcx = 16, {"ingress": 46, "egress": 47}
    libc = ctypes.CDLL(None, use_errno=True)
    ifindex = socket.if_nametoindex(args.interface)
    for direction in ("ingress", "egress"):
        attr = ctypes.create_string_buffer(struct.pack("=IIII", ifindex, bpf_tcx[direction], 0, 0), 64)
        result = libc.syscall(321, bpf_prog_query, attr, 64)  # __NR_bpf on x86_64
        count = struct.unpack_from("=I", attr.raw, 24)[0] if result == 0 else -1
        print(f"{direction} {count}")
    return 0


def webhook(args):
    """An Alertmanager webhook receiver: appends every POST body as one JSON line to --out."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with open(args.out, "ab") as out:
                out.write(body.replace(b"\n", b" ") + b"\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = http.server.HTTPServer((args.bind, args.port), Handler)
    server.timeout = 1.0
    print("ready", flush=True)
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        server.handle_request()
    return 0


def rogue_ra(args):
    """One IPv6 router advertisement (RFC 4861 section 4.2) to all nodes, as a rogue router sends it."""
    from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, sendp
    from scapy.utils6 import in6_mactoifaceid
    link_local = "fe80::" + in6_mactoifaceid(args.mac)
    frame = (Ether(src=args.mac, dst="33:33:00:00:00:01") / IPv6(src=link_local, dst="ff02::1", hlim=255)
             / ICMPv6ND_RA(routerlifetime=args.lifetime) / ICMPv6NDOptSrcLLAddr(lladdr=args.mac)
             / ICMPv6NDOptPrefixInfo(prefix=args.prefix, prefixlen=64, validlifetime=3600, preferredlifetime=1800))
    sendp(frame, iface=args.interface, count=args.count, inter=0.5, verbose=False)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("udp-echo-server", help="echo every datagram back to its sender")
    server.add_argument("--bind", action="append", required=True, help="address to bind (repeatable)")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--lifetime", type=float, default=900.0, help="seconds before exiting on its own")
    server.set_defaults(run=udp_echo_server)

    sender = commands.add_parser("udp-send", help="send COUNT datagrams, waiting for each echo")
    sender.add_argument("--to", required=True)
    sender.add_argument("--port", type=int, required=True)
    sender.add_argument("--count", type=int, default=10)
    sender.add_argument("--size", type=int, default=200, help="payload bytes")
    sender.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for each echo")
    sender.set_defaults(run=udp_send)

    query = commands.add_parser("mdns-query", help="one legacy-unicast mDNS query; prints the records")
    query.add_argument("--name", required=True)
    query.add_argument("--qtype", default="PTR")
    query.add_argument("--timeout", type=float, default=3.0)
    query.set_defaults(run=mdns_query)

    tcx = commands.add_parser("tcx-query", help="count tcx programs on an interface, per direction")
    tcx.add_argument("--interface", required=True)
    tcx.set_defaults(run=tcx_query)

    hook = commands.add_parser("webhook", help="receive Alertmanager webhooks into a JSON-lines file")
    hook.add_argument("--bind", default="127.0.0.1")
    hook.add_argument("--port", type=int, required=True)
    hook.add_argument("--out", required=True)
    hook.add_argument("--lifetime", type=float, default=900.0, help="seconds before it exits by itself")
    hook.set_defaults(run=webhook)

    ra = commands.add_parser("rogue-ra", help="send COUNT router advertisements from MAC on INTERFACE")
    ra.add_argument("--interface", required=True)
    ra.add_argument("--mac", required=True)
    ra.add_argument("--prefix", default="2001:db8:bad::")
    ra.add_argument("--lifetime", type=int, default=1800, help="router lifetime in seconds (0: not a default router)")
    ra.add_argument("--count", type=int, default=3)
    ra.set_defaults(run=rogue_ra)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
