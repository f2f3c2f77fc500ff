"""Captures the namespace devices of the classifier evaluation (run as root):

    python3 Tests/EndToEnd/capture_devices.py OUT_DIR     # writes OUT_DIR/namespace-devices.pcap

Builds a private LAN from network namespaces (the end-to-end suite's `lan.Lan`: bridge, gateway with
dnsmasq and HTTP servers), runs real clients in their *stock* configuration on each device — Debian's own
`/etc/dhcp/dhclient.conf`, busybox `udhcpc` with its default request list and vendor class, and
`avahi-daemon` publishing the service definitions a printer, a Google Cast receiver and an AirPlay receiver
publish — lets every device open one HTTP connection (so its kernel's SYN is seen), captures the gateway's
LAN port with tcpdump, and tears everything down. `Tests/FingerprintingTests/Evaluation/namespace-labels.tsv`
labels the devices by what this script makes them; `make evaluate` scores them separately when the capture
is in `.build/namespace-captures` (or `LANSCOPE_NAMESPACE_CAPTURES`).
"""
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time

import lan as lanmod

CAPTURE_NAME = "namespace-devices.pcap"

# (key, MAC, hostname, client, avahi services). MACs use real OUIs of the kind of maker that ships such a
# device; the last three octets are ours. Services: (type, port, [TXT]), as the products document them
# (IPP Everywhere / Bonjour Printing: ty, product, pdl; Google Cast: md, fn; AirPlay: model).
DEVICES = [
    ("workstation", "00:1b:21:5e:01:21", "lab-ws-07", "dhclient", []),
    ("embedded", "b8:27:eb:5e:01:22", None, "udhcpc", []),
    ("printer", "00:80:77:5e:01:23", "lab-printer", "udhcpc", [
        ("_ipp._tcp", 631, ["txtvers=1", "rp=ipp/print", "ty=Lab Mono Laser 2000", "product=(Lab Mono Laser 2000)",
                            "pdl=application/pdf,image/urf"]),
        ("_printer._tcp", 515, ["txtvers=1", "ty=Lab Mono Laser 2000"]),
    ]),
    ("cast", "f4:f5:d8:5e:01:24", None, "udhcpc", [
        ("_googlecast._tcp", 8009, ["md=Chromecast", "fn=Lab Screen", "ve=05"]),
    ]),
    ("airplay", "3c:22:fb:5e:01:25", None, "dhclient", [
        ("_airplay._tcp", 7000, ["model=AppleTV5,3", "features=0x5A7FFFF7,0x1E"]),
    ]),
]


