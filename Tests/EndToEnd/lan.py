"""The LAN the end-to-end suite runs on. Owns everything outside lanscope: network namespaces, the
bridge, veth pairs, the real daemons playing devices (dnsmasq, dhclient, udhcpc, avahi-daemon), the
gateway's servers, the fixed traffic, and counting frames independently of lanscope (tcpdump files
read with tshark and with scapy).

Every name, pid and namespace created is written to a state file as soon as it exists, so that
`run.sh` can tear the LAN down by those records even if this process dies.
"""
import json
import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field

PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
LANTOOL = os.path.join(HERE, "lantool.py")

SUBNET4 = "10.231.0"
PREFIX6 = "fd0e:2e00:231:"
GW_IPV4 = f"{SUBNET4}.1"
GW_IPV6 = f"{PREFIX6}:1"
GW_MAC = "00:0d:b9:5e:00:fe"  # PC Engines OUI: a plausible small router
GW_IF = "lan0"
DEVICE_IF = "eth0"
HTTP_PORT4, HTTP_PORT6, UDP_ECHO_PORT = 8080, 8081, 7007
MDNS_SERVICE_TYPE = "_sonos._tcp"
MDNS_SERVICE_NAME = "E2E Kitchen"
MDNS_SERVICE_PORT = 1443
MDNS_SERVICE_TXT = ("model", "e2e-one")
# Option codes dhclient is told to request (RFC 2132): 1 subnet mask, 28 broadcast, 3 router,
# 6 DNS, 15 domain name, 42 NTP, 26 interface MTU.
DHCLIENT_REQUEST = ["subnet-mask", "broadcast-address", "routers", "domain-name-servers", "domain-name",
                    "ntp-servers", "interface-mtu"]
DHCLIENT_REQUEST_CODES = [1, 28, 3, 6, 15, 42, 26]


class LanError(Exception):
    """A LAN-side step failed; the message says which and carries the command's output."""


@dataclass
class Device:
    key: str
    mac: str
    hostname: str
    vendor_class: str
    client: str  # "dhclient" or "udhcpc"
    vendor_word: str  # a word the IEEE registry name for the OUI contains
    ipv6: str
    mdns: bool = False
    ns: str = ""
    port: str = ""
    ipv4: str = ""


def default_devices():
    return [
        Device("mac", "3c:22:fb:5e:00:11", "e2e-macbook", "e2e-dhclient-mac", "dhclient", "Apple", f"{PREFIX6}:11"),
        Device("rpi", "b8:27:eb:5e:00:12", "e2e-raspberrypi", "e2e-udhcpc-rpi", "udhcpc", "Raspberry",
               f"{PREFIX6}:12"),
        Device("sonos", "5c:aa:fd:5e:00:13", "e2e-sonos", "e2e-dhclient-sonos", "dhclient", "Sonos",
               f"{PREFIX6}:13", mdns=True),
        Device("tv", "d0:d0:03:5e:00:14", "e2e-samsung-tv", "e2e-udhcpc-tv", "udhcpc", "Samsung", f"{PREFIX6}:14"),
    ]