class DeviceLan(lanmod.Lan):
    """`lan.Lan` with this script's devices and stock client configurations."""

    def __init__(self, workdir, prefix):
        super().__init__(workdir, prefix)
        self.services = {}
        self.devices = []
        for index, (key, mac, hostname, client, services) in enumerate(DEVICES, start=1):
            device = lanmod.Device(key, mac, hostname or "", "", client, "", f"{lanmod.PREFIX6}:{0x20 + index:x}")
            device.ns = f"{prefix}d{index}"
            device.port = f"p{key}"[:15]
            self.devices.append(device)
            self.services[key] = services

    def start_dhcp_client(self, device):
        mark = os.path.join(self.workdir, f"lease-{device.key}")
        dhclient_script, udhcpc_script, resolv = self._write_scripts(device, mark)
        if device.client == "dhclient":
            # Debian's stock configuration: its request list, and `send host-name = gethostname()`, so the
            # device gets a UTS namespace of its own with the hostname set.
            lease_file = os.path.join(self.workdir, f"dhclient-{device.key}.leases")
            client = ["dhclient", "-d", "-4", "-v", "-cf", "/etc/dhcp/dhclient.conf", "-lf", lease_file,
                      "-pf", os.path.join(self.workdir, f"dhclient-{device.key}.pid"), "-sf", dhclient_script,
                      lanmod.DEVICE_IF]
        else:
            # busybox's defaults: its request list and its "udhcp <version>" vendor class.
            client = ["busybox", "udhcpc", "-f", "-i", lanmod.DEVICE_IF, "-s", udhcpc_script, "-t", "10",
                      "-T", "1", "-A", "1", "-p", os.path.join(self.workdir, f"udhcpc-{device.key}.pid")]
            if device.hostname:
                client[5:5] = ["-x", f"hostname:{device.hostname}"]
        name = shlex.quote(device.hostname or f"ns-{device.key}")
        inner = (f"hostname {name} && mount --bind {shlex.quote(resolv)} /etc/resolv.conf && "
                 f"exec {shlex.join(client)}")
        self.spawn(f"dhcp-{device.key}", ["unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c",
                                          inner], ns=device.ns)

    def start_avahi_services(self, device):
        """avahi-daemon with this device's service definitions (private /run and /etc/avahi/services)."""
        base = os.path.join(self.workdir, f"avahi-{device.key}")
        services = os.path.join(base, "services")
        os.makedirs(services, exist_ok=True)
        conf = os.path.join(base, "avahi-daemon.conf")
        host = device.hostname or f"ns-{device.key}"
        with open(conf, "w") as out:
            out.write(f"[server]\nhost-name={host}\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=yes\n"
                      f"allow-interfaces={lanmod.DEVICE_IF}\nenable-dbus=no\n"
                      "[wide-area]\nenable-wide-area=no\n"
                      "[publish]\npublish-hinfo=no\npublish-workstation=no\npublish-addresses=yes\n"
                      "[reflector]\nenable-reflector=no\n")
        with open(os.path.join(services, "device.service"), "w") as out:
            out.write("<?xml version=\"1.0\" standalone='no'?>\n"
                      "<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
                      f"<service-group>\n  <name>Lab {device.key}</name>\n")
            for kind, port, txt in self.services[device.key]:
                records = "".join(f"    <txt-record>{entry}</txt-record>\n" for entry in txt)
                out.write(f"  <service>\n    <type>{kind}</type>\n    <port>{port}</port>\n{records}  </service>\n")
            out.write("</service-group>\n")
        inner = ("mount -t tmpfs e2e-run /run && mkdir -p /run/avahi-daemon && "
                 f"mount --bind {shlex.quote(services)} /etc/avahi/services && "
                 f"exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --debug -f {shlex.quote(conf)}")
        self.spawn(f"avahi-{device.key}", ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                   ns=device.ns)


def capture(out_dir):
    workdir = tempfile.mkdtemp(prefix="lanscope-nscap-")
    lan = DeviceLan(workdir, f"lc{os.getpid() % 100000}")

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    try:
        lan.create()
        pcap = os.path.join(workdir, CAPTURE_NAME)
        tcpdump = lan.spawn("tcpdump", ["tcpdump", "-i", lanmod.GW_IF, "-U", "-n", "-s", "0", "-w", pcap],
                            ns=lan.gw_ns)
        deadline = time.monotonic() + 10
        while "listening on" not in lan.log_of("tcpdump") and time.monotonic() < deadline:
            time.sleep(0.05)
        lan.start_dnsmasq()
        lan.start_servers()
        lan.start_dhcp_clients()
        lan.wait_leases()
        for device in lan.devices:
            if lan.services[device.key]:
                lan.start_avahi_services(device)
        for device in lan.devices:
            if lan.services[device.key]:
                lan.wait_avahi(device)
            lan.run(["curl", "-sS", "-o", "/dev/null", "--max-time", "10",
                     f"http://{lanmod.GW_IPV4}:{lanmod.HTTP_PORT4}/blob"], ns=device.ns)
        time.sleep(2)  # avahi's announcements repeat for about a second after it is established
        lan.stop("tcpdump", sig=signal.SIGINT)
        if tcpdump.returncode not in (0, None) or not os.path.exists(pcap):
            raise lanmod.LanError(f"tcpdump failed: {lan.log_of('tcpdump')}")
        os.makedirs(out_dir, exist_ok=True)
        shutil.copyfile(pcap, os.path.join(out_dir, CAPTURE_NAME))
        print(os.path.join(out_dir, CAPTURE_NAME))
    finally:
        lan.teardown()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("capture_devices.py: needs root (network namespaces, tcpdump)")
    if len(sys.argv) != 2:
        sys.exit("usage: capture_devices.py OUT_DIR")
    capture(sys.argv[1])