def process_start_time(pid):
    """Field 22 of /proc/PID/stat: with the pid it names a process unambiguously, even after pid reuse."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def is_unicast(mac):
    return int(mac.split(":")[0], 16) & 1 == 0


def prometheus_query(lan, ns, port, promql):
    """The instant-query result vector of the Prometheus on 127.0.0.1:port in namespace ns, or None when
    it did not answer."""
    done = lan.run(["curl", "-sS", "--max-time", "5", "--get", "--data-urlencode", f"query={promql}",
                    f"http://127.0.0.1:{port}/api/v1/query"], ns=ns, check=False, timeout=10)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        return None
    return answer.get("data", {}).get("result") if answer.get("status") == "success" else None


class Lan:
    """One private LAN: `<prefix>br` holds the bridge, `<prefix>gw` the gateway, one namespace per device."""

    def __init__(self, workdir, prefix):
        self.workdir = workdir
        self.prefix = prefix
        self.br_ns = f"{prefix}br"
        self.gw_ns = f"{prefix}gw"
        self.devices = default_devices()
        for index, device in enumerate(self.devices, start=1):
            device.ns = f"{prefix}d{index}"
            device.port = f"p{device.key}"
        self.namespaces = []
        self.processes = {}  # name -> Popen
        self.state_path = os.path.join(workdir, "state")
        os.makedirs(workdir, exist_ok=True)

    # Records and teardown.

    def _record(self, kind, value):
        with open(self.state_path, "a") as state:
            state.write(f"{kind} {value}\n")

    def device(self, key):
        return next(d for d in self.devices if d.key == key)

    def teardown(self):
        for name in list(self.processes):
            self.stop(name)
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)
        self.namespaces.clear()

    # Running things.

    def run(self, cmd, ns=None, check=True, timeout=30, input=None):
        argv = (["ip", "netns", "exec", ns] if ns else []) + cmd
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input)
        except subprocess.TimeoutExpired as error:
            raise LanError(f"timed out after {timeout}s: {shlex.join(argv)}") from error
        if check and done.returncode != 0:
            raise LanError(f"failed ({done.returncode}): {shlex.join(argv)}\n{done.stdout}{done.stderr}")
        return done

    def spawn(self, name, cmd, ns=None, log=None):
        """Starts a long-running process; `ip netns exec` execs, so the pid is the daemon's own."""
        argv = (["ip", "netns", "exec", ns] if ns else []) + cmd
        log_path = log or os.path.join(self.workdir, f"{name}.log")
        with open(log_path, "ab") as out:
            process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        process.log_path = log_path
        self.processes[name] = process
        self._record("pid", f"{process.pid} {process_start_time(process.pid)}")
        return process

    def stop(self, name, sig=signal.SIGTERM, timeout=10):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def log_of(self, name):
        process = self.processes.get(name)
        path = process.log_path if process else os.path.join(self.workdir, f"{name}.log")
        try:
            with open(path, errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    # Topology.

    def _add_ns(self, ns):
        self.run(["ip", "netns", "add", ns])
        self.namespaces.append(ns)
        self._record("netns", ns)

    def _quiet_sysctls(self, ns, extra=()):
        # No DAD, router solicitations or RAs: the LAN must stay silent between measured intervals.
        settings = []
        for scope in ("all", "default"):
            settings += [f"net.ipv6.conf.{scope}.accept_dad=0", f"net.ipv6.conf.{scope}.dad_transmits=0",
                         f"net.ipv6.conf.{scope}.router_solicitations=0", f"net.ipv6.conf.{scope}.accept_ra=0"]
        self.run(["sysctl", "-q", "-w"] + settings + list(extra), ns=ns)

    def _offloads_off(self, ns, ifname):
        # veth passes 64 KB GSO "frames"; a real wire carries at most 1514 bytes.
        self.run(["ethtool", "-K", ifname, "tso", "off", "gso", "off", "gro", "off"], ns=ns)

    def _veth(self, ns, ifname, mac, port):
        self.run(["ip", "link", "add", ifname, "netns", ns, "address", mac, "type", "veth",
                  "peer", "name", port, "netns", self.br_ns])
        self.run(["ip", "-n", self.br_ns, "link", "set", port, "master", "br0", "up"])
        # A span-like view: no learning and flooding on, so the gateway port sees every frame.
        self.run(["bridge", "-n", self.br_ns, "link", "set", "dev", port, "learning", "off", "flood", "on",
                  "mcast_flood", "on"])
        self._offloads_off(self.br_ns, port)
        self._offloads_off(ns, ifname)

    def create(self):
        self._add_ns(self.br_ns)
        self.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"],
                 ns=self.br_ns)
        self.run(["ip", "-n", self.br_ns, "link", "add", "br0", "type", "bridge", "stp_state", "0",
                  "mcast_snooping", "0", "forward_delay", "0"])
        self.run(["ip", "-n", self.br_ns, "link", "set", "br0", "up"])

        self._add_ns(self.gw_ns)
        self._quiet_sysctls(self.gw_ns, ["net.ipv6.conf.all.keep_addr_on_down=1",
                                         "net.ipv6.conf.default.keep_addr_on_down=1"])
        self.run(["ip", "-n", self.gw_ns, "link", "set", "lo", "up"])
        self._veth(self.gw_ns, GW_IF, GW_MAC, "pgw")
        self.run(["ip", "-n", self.gw_ns, "addr", "add", f"{GW_IPV4}/24", "dev", GW_IF])
        self.run(["ip", "-n", self.gw_ns, "-6", "addr", "add", f"{GW_IPV6}/64", "dev", GW_IF, "nodad"])
        self.run(["ip", "-n", self.gw_ns, "link", "set", GW_IF, "up"])

        for device in self.devices:
            self._add_ns(device.ns)
            self._quiet_sysctls(device.ns)
            self.run(["ip", "-n", device.ns, "link", "set", "lo", "up"])
            self._veth(device.ns, DEVICE_IF, device.mac, device.port)
            self.run(["ip", "-n", device.ns, "-6", "addr", "add", f"{device.ipv6}/64", "dev", DEVICE_IF, "nodad"])
            self.run(["ip", "-n", device.ns, "link", "set", DEVICE_IF, "up"])

    # Gateway daemons.

    def start_dnsmasq(self):
        leases = os.path.join(self.workdir, "dnsmasq.leases")
        open(leases, "w").close()
        self.spawn("dnsmasq", [
            "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--no-hosts", "--no-resolv",
            f"--interface={GW_IF}", "--bind-interfaces", "--user=root", "--group=root", "--no-ping",
            "--dhcp-authoritative", "--log-dhcp", f"--log-facility={os.path.join(self.workdir, 'dnsmasq.log')}",
            f"--dhcp-range={SUBNET4}.100,{SUBNET4}.199,255.255.255.0,1h",
            f"--dhcp-option=option:router,{GW_IPV4}",
            f"--dhcp-leasefile={leases}", f"--pid-file={os.path.join(self.workdir, 'dnsmasq.pid')}",
        ], ns=self.gw_ns)

    def leases(self):
        """dnsmasq's lease file as {mac: (ip, hostname)}."""
        result = {}
        try:
            with open(os.path.join(self.workdir, "dnsmasq.leases")) as leases:
                for line in leases:
                    parts = line.split()
                    if len(parts) >= 4:
                        result[parts[1].lower()] = (parts[2], parts[3])
        except OSError:
            pass
        return result

    def start_servers(self):
        www = os.path.join(self.workdir, "www")
        os.makedirs(www, exist_ok=True)
        with open(os.path.join(www, "blob"), "wb") as blob:
            blob.write(bytes(range(256)) * 256)  # 64 KiB: many full-size segments
        for name, port, address in (("http4", HTTP_PORT4, GW_IPV4), ("http6", HTTP_PORT6, GW_IPV6)):
            self.spawn(name, [PYTHON, "-m", "http.server", str(port), "--bind", address, "--directory", www],
                       ns=self.gw_ns)
        self.spawn("udpecho", [PYTHON, LANTOOL, "udp-echo-server", "--bind", GW_IPV4, "--bind", GW_IPV6,
                               "--port", str(UDP_ECHO_PORT)], ns=self.gw_ns)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            listening = self.run(["ss", "-Hltun"], ns=self.gw_ns).stdout
            if all(f":{p}" in listening for p in (HTTP_PORT4, HTTP_PORT6, UDP_ECHO_PORT)):
                return
            time.sleep(0.2)
        raise LanError(f"gateway servers not listening:\n{listening}")

    # DHCP clients.

    def _write_scripts(self, device, mark):
        # dhclient runs its script with a cleared environment, so the lease mark path is written in.
        dhclient_script = os.path.join(self.workdir, f"dhclient-script-{device.key}")
        with open(dhclient_script, "w") as script:
            # Configures the lease and nothing else: resolv.conf, hostname and routes of the host stay untouched.
            script.write("#!/bin/sh\n"
                         "case \"$reason\" in\n"
                         "  PREINIT) ip link set dev \"$interface\" up ;;\n"
                         "  BOUND|RENEW|REBIND|REBOOT)\n"
                         "    ip addr replace \"$new_ip_address/$new_subnet_mask\" dev \"$interface\"\n"
                         "    [ -n \"$new_routers\" ] && ip route replace default via \"${new_routers%% *}\"\n"
                         f"    echo \"$new_ip_address\" > {shlex.quote(mark)} ;;\n"
                         "esac\n"
                         "exit 0\n")
        udhcpc_script = os.path.join(self.workdir, f"udhcpc-script-{device.key}")
        with open(udhcpc_script, "w") as script:
            script.write("#!/bin/sh\n"
                         "case \"$1\" in\n"
                         "  bound|renew)\n"
                         "    ip addr replace \"$ip/$mask\" dev \"$interface\"\n"
                         "    [ -n \"$router\" ] && ip route replace default via \"${router%% *}\"\n"
                         f"    echo \"$ip\" > {shlex.quote(mark)} ;;\n"
                         "esac\n"
                         "exit 0\n")
        for path in (dhclient_script, udhcpc_script):
            os.chmod(path, 0o755)
        resolv = os.path.join(self.workdir, "resolv.conf")
        with open(resolv, "w") as conf:
            conf.write("# private to the end-to-end namespaces\n")
        return dhclient_script, udhcpc_script, resolv

    def start_dhcp_client(self, device):
        mark = os.path.join(self.workdir, f"lease-{device.key}")
        dhclient_script, udhcpc_script, resolv = self._write_scripts(device, mark)
        if os.path.exists(mark):
            os.remove(mark)
        if device.client == "dhclient":
            conf = os.path.join(self.workdir, f"dhclient-{device.key}.conf")
            with open(conf, "w") as out:
                out.write(f'send host-name "{device.hostname}";\n'
                          f'send vendor-class-identifier "{device.vendor_class}";\n'
                          f'request {", ".join(DHCLIENT_REQUEST)};\n'
                          "timeout 30;\nretry 2;\ninitial-interval 1;\n")
            lease_file = os.path.join(self.workdir, f"dhclient-{device.key}.leases")
            if os.path.exists(lease_file):
                os.remove(lease_file)  # a fresh DISCOVER, not a reboot REQUEST
            pid_file = os.path.join(self.workdir, f"dhclient-{device.key}.pid")
            client = ["dhclient", "-d", "-4", "-v", "-cf", conf, "-lf", lease_file, "-pf", pid_file,
                      "-sf", dhclient_script, DEVICE_IF]
        else:
            client = ["busybox", "udhcpc", "-f", "-i", DEVICE_IF, "-x", f"hostname:{device.hostname}",
                      "-V", device.vendor_class, "-s", udhcpc_script, "-t", "10", "-T", "1", "-A", "1",
                      "-p", os.path.join(self.workdir, f"udhcpc-{device.key}.pid")]
        # A private mount namespace with its own resolv.conf, so no client can reach the host's.
        inner = (f"mount --bind {shlex.quote(resolv)} /etc/resolv.conf && "
                 f"exec {shlex.join(client)}")
        self.spawn(f"dhcp-{device.key}", ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                   ns=device.ns)

    def start_dhcp_clients(self):
        for device in self.devices:
            self.start_dhcp_client(device)

    def restart_dhcp_clients(self):
        for device in self.devices:
            self.stop(f"dhcp-{device.key}")
        self.start_dhcp_clients()
        self.wait_leases()

    def wait_leases(self, timeout=40):
        deadline = time.monotonic() + timeout
        pending = list(self.devices)
        while pending and time.monotonic() < deadline:
            for device in list(pending):
                mark = os.path.join(self.workdir, f"lease-{device.key}")
                if os.path.exists(mark):
                    with open(mark) as leased:
                        address = leased.read().strip()
                    if address:
                        device.ipv4 = address
                        pending.remove(device)
            time.sleep(0.2)
        if pending:
            logs = "\n".join(f"--- {d.key} ({d.client}):\n{self.log_of('dhcp-' + d.key)}" for d in pending)
            raise LanError(f"no DHCP lease within {timeout}s for {[d.key for d in pending]}\n{logs}\n"
                           f"--- dnsmasq:\n{self.log_of('dnsmasq')}")

    # mDNS responder.

    def start_avahi(self, device):
        base = os.path.join(self.workdir, f"avahi-{device.key}")
        services = os.path.join(base, "services")
        os.makedirs(services, exist_ok=True)
        conf = os.path.join(base, "avahi-daemon.conf")
        with open(conf, "w") as out:
            out.write("[server]\n"
                      f"host-name={device.hostname}\n"
                      "domain-name=local\n"
                      "use-ipv4=yes\nuse-ipv6=yes\n"
                      f"allow-interfaces={DEVICE_IF}\n"
                      "enable-dbus=no\n"
                      "ratelimit-interval-usec=1000000\nratelimit-burst=1000\n"
                      "[wide-area]\nenable-wide-area=no\n"
                      "[publish]\npublish-hinfo=no\npublish-workstation=no\npublish-addresses=yes\n"
                      "[reflector]\nenable-reflector=no\n")
        key, value = MDNS_SERVICE_TXT
        with open(os.path.join(services, "e2e.service"), "w") as out:
            out.write("<?xml version=\"1.0\" standalone='no'?>\n"
                      "<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
                      f"<service-group>\n  <name>{MDNS_SERVICE_NAME}</name>\n"
                      f"  <service>\n    <type>{MDNS_SERVICE_TYPE}</type>\n    <port>{MDNS_SERVICE_PORT}</port>\n"
                      f"    <txt-record>{key}={value}</txt-record>\n  </service>\n</service-group>\n")
        # avahi keeps its pid file and socket under /run/avahi-daemon and reads /etc/avahi/services:
        # both are replaced by private mounts so several daemons (and the host) never collide.
        inner = ("mount -t tmpfs e2e-run /run && mkdir -p /run/avahi-daemon && "
                 f"mount --bind {shlex.quote(services)} /etc/avahi/services && "
                 f"exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --debug -f {shlex.quote(conf)}")
        self.spawn(f"avahi-{device.key}", ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                   ns=device.ns)

    def wait_avahi(self, device, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log_of(f"avahi-{device.key}")
            if "Service \"" in log and "successfully established" in log:
                return
            process = self.processes.get(f"avahi-{device.key}")
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.2)
        raise LanError(f"avahi on {device.key} did not establish its service:\n{self.log_of('avahi-' + device.key)}")

    def restart_avahi(self, device):
        self.stop(f"avahi-{device.key}")
        self.start_avahi(device)
        self.wait_avahi(device)

    def mdns_query(self, from_device, name, qtype="PTR"):
        done = self.run([PYTHON, LANTOOL, "mdns-query", "--name", name, "--qtype", qtype], ns=from_device.ns,
                        check=False, timeout=15)
        return done.returncode, done.stdout, done.stderr

    # Traffic.

    def traffic(self, device, rounds=1):
        """A fixed amount of IPv4 and IPv6 traffic between one device and the gateway, both directions."""
        for _ in range(rounds):
            for gw in (GW_IPV4, GW_IPV6):
                self.run(["ping", "-n", "-q", "-c", "3", "-i", "0.05", "-s", "1200", "-W", "2", gw], ns=device.ns)
                self.run(["ping", "-n", "-q", "-c", "2", "-i", "0.05", "-s", "40", "-W", "2", gw], ns=device.ns)
                self.run([PYTHON, LANTOOL, "udp-send", "--to", gw, "--port", str(UDP_ECHO_PORT), "--count", "5",
                          "--size", "300"], ns=device.ns)
            self.run(["curl", "-sS", "-o", "/dev/null", "--max-time", "10", f"http://{GW_IPV4}:{HTTP_PORT4}/blob"],
                     ns=device.ns)
            self.run(["curl", "-sS", "-o", "/dev/null", "--max-time", "10",
                      f"http://[{GW_IPV6}]:{HTTP_PORT6}/blob"], ns=device.ns)

    def all_traffic(self, rounds=1):
        for device in self.devices:
            self.traffic(device, rounds)

    def replay(self, device, pcap, pps=200):
        return self.run(["tcpreplay", "-q", f"--pps={pps}", f"--intf1={DEVICE_IF}", pcap], ns=device.ns, timeout=60)

    # Independent counting.

    def capture(self, name):
        return Capture(self, name)

    def set_gateway_link(self, up):
        self.run(["ip", "-n", self.gw_ns, "link", "set", GW_IF, "up" if up else "down"])

    def delete_gateway_link(self):
        # Deleting one end of a veth pair deletes both: the bridge loses its gateway port too.
        self.run(["ip", "-n", self.gw_ns, "link", "del", GW_IF])

    def recreate_gateway_link(self):
        self._veth(self.gw_ns, GW_IF, GW_MAC, "pgw")
        self.run(["ip", "-n", self.gw_ns, "addr", "add", f"{GW_IPV4}/24", "dev", GW_IF])
        self.run(["ip", "-n", self.gw_ns, "-6", "addr", "add", f"{GW_IPV6}/64", "dev", GW_IF, "nodad"])
        self.run(["ip", "-n", self.gw_ns, "link", "set", GW_IF, "up"])

    def gateway_link_ready(self):
        # The bridge port must be forwarding again, and the gateway's addresses in place.
        state = self.run(["bridge", "-n", self.br_ns, "-j", "link", "show", "dev", "pgw"]).stdout
        ports = json.loads(state or "[]")
        forwarding = bool(ports) and ports[0].get("state") == "forwarding"
        addrs = self.run(["ip", "-n", self.gw_ns, "-o", "addr", "show", "dev", GW_IF]).stdout
        return forwarding and GW_IPV4 in addrs and GW_IPV6 in addrs and "tentative" not in addrs


@dataclass
class Tally:
    """Per-MAC frame and byte counts the way lanscope defines them (see the suite's README)."""
    transmitted_packets: dict = field(default_factory=dict)
    transmitted_bytes: dict = field(default_factory=dict)
    received_packets: dict = field(default_factory=dict)
    received_bytes: dict = field(default_factory=dict)
    ethertypes: dict = field(default_factory=dict)  # mac -> set of ethertypes it sent or received
    frames: int = 0
    max_length: int = 0

    def add(self, direction, src, dst, length, ethertype):
        self.frames += 1
        self.max_length = max(self.max_length, length)
        mac = src if direction == "in" else dst
        if not is_unicast(mac):
            return
        packets, octets = ((self.transmitted_packets, self.transmitted_bytes) if direction == "in"
                           else (self.received_packets, self.received_bytes))
        packets[mac] = packets.get(mac, 0) + 1
        octets[mac] = octets.get(mac, 0) + length
        self.ethertypes.setdefault(mac, set()).add(ethertype)

    def as_counters(self):
        macs = set(self.transmitted_packets) | set(self.received_packets)
        return {mac: (self.transmitted_packets.get(mac, 0), self.transmitted_bytes.get(mac, 0),
                      self.received_packets.get(mac, 0), self.received_bytes.get(mac, 0)) for mac in sorted(macs)}


class Capture:
    """Two tcpdumps on the gateway's LAN port, one per direction (`-Q in` / `-Q out`), written per packet."""

    def __init__(self, lan, name):
        self.lan = lan
        self.name = name
        self.files = {d: os.path.join(lan.workdir, f"{name}-{d}.pcap") for d in ("in", "out")}

    def start(self, timeout=10):
        for direction, path in self.files.items():
            if os.path.exists(path):
                os.remove(path)
            self.lan.spawn(f"tcpdump-{self.name}-{direction}",
                           ["tcpdump", "-i", GW_IF, "-Q", direction, "-U", "-n", "-s", "0", "-w", path],
                           ns=self.lan.gw_ns)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            logs = [self.lan.log_of(f"tcpdump-{self.name}-{d}") for d in self.files]
            if all("listening on" in log for log in logs):
                return self
            time.sleep(0.05)
        raise LanError(f"tcpdump did not start: {logs}")

    def stop(self):
        for direction in self.files:
            self.lan.stop(f"tcpdump-{self.name}-{direction}", sig=signal.SIGINT)

    def size(self):
        return sum(os.path.getsize(p) for p in self.files.values() if os.path.exists(p))

    def wait_quiet(self, quiet=1.0, timeout=15):
        """Waits until no frame has been captured for `quiet` seconds; returns False if the LAN never settled."""
        deadline = time.monotonic() + timeout
        last_size, last_change = self.size(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            size = self.size()
            if size != last_size:
                last_size, last_change = size, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return True
        return False

    def frames_tshark(self):
        """[(time, direction, src, dst, length, ethertype)] decoded by tshark."""
        frames = []
        for direction, path in self.files.items():
            out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-E", "separator=,",
                                  "-e", "frame.time_epoch", "-e", "eth.src", "-e", "eth.dst", "-e", "frame.len",
                                  "-e", "eth.type"], capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise LanError(f"tshark failed on {path}: {out.stderr}")
            for line in out.stdout.splitlines():
                stamp, src, dst, length, ethertype = (line.split(",") + [""] * 5)[:5]
                frames.append((float(stamp), direction, src.lower(), dst.lower(), int(length),
                               ethertype.split(",")[0]))
        return sorted(frames)

    def frames_scapy(self):
        from scapy.all import PcapReader
        frames = []
        for direction, path in self.files.items():
            with PcapReader(path) as reader:
                for packet in reader:
                    raw = bytes(packet)
                    if len(raw) < 14:
                        continue
                    dst = ":".join(f"{b:02x}" for b in raw[0:6])
                    src = ":".join(f"{b:02x}" for b in raw[6:12])
                    ethertype = "0x%04x" % int.from_bytes(raw[12:14], "big")
                    frames.append((float(packet.time), direction, src, dst, packet.wirelen or len(raw), ethertype))
        return sorted(frames)

    @staticmethod
    def tally(frames, start=None, end=None):
        tally = Tally()
        for stamp, direction, src, dst, length, ethertype in frames:
            if (start is None or stamp >= start) and (end is None or stamp <= end):
                tally.add(direction, src, dst, length, ethertype)
        return tally

    def dhcp_requests(self):
        """{mac: [(message type, hostname, [option 55 codes], vendor class)]} from client-sent DHCP, by tshark."""
        result = {}
        out = subprocess.run(["tshark", "-r", self.files["in"], "-Y", "dhcp.option.dhcp && udp.srcport == 68",
                              "-T", "fields", "-E", "separator=/t", "-E", "aggregator=;",
                              "-e", "eth.src", "-e", "dhcp.option.dhcp", "-e", "dhcp.option.hostname",
                              "-e", "dhcp.option.request_list_item", "-e", "dhcp.option.vendor_class_id"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise LanError(f"tshark failed: {out.stderr}")
        for line in out.stdout.splitlines():
            mac, kind, hostname, prl, vendor = (line.split("\t") + [""] * 5)[:5]
            codes = [int(x) for x in prl.split(";") if x.strip()]
            result.setdefault(mac.lower(), []).append((int(kind) if kind else 0, hostname, codes, vendor))
        return result

    def mdns_records(self):
        """[(src mac, name)] of mDNS PTR answers seen by tshark."""
        out = subprocess.run(["tshark", "-r", self.files["in"], "-Y", "mdns && dns.flags.response == 1",
                              "-T", "fields", "-E", "separator=/t", "-E", "aggregator=;",
                              "-e", "eth.src", "-e", "dns.ptr.domain_name", "-e", "dns.srv.port"],
                             capture_output=True, text=True, timeout=60)
        records = []
        for line in out.stdout.splitlines():
            mac, names, ports = (line.split("\t") + ["", ""])[:3]
            for name in names.split(";"):
                if name:
                    records.append((mac.lower(), name, ports))
        return records
