"""lanscope end to end on a LAN in network namespaces, with real daemons playing the devices.

`LanTests` prove the LAN itself (leases from dnsmasq to dhclient/udhcpc, the avahi responder, the
independent frame counting, tcpreplay); the other classes start lanscope in the gateway namespace
and compare what it reports with what the devices were configured to send and what tcpdump saw.
Run through `run.sh`; see README.md beside this file.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

import detection
import lan as lanmod
import lanscope_service as svc

LAN = None
SETUP_CAPTURE = None
SAMPLE_PCAP = os.path.join(svc.REPO, "deploy", "samples", "lan.pcap")
LAN_ONLY = os.environ.get("LANSCOPE_E2E_LAN_ONLY") == "1"
# run.sh owns the work directory when it passes one (kept on failure for the logs).
OWN_WORKDIR = not os.environ.get("LANSCOPE_E2E_WORKDIR")


def setUpModule():
    global LAN, SETUP_CAPTURE
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (network namespaces, XDP, tcpdump)")
    workdir = os.environ.get("LANSCOPE_E2E_WORKDIR") or tempfile.mkdtemp(prefix="lanscope-e2e-")
    LAN = lanmod.Lan(workdir, os.environ.get("LANSCOPE_E2E_PREFIX", f"ls{os.getpid()}"))
    LAN.create()
    SETUP_CAPTURE = LAN.capture("setup").start()
    LAN.start_dnsmasq()
    LAN.start_servers()
    LAN.start_dhcp_clients()
    LAN.wait_leases()
    sonos = LAN.device("sonos")
    LAN.start_avahi(sonos)
    LAN.wait_avahi(sonos)
    SETUP_CAPTURE.wait_quiet(quiet=1.5, timeout=20)
    SETUP_CAPTURE.stop()


def tearDownModule():
    global LAN
    if LAN is not None:
        LAN.teardown()
        if OWN_WORKDIR:
            shutil.rmtree(LAN.workdir, ignore_errors=True)
        LAN = None


def sample_sources():
    """{src mac: frames} of the bundled sample capture, read by scapy."""
    from scapy.all import PcapReader
    counts = {}
    with PcapReader(SAMPLE_PCAP) as reader:
        for packet in reader:
            raw = bytes(packet)
            mac = ":".join(f"{b:02x}" for b in raw[6:12])
            counts[mac] = counts.get(mac, 0) + 1
    return counts


def oui_vendor(mac):
    """The IEEE registry's organisation name for the MAC's OUI (Debian ieee-data), or None."""
    prefix = mac.upper().replace(":", "-")[:8]
    try:
        with open("/usr/share/ieee-data/oui.txt", errors="replace") as registry:
            for line in registry:
                if line.startswith(prefix) and "(hex)" in line:
                    return line.split("(hex)", 1)[1].strip()
    except OSError:
        return None
    return None


def prometheus_query(ns, port, promql):
    """The instant-query result vector of the Prometheus on 127.0.0.1:port in namespace ns, or None."""
    return lanmod.prometheus_query(LAN, ns, port, promql)


def poll(predicate, timeout, interval=0.5):
    """Calls predicate until it returns a truthy value or the deadline passes; returns the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def normalized_service_type(value):
    value = (value or "").rstrip(".")
    return value[: -len(".local")] if value.endswith(".local") else value


class LanTests(unittest.TestCase):
    """The LAN on its own: no lanscope involved."""

    def test_dhcp_leases_everyDeviceConfiguredByItsClient(self):
        leases = LAN.leases()
        for device in LAN.devices:
            with self.subTest(device=device.key):
                self.assertIn(device.mac, leases, "dnsmasq has no lease for the device")
                address, hostname = leases[device.mac]
                self.assertEqual(hostname, device.hostname)
                self.assertEqual(address, device.ipv4)
                shown = LAN.run(["ip", "-4", "-o", "addr", "show", "dev", lanmod.DEVICE_IF], ns=device.ns).stdout
                self.assertIn(f"{address}/24", shown, "the client's script did not configure the lease")

    def test_dhcp_capture_hostnameVendorAndRequestList_matchClientConfiguration(self):
        requests = SETUP_CAPTURE.dhcp_requests()
        for device in LAN.devices:
            with self.subTest(device=device.key):
                sent = requests.get(device.mac, [])
                kinds = {kind for kind, _, _, _ in sent}
                self.assertTrue({1, 3} <= kinds, f"DISCOVER and REQUEST expected, saw message types {kinds}")
                for kind, hostname, codes, vendor in sent:
                    self.assertEqual(hostname, device.hostname)
                    self.assertEqual(vendor, device.vendor_class)
                    if device.client == "dhclient":
                        self.assertEqual(codes, lanmod.DHCLIENT_REQUEST_CODES)
                    else:
                        self.assertTrue({1, 3, 6, 15, 28} <= set(codes), f"udhcpc's default list, got {codes}")

    def test_mdns_responder_answersQuery_fromAnotherDevice(self):
        sonos, asker = LAN.device("sonos"), LAN.device("mac")
        code, out, err = LAN.mdns_query(asker, f"{lanmod.MDNS_SERVICE_TYPE}.local")
        self.assertEqual(code, 0, err)
        records = [line.split("\t") for line in out.splitlines()]
        instance = f"{lanmod.MDNS_SERVICE_NAME}.{lanmod.MDNS_SERVICE_TYPE}.local."
        self.assertIn([sonos.ipv4, "PTR", f"{lanmod.MDNS_SERVICE_TYPE}.local.", instance], records)
        self.assertIn([sonos.ipv4, "SRV", instance, f"{sonos.hostname}.local.:{lanmod.MDNS_SERVICE_PORT}"], records)
        self.assertIn([sonos.ipv4, "TXT", instance, "=".join(lanmod.MDNS_SERVICE_TXT)], records)
        self.assertIn([sonos.ipv4, "A", f"{sonos.hostname}.local.", sonos.ipv4], records)

    def test_mdns_announcements_reachGateway(self):
        sonos = LAN.device("sonos")
        records = SETUP_CAPTURE.mdns_records()
        instance = f"{lanmod.MDNS_SERVICE_NAME}.{lanmod.MDNS_SERVICE_TYPE}.local"
        self.assertIn((sonos.mac, instance, str(lanmod.MDNS_SERVICE_PORT)), records)
        self.assertTrue(all(mac == sonos.mac for mac, _, _ in records), "only the responder answers")

    def test_counting_tsharkAndScapy_agreeOnDeviceTraffic(self):
        capture = LAN.capture("counting").start()
        try:
            LAN.all_traffic()
            capture.wait_quiet()
        finally:
            capture.stop()
        by_tshark, by_scapy = capture.frames_tshark(), capture.frames_scapy()
        tally = lanmod.Capture.tally(by_tshark)
        self.assertEqual(tally.as_counters(), lanmod.Capture.tally(by_scapy).as_counters())
        self.assertEqual(len(by_tshark), len(by_scapy))
        self.assertLessEqual(tally.max_length, 1514, "offloads must be off: frames as on a real wire")
        counters = tally.as_counters()
        for device in LAN.devices:
            with self.subTest(device=device.key):
                transmitted, _, received, _ = counters.get(device.mac, (0, 0, 0, 0))
                # 2 x (3 + 2 pings + 5 UDP echoes) each way plus two TCP downloads of 64 KiB.
                self.assertGreater(transmitted, 20)
                self.assertGreater(received, 2 * 65536 // 1514)
                self.assertTrue({"0x0800", "0x86dd"} <= tally.ethertypes[device.mac])
        for _, direction, src, _, _, _ in by_tshark:
            self.assertEqual(src == lanmod.GW_MAC, direction == "out", "-Q split must agree with the gateway MAC")

    def test_replay_sampleCapture_everyFrameReachesGateway(self):
        expected = sample_sources()
        capture = LAN.capture("replay-lan").start()
        try:
            LAN.replay(LAN.device("rpi"), SAMPLE_PCAP)
            capture.wait_quiet()
        finally:
            capture.stop()
        seen = {}
        for _, direction, src, _, _, _ in capture.frames_tshark():
            if direction == "in" and src in expected:
                seen[src] = seen.get(src, 0) + 1
        self.assertEqual(seen, expected)


def measure(instances, traffic, label, attempts=3):
    """Per-MAC counter deltas of every instance over one traffic run, and tcpdump's count of the same interval.

    The interval is bounded by the two scrapes; a frame captured while a scrape was in flight could
    belong to either side, so such a run is repeated (the LAN is quiet otherwise)."""
    problems = []
    for attempt in range(attempts):
        capture = LAN.capture(f"{label}-{attempt}").start()
        try:
            capture.wait_quiet(quiet=1.0, timeout=15)
            t0 = time.time()
            before = [instance.device_counters() for instance in instances]
            t1 = time.time()
            time.sleep(0.1)  # keeps the first frame clear of the scrape window
            traffic()
            # Also lets a userspace backend drain what it has queued.
            capture.wait_quiet(quiet=1.5, timeout=20)
            t2 = time.time()
            after = [instance.device_counters() for instance in instances]
            t3 = time.time()
        finally:
            capture.stop()
        frames = capture.frames_tshark()
        margin = 0.01
        racing = [f for f in frames if t0 - margin <= f[0] <= t1 + margin or t2 - margin <= f[0] <= t3 + margin]
        if racing:
            problems.append(f"attempt {attempt}: {len(racing)} frames during a scrape, e.g. {racing[:3]}")
            sys.stderr.write(f"\n  measure {label}: {problems[-1]}; repeating\n")
            continue
        tally = lanmod.Capture.tally(frames, t1, t2)
        return tally, [svc.counter_deltas(b, a) for b, a in zip(before, after)]
    raise AssertionError("the LAN never stayed quiet around the scrapes:\n" + "\n".join(problems))


def diff_counters(expected, actual):
    lines = []
    for mac in sorted(set(expected) | set(actual)):
        if expected.get(mac) != actual.get(mac):
            lines.append(f"  {mac}: tcpdump (tx pkts, tx bytes, rx pkts, rx bytes)={expected.get(mac)} "
                         f"lanscope={actual.get(mac)}")
    return "\n".join(lines)


class LanscopeTestCase(unittest.TestCase):
    instances = []

    @classmethod
    def stop_all(cls):
        for instance in cls.instances:
            instance.stop()
        cls.instances = []

    def run(self, result=None):
        # Python 3.11 reports a failure to the result before tearDown runs, so compare counts around the
        # whole run and dump the log of every lanscope this test could see.
        started = len(svc.STARTED)
        failures = len(result.failures) + len(result.errors) if result is not None else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > failures:
            seen = list(type(self).instances) + [i for i in svc.STARTED[started:] if i not in type(self).instances]
            for instance in seen:
                sys.stderr.write(f"\n--- {instance.name} log (tail) ---\n{instance.log()}\n")
        return outcome


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class GatewayTests(LanscopeTestCase):
    """Two lanscopes on the gateway's LAN port at once: eBPF (the subject) and pcap (the differential)."""

    @classmethod
    def setUpClass(cls):
        cls.ebpf = svc.Lanscope(LAN, "lanscope-ebpf", "ebpf", 9184)
        cls.pcap = svc.Lanscope(LAN, "lanscope-pcap", "pcap", 9185)
        cls.instances = [cls.ebpf, cls.pcap]
        try:
            for instance in cls.instances:
                instance.start()
            # Discovery has to happen while lanscope watches: fresh DHCP exchanges, a fresh avahi
            # announcement, and one round of traffic so every device shows its IPv6 address.
            cls.discovery = LAN.capture("discovery").start()
            LAN.restart_dhcp_clients()
            LAN.restart_avahi(LAN.device("sonos"))
            LAN.all_traffic()
            cls.discovery.wait_quiet(quiet=1.5, timeout=20)
            cls.discovery.stop()
        except BaseException:
            for instance in cls.instances:
                sys.stderr.write(f"\n--- {instance.name} log (tail) ---\n{instance.log()}\n")
            cls.stop_all()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_all()

    def wait_inventory(self, instance, predicate, timeout=20):
        """Polls /devices.json until predicate(devices) holds; returns the last inventory."""
        last = {}

        def check():
            nonlocal last
            last = instance.devices()
            return predicate(last)

        poll(check, timeout)
        return last

    def assertCountersMatch(self, expected, actual, who, instance):
        if actual != expected:
            self.fail(f"{who} per-device counters differ from tcpdump:\n{diff_counters(expected, actual)}\n"
                      f"  lanscope_capture_dropped_total now: {instance.dropped()}")

    def test_counters_ebpfGateway_equalTcpdumpBothDirectionsIPv4IPv6(self):
        tally, (ebpf_deltas,) = measure([self.ebpf], LAN.all_traffic, "gateway")
        expected = tally.as_counters()
        for device in LAN.devices:  # the interval really holds both directions and both IP versions
            self.assertTrue({"0x0800", "0x86dd"} <= tally.ethertypes.get(device.mac, set()), device.key)
            self.assertTrue(all(expected[device.mac]), f"{device.key}: {expected[device.mac]}")
        self.assertCountersMatch(expected, ebpf_deltas, "eBPF", self.ebpf)

    def test_counters_pcapBackend_equalEbpfAndTcpdump(self):
        tally, (ebpf_deltas, pcap_deltas) = measure(self.instances, LAN.all_traffic, "differential")
        self.assertTrue(all(device.mac in tally.as_counters() for device in LAN.devices))
        self.assertEqual(pcap_deltas, ebpf_deltas, "pcap and eBPF backends disagree:\n"
                                                   f"{diff_counters(ebpf_deltas, pcap_deltas)}")
        self.assertCountersMatch(tally.as_counters(), pcap_deltas, "pcap", self.pcap)

    def test_inventory_counters_equalMetrics_whenLanQuiet(self):
        for instance in self.instances:
            with self.subTest(instance=instance.name):
                for _ in range(3):  # a frame between the three reads makes them incomparable; try again
                    capture = LAN.capture(f"quiet-{instance.name}").start()
                    try:
                        capture.wait_quiet(quiet=1.5, timeout=15)
                        first = instance.device_counters()
                        devices = instance.devices()
                        second = instance.device_counters()
                    finally:
                        capture.stop()
                    if first == second and capture.size() <= 2 * 24:  # two pcap file headers, no frames
                        break
                self.assertEqual(first, second, "the LAN never stayed quiet for three reads")
                for device in LAN.devices:
                    counters = (devices.get(device.mac) or {}).get("counters") or {}
                    as_tuple = tuple(counters.get(k) for k in ("transmitted_packets", "transmitted_bytes",
                                                               "received_packets", "received_bytes"))
                    self.assertEqual(as_tuple, first.get(device.mac), f"{device.key}: /devices.json vs /metrics")

    def test_inventory_dhcpHostnamesAndRequestLists_matchClients(self):
        sent = self.discovery.dhcp_requests()
        macs = [device.mac for device in LAN.devices]
        devices = self.wait_inventory(self.ebpf, lambda inv: all(
            (inv.get(mac) or {}).get("hostname") and (inv.get(mac) or {}).get("dhcp") for mac in macs))
        for device in LAN.devices:
            with self.subTest(device=device.key):
                entry = devices.get(device.mac)
                self.assertIsNotNone(entry, f"{device.mac} missing from /devices.json")
                self.assertEqual(entry.get("hostname"), device.hostname)
                self.assertEqual((entry.get("hostnames") or {}).get("dhcp"), device.hostname)
                dhcp = entry.get("dhcp") or {}
                tshark_lists = {tuple(codes) for _, _, codes, _ in sent.get(device.mac, [])}
                self.assertEqual(len(tshark_lists), 1, f"one request list per client on the wire: {tshark_lists}")
                self.assertEqual(dhcp.get("parameter_request_list"), list(tshark_lists.pop()))
                if device.client == "dhclient":
                    self.assertEqual(dhcp.get("parameter_request_list"), lanmod.DHCLIENT_REQUEST_CODES)
                self.assertEqual(dhcp.get("vendor_class"), device.vendor_class)

    def test_inventory_vendors_fromOUIRegistry(self):
        devices = self.ebpf.devices()
        for device in LAN.devices:
            with self.subTest(device=device.key):
                registry = oui_vendor(device.mac)
                vendor = (devices.get(device.mac) or {}).get("vendor") or ""
                self.assertIn(device.vendor_word.lower(), (registry or device.vendor_word).lower())
                self.assertIn(device.vendor_word.lower(), vendor.lower(), f"registry says {registry!r}")

    def test_inventory_addresses_leasedIPv4AndStaticIPv6(self):
        macs = [device.mac for device in LAN.devices]

        def complete(inventory):
            for device in LAN.devices:
                ips = {a.get("ip") for a in (inventory.get(device.mac) or {}).get("addresses") or []}
                if device.ipv4 not in ips or device.ipv6 not in ips:
                    return False
            return True

        devices = self.wait_inventory(self.ebpf, complete)
        for device in LAN.devices:
            with self.subTest(device=device.key):
                addresses = (devices.get(device.mac) or {}).get("addresses") or []
                by_ip = {a.get("ip"): a for a in addresses}
                self.assertIn(device.ipv4, by_ip, f"{macs}: {addresses}")
                self.assertEqual(by_ip[device.ipv4].get("version"), 4)
                self.assertIn(device.ipv6, by_ip, str(addresses))
                self.assertEqual(by_ip[device.ipv6].get("version"), 6)
        self.assertTrue(all((devices.get(m) or {}).get("online") for m in macs), "every device online")

    def test_inventory_mdnsService_onResponderDevice(self):
        sonos = LAN.device("sonos")

        def service_of(inventory):
            for service in (inventory.get(sonos.mac) or {}).get("services") or []:
                if normalized_service_type(service.get("type")) == lanmod.MDNS_SERVICE_TYPE:
                    return service
            return None

        devices = self.wait_inventory(self.ebpf, lambda inv: service_of(inv) is not None)
        service = service_of(devices)
        self.assertIsNotNone(service, f"no {lanmod.MDNS_SERVICE_TYPE} on {sonos.mac}: {devices.get(sonos.mac)}")
        self.assertEqual(service.get("via"), "mdns")
        self.assertIn(lanmod.MDNS_SERVICE_NAME, service.get("name") or "")
        self.assertEqual(service.get("port"), lanmod.MDNS_SERVICE_PORT)
        key, value = lanmod.MDNS_SERVICE_TXT
        self.assertIn({"key": key, "value": value}, service.get("txt") or [])
        for other in LAN.devices:
            if other is not sonos:
                services = (devices.get(other.mac) or {}).get("services") or []
                types = [normalized_service_type(s.get("type")) for s in services]
                self.assertNotIn(lanmod.MDNS_SERVICE_TYPE, types, f"service wrongly on {other.key}")

    def test_metrics_infoSeries_describeCaptureAndDevices(self):
        for instance in self.instances:
            with self.subTest(instance=instance.name):
                samples = instance.metric_samples()
                capture = [labels for name, labels, value in samples if name == "lanscope_capture_info" and value == 1]
                self.assertIn({"mode": "gateway", "backend": instance.backend, "interface": lanmod.GW_IF},
                              [{k: l.get(k) for k in ("mode", "backend", "interface")} for l in capture])
                info = {labels.get("mac"): labels for name, labels, value in samples
                        if name == "lanscope_device_info" and value == 1}
                for device in LAN.devices:
                    labels = info.get(device.mac) or {}
                    self.assertEqual(labels.get("hostname"), device.hostname, device.key)
                    self.assertIn(device.vendor_word.lower(), (labels.get("vendor") or "").lower(), device.key)
                self.assertTrue(any(name == "lanscope_capture_dropped_total" for name, _, _ in samples))

    def test_replay_sampleCapture_devicesAppearInBoth(self):
        LAN.replay(LAN.device("rpi"), SAMPLE_PCAP)
        laptop, printer = "3c:22:fb:aa:bb:01", "9c:7b:ef:10:20:30"

        def has_printer_service(inventory):
            services = (inventory.get(printer) or {}).get("services") or []
            return any(normalized_service_type(s.get("type")) == "_ipp._tcp" for s in services)

        for instance in self.instances:
            with self.subTest(instance=instance.name):
                devices = self.wait_inventory(instance, lambda inv: (inv.get(laptop) or {}).get("hostname")
                                              == "alices-macbook" and has_printer_service(inv))
                self.assertEqual((devices.get(laptop) or {}).get("hostname"), "alices-macbook")
                self.assertTrue(has_printer_service(devices), str(devices.get(printer)))

    def test_inventory_pcapBackend_equalsEbpf(self):
        def identity(inventory):
            result = {}
            for mac, entry in inventory.items():
                dhcp = entry.get("dhcp") or {}
                result[mac] = {
                    "hostname": entry.get("hostname"),
                    "hostnames": entry.get("hostnames"),
                    "vendor": entry.get("vendor"),
                    "addresses": sorted((a.get("ip"), a.get("version"), a.get("source"))
                                        for a in entry.get("addresses") or []),
                    "dhcp": {k: dhcp.get(k) for k in ("message_type", "parameter_request_list", "vendor_class",
                                                      "client_id")} if entry.get("dhcp") else None,
                    "services": sorted((s.get("via"), s.get("type"), s.get("name"), s.get("port"))
                                       for s in entry.get("services") or []),
                }
            return result

        ebpf, pcap = {}, {}

        def same():
            nonlocal ebpf, pcap
            ebpf, pcap = identity(self.ebpf.devices()), identity(self.pcap.devices())
            return ebpf == pcap

        poll(same, 15)
        self.assertTrue(all(device.mac in ebpf for device in LAN.devices))
        for mac in sorted(set(ebpf) | set(pcap)):
            self.assertEqual(pcap.get(mac), ebpf.get(mac), f"inventories differ for {mac}")


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class LifecycleTests(LanscopeTestCase):
    """Attaching, detaching, crashing and the LAN port going down, one lanscope at a time."""

    def setUp(self):
        type(self).instances = []

    def tearDown(self):
        type(self).stop_all()

    def start(self, backend, port, name=None):
        instance = svc.Lanscope(LAN, name or f"lanscope-{backend}-{port}", backend, port)
        type(self).instances.append(instance)
        return instance.start()

    def assertDetached(self, why):
        programs = svc.attached_programs(LAN)
        self.assertEqual(programs["xdp"], [], f"{why}: XDP left on {lanmod.GW_IF}:\n{programs['xdp_text']}")
        self.assertEqual(programs["tc"]["egress"], [], f"{why}: tc egress filter left")
        self.assertEqual(programs["tcx"].get("egress"), 0, f"{why}: tcx egress program left")

    def assertAttachedOnce(self, why):
        programs = svc.attached_programs(LAN)
        self.assertEqual(len(programs["xdp"]), 1, f"{why}: XDP programs {programs['xdp']}:\n{programs['xdp_text']}")
        egress = len(programs["tc"]["egress"]) + max(programs["tcx"].get("egress", 0), 0)
        self.assertEqual(egress, 1, f"{why}: egress programs tc={programs['tc']['egress']} tcx={programs['tcx']}")

    def test_detach_sigterm_leavesNoXdpOrTcProgram(self):
        self.assertDetached("before start")
        instance = self.start("ebpf", 9186)
        self.assertAttachedOnce("while running")
        status = instance.stop(signal.SIGTERM)
        self.assertEqual(status, 0, f"exit status after SIGTERM:\n{instance.log()}")
        self.assertDetached("after SIGTERM")

    def test_restart_afterSigkill_leavesExactlyOneProgram(self):
        first = self.start("ebpf", 9187, "lanscope-killed")
        self.assertAttachedOnce("first start")
        first.stop(signal.SIGKILL)
        second = self.start("ebpf", 9187, "lanscope-restarted")
        self.assertAttachedOnce("after SIGKILL and a new start")
        self.assertEqual(second.stop(signal.SIGTERM), 0, second.log())
        self.assertDetached("after the restarted instance's SIGTERM")

    def test_linkDownUp_countingResumes_withoutRestart(self):
        for backend, port in (("ebpf", 9188), ("pcap", 9189)):
            with self.subTest(backend=backend):
                instance = self.start(backend, port)
                LAN.set_gateway_link(False)
                time.sleep(1.0)  # a real outage, not a blip
                LAN.set_gateway_link(True)
                self.assertTrue(poll(LAN.gateway_link_ready, 10, 0.1), "gateway port did not come back")
                mac = LAN.device("mac")
                before = instance.device_counters().get(mac.mac, (0, 0, 0, 0))
                LAN.run(["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "2", lanmod.GW_IPV4], ns=mac.ns)
                resumed = poll(lambda: instance.device_counters().get(mac.mac, (0, 0, 0, 0))[0] > before[0], 5, 0.25)
                self.assertTrue(resumed, f"{backend}: no counting within 5 s of the link coming back")
                self.assertTrue(instance.alive(), "lanscope exited on link down/up")
                tally, (deltas,) = measure([instance], LAN.all_traffic, f"downup-{backend}")
                self.assertEqual(deltas, tally.as_counters(),
                                 f"{backend} after down/up:\n{diff_counters(tally.as_counters(), deltas)}\n"
                                 f"  lanscope_capture_dropped_total now: {instance.dropped()}")
                instance.stop()
                type(self).instances.remove(instance)


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class LiveStateTests(LanscopeTestCase):
    """lanscope_capture_up and the published counters tell the truth on a live LAN, for both backends."""

    def setUp(self):
        type(self).instances = []

    def tearDown(self):
        type(self).stop_all()
        if not LAN.gateway_link_ready():
            try:
                LAN.recreate_gateway_link()
            except Exception:
                LAN.set_gateway_link(True)
            poll(LAN.gateway_link_ready, 15, 0.2)

    def start(self, backend, port):
        instance = svc.Lanscope(LAN, f"lanscope-live-{backend}-{port}", backend, port)
        type(self).instances.append(instance)
        return instance.start()

    @staticmethod
    def sample(instance, name):
        for sample_name, _, value in instance.metric_samples():
            if sample_name == name:
                return value
        return None

    def assertCaptureUp(self, instance, expected, why):
        ok = poll(lambda: self.sample(instance, "lanscope_capture_up") == expected, 8, 0.2)
        self.assertTrue(ok, f"{why}: lanscope_capture_up is {self.sample(instance, 'lanscope_capture_up')}, "
                            f"expected {expected}")

    def test_captureUp_followsLinkDownUpDeleteAndRecreate(self):
        for backend, port in (("ebpf", 9190), ("pcap", 9191)):
            with self.subTest(backend=backend):
                instance = self.start(backend, port)
                self.assertCaptureUp(instance, 1, "after start")
                LAN.set_gateway_link(False)
                self.assertCaptureUp(instance, 0, "link down")
                self.assertIn("capture is down", instance.log())
                LAN.set_gateway_link(True)
                self.assertTrue(poll(LAN.gateway_link_ready, 10, 0.1), "gateway port did not come back")
                self.assertCaptureUp(instance, 1, "link up again")
                LAN.delete_gateway_link()
                self.assertCaptureUp(instance, 0, "interface deleted")
                LAN.recreate_gateway_link()
                self.assertTrue(poll(LAN.gateway_link_ready, 15, 0.1), "recreated gateway port not forwarding")
                self.assertCaptureUp(instance, 1, "interface recreated")
                self.assertIn("capture is up again", instance.log())
                # And it counts again on the new interface.
                mac = LAN.device("mac")
                before = instance.device_counters().get(mac.mac, (0, 0, 0, 0))
                LAN.run(["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "2", lanmod.GW_IPV4], ns=mac.ns)
                counted = poll(lambda: instance.device_counters().get(mac.mac, (0, 0, 0, 0))[0] > before[0], 8, 0.25)
                self.assertTrue(counted, f"{backend}: no counting on the recreated interface")
                instance.stop()
                type(self).instances.remove(instance)

    def lanscope_cli(self, *args, timeout=30):
        return LAN.run([svc.binary_path(), *args], ns=LAN.gw_ns, check=False, timeout=timeout)

    def test_oneOwnerPerInterface_secondRunRefuses_checkLeavesItAlone_replaceTakesOver(self):
        first = self.start("ebpf", 9193)
        programs = svc.attached_programs(LAN)
        self.assertEqual(len(programs["xdp"]), 1, programs["xdp_text"])
        # A second run refuses, naming the running one.
        second = self.lanscope_cli("run", "--interface", lanmod.GW_IF, "--mode", "gateway", "--listen", "127.0.0.1:9194",
                                   "--no-db", timeout=30)
        self.assertNotEqual(second.returncode, 0, second.stdout + second.stderr)
        self.assertIn(f"pid {first.pid}", second.stderr)
        self.assertIn("--replace", second.stderr)
        # check reports the owner and leaves its programs alone; it creates no database.
        db = os.path.join(LAN.workdir, "check-never-created.db")
        check = self.lanscope_cli("check", "--interface", lanmod.GW_IF, "--db", db)
        self.assertIn(f"owned by lanscope pid {first.pid}", check.stdout)
        self.assertIn("CAP_NET_RAW: yes", check.stdout)
        self.assertIn("libpcap fallback on", check.stdout)
        self.assertFalse(os.path.exists(db), "check created a database")
        self.assertEqual(svc.attached_programs(LAN)["xdp"], programs["xdp"], "check touched the running attachment")
        mac = LAN.device("mac")
        before = first.device_counters().get(mac.mac, (0, 0, 0, 0))
        LAN.run(["ping", "-n", "-q", "-c", "2", "-i", "0.2", "-W", "2", lanmod.GW_IPV4], ns=mac.ns)
        self.assertTrue(poll(lambda: first.device_counters().get(mac.mac, (0, 0, 0, 0))[0] > before[0], 5, 0.25),
                        "the first instance stopped counting after check")
        # --replace takes over on purpose: the first instance is asked to stop and does.
        replacement = svc.Lanscope(LAN, "lanscope-replacement", "ebpf", 9195)
        replacement.extra_args = ["--replace"]
        type(self).instances.append(replacement)
        replacement.start()
        self.assertTrue(poll(lambda: not first.alive(), 15, 0.2), "the replaced instance is still running")
        self.assertEqual(len(svc.attached_programs(LAN)["xdp"]), 1)

    def test_quietLan_pcapPublishesWithoutMoreTraffic(self):
        instance = self.start("pcap", 9192)
        mac = LAN.device("mac")
        time.sleep(2.0)  # let the LAN go quiet
        before = self.sample(instance, "lanscope_capture_packets_total") or 0
        LAN.run(["ping", "-n", "-q", "-c", "1", "-W", "1", lanmod.GW_IPV4], ns=mac.ns)
        # One exchange (echo request in, reply out), then silence: both frames must be published on the
        # timer, not when later frames arrive (the last frame of a burst is the one a blocking read hides).
        published = poll(lambda: (self.sample(instance, "lanscope_capture_packets_total") or 0) >= before + 2, 3, 0.1)
        self.assertTrue(published, "pcap backend did not publish a quiet LAN's last frames within 3 s: "
                                   f"{before} → {self.sample(instance, 'lanscope_capture_packets_total')}")


# What the classifier must conclude for each namespace device, from the evidence the device really sends
# (nothing here is keyed on the test's MACs or hostnames; the rule ids are in Sources/Fingerprinting/Signatures):
# - every device opens TCP connections to the gateway from a current Linux kernel: the SYN's option order
#   (tcp.opts.linux) says Linux;
# - udhcpc sends busybox's default request list (dhcp.prl.udhcpc, dhcp.prl.udhcpc.iot): embedded Linux, some
#   embedded device, which outweighs the SYN's plain "Linux";
# - the Apple-OUI device's DHCP hostname contains "macbook" (host.macbook): a laptop;
# - the avahi device announces _sonos._tcp (mdns.sonos): a speaker.
EXPECTED_CLASSIFICATION = {
    "mac": {"type": "laptop", "os": "Linux"},
    "rpi": {"type": "iot_other", "os": "Linux (embedded)"},
    "sonos": {"type": "speaker", "os": "Linux"},
    "tv": {"type": "iot_other", "os": "Linux (embedded)"},
}
PROMETHEUS_PORT = 9190


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class ClassificationTests(LanscopeTestCase):
    """A live `lanscope run` classifies the namespace devices, and a real Prometheus (Debian's), scraping it
    in the gateway namespace, stores the conclusions as `lanscope_device_info` labels."""

    @classmethod
    def setUpClass(cls):
        binary = shutil.which("prometheus")
        if binary is None:
            raise unittest.SkipTest("prometheus not installed (Debian package prometheus; make deps)")
        cls.lanscope = svc.Lanscope(LAN, "lanscope-classify", "ebpf", 9186)
        cls.instances = [cls.lanscope]
        base = os.path.join(LAN.workdir, "prometheus")
        os.makedirs(base, exist_ok=True)
        config = os.path.join(base, "prometheus.yml")
        with open(config, "w") as out:
            out.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                      "scrape_configs:\n  - job_name: lanscope\n    static_configs:\n"
                      f"      - targets: ['127.0.0.1:{cls.lanscope.port}']\n")
        try:
            cls.lanscope.start()
            LAN.spawn("prometheus", [binary, f"--config.file={config}", f"--storage.tsdb.path={base}/data",
                                     f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}", "--log.level=warn"],
                      ns=LAN.gw_ns)
            # The evidence has to reach the running lanscope: fresh DHCP exchanges, a fresh avahi announcement
            # and one round of TCP traffic from every device.
            LAN.restart_dhcp_clients()
            LAN.restart_avahi(LAN.device("sonos"))
            LAN.all_traffic()
        except BaseException:
            sys.stderr.write(f"\n--- prometheus log (tail) ---\n{LAN.log_of('prometheus')}\n")
            LAN.stop("prometheus")
            cls.stop_all()
            raise

    @classmethod
    def tearDownClass(cls):
        LAN.stop("prometheus")
        cls.stop_all()
        # Leave the LAN as the next class expects it: with empty neighbour caches, so its first traffic
        # starts with ARP and neighbour solicitations again (GatewayTests learns IPv6 addresses from NDP).
        for ns in [LAN.gw_ns] + [device.ns for device in LAN.devices]:
            LAN.run(["ip", "neigh", "flush", "all"], ns=ns, check=False)

    def query(self, promql):
        return prometheus_query(LAN.gw_ns, PROMETHEUS_PORT, promql)

    def test_classification_namespaceDevices_reachPrometheusAsDeviceInfoLabels(self):
        up = poll(lambda: (self.query('up{job="lanscope"}') or [{}])[0].get("value", [0, "0"])[1] == "1", 30)
        self.assertTrue(up, f"Prometheus never scraped lanscope up:\n{LAN.log_of('prometheus')}")
        for device in LAN.devices:
            expected = EXPECTED_CLASSIFICATION[device.key]
            with self.subTest(device=device.key):
                selector = (f'lanscope_device_info{{mac="{device.mac}",type="{expected["type"]}",'
                            f'os="{expected["os"]}"}}')
                found = poll(lambda: self.query(selector), 30)
                if not found:
                    stored = self.query(f'lanscope_device_info{{mac="{device.mac}"}}') or []
                    labels = [{k: v for k, v in s["metric"].items() if k in ("type", "os", "model", "hostname")}
                              for s in stored]
                    self.fail(f"Prometheus holds no {selector}; it holds {labels}; lanscope says "
                              f"{(self.lanscope.devices().get(device.mac) or {}).get('classification')}")
                self.assertEqual(len(found), 1, found)
                self.assertEqual(found[0]["value"][1], "1")
                self.assertEqual(found[0]["metric"].get("hostname"), device.hostname)
        by_type = {s["metric"].get("type"): s["value"][1] for s in self.query("lanscope_devices_by_type") or []}
        for kind in {e["type"] for e in EXPECTED_CLASSIFICATION.values()}:
            wanted = sum(1 for e in EXPECTED_CLASSIFICATION.values() if e["type"] == kind)
            self.assertGreaterEqual(int(by_type.get(kind, "0")), wanted, f"lanscope_devices_by_type{{type={kind}}}")


def dashboard_queries(path):
    """Every (panel title, expr) of a shipped Grafana dashboard, nested rows included."""
    with open(path) as source:
        dashboard = json.load(source)
    found = []

    def walk(panels):
        for panel in panels:
            found.extend((panel.get("title", "?"), t["expr"]) for t in panel.get("targets", []) if t.get("expr"))
            walk(panel.get("panels", []))

    walk(dashboard.get("panels", []))
    return found


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class MultiSensorTests(LanscopeTestCase):
    """Two sensors on two namespace LANs, each scraped by a Prometheus in agent mode with its own `sensor`
    external label, both remote-writing into one central Prometheus (remote-write receiver on, lanscope's
    rules loaded) in a monitoring namespace of its own. The agents and the central one run the shipped
    deploy/multi-sensor configurations, with only addresses, intervals and the sensor names substituted."""

    SENSORS = ("lan-a", "lan-b")
    CENTRAL_PORT = 9195

    @classmethod
    def setUpClass(cls):
        binary = shutil.which("prometheus")
        if binary is None:
            raise unittest.SkipTest("prometheus not installed (Debian package prometheus; make deps)")
        shipped = os.path.join(svc.REPO, "deploy", "multi-sensor")
        with open(os.path.join(shipped, "sensor-agent.yml")) as source:
            agent_template = source.read()
        with open(os.path.join(shipped, "central-prometheus.yml")) as source:
            central_template = source.read()
        base = os.path.join(LAN.workdir, "multisensor")
        os.makedirs(base, exist_ok=True)
        # A second LAN with other MACs and hostnames; the gateway's MAC is the same on both, as two sites
        # with the same router model might have: the central rules must keep them apart by sensor.
        cls.lan_b = lanmod.Lan(os.path.join(base, "lan-b"), f"{LAN.prefix}b")
        cls.lan_b.state_path = LAN.state_path  # run.sh's fallback teardown reads one record file
        for device in cls.lan_b.devices:
            device.mac = device.mac[:-2] + f"{int(device.mac[-2:], 16) + 0x20:02x}"
            device.hostname = device.hostname.replace("e2e-", "e2e-b-")
        cls.lans = (LAN, cls.lan_b)
        cls.mon_ns = f"{LAN.prefix}mon"
        cls.sensors = [svc.Lanscope(lan, f"lanscope-{name}", "ebpf", 9187) for lan, name in zip(cls.lans, cls.SENSORS)]
        for sensor in cls.sensors:  # the per-device protocol panels need the opt-in breakdown
            sensor.extra_args = ["--device-traffic-breakdown"]
        cls.instances = list(cls.sensors)
        cls.agents = []
        try:
            cls.lan_b.create()
            cls.lan_b.start_dnsmasq()
            cls.lan_b.start_dhcp_clients()
            cls.lan_b.wait_leases()
            # The monitoring namespace, one /30 link to each sensor's gateway namespace.
            LAN._add_ns(cls.mon_ns)
            LAN.run(["ip", "-n", cls.mon_ns, "link", "set", "lo", "up"])
            for index, lan in enumerate(cls.lans, start=1):
                LAN.run(["ip", "link", "add", f"mon{index}", "netns", cls.mon_ns, "type", "veth",
                         "peer", "name", "mon0", "netns", lan.gw_ns])
                LAN.run(["ip", "-n", cls.mon_ns, "addr", "add", f"10.254.{index}.1/30", "dev", f"mon{index}"])
                LAN.run(["ip", "-n", lan.gw_ns, "addr", "add", f"10.254.{index}.2/30", "dev", "mon0"])
                LAN.run(["ip", "-n", cls.mon_ns, "link", "set", f"mon{index}", "up"])
                LAN.run(["ip", "-n", lan.gw_ns, "link", "set", "mon0", "up"])
            central = central_template.replace("evaluation_interval: 30s", "evaluation_interval: 1s")
            central = central.replace("../../alerting-rules/", os.path.join(svc.REPO, "alerting-rules") + "/")
            central = central.replace("targets: ['localhost:9093']", "targets: []")
            cls.write(base, "central.yml", central)
            LAN.spawn("prometheus-central", [
                binary, "--web.enable-remote-write-receiver", f"--config.file={base}/central.yml",
                f"--storage.tsdb.path={base}/central-data", f"--web.listen-address=0.0.0.0:{cls.CENTRAL_PORT}",
                "--log.level=warn"], ns=cls.mon_ns)
            for index, (lan, name, sensor) in enumerate(zip(cls.lans, cls.SENSORS, cls.sensors), start=1):
                sensor.start()
                agent = agent_template
                for old, new in (("scrape_interval: 15s", "scrape_interval: 1s"), ("sensor: office", f"sensor: {name}"),
                                 ("targets: ['localhost:9184']", f"targets: ['127.0.0.1:{sensor.port}']"),
                                 ("http://central.example.internal:9090/",
                                  f"http://10.254.{index}.1:{cls.CENTRAL_PORT}/")):
                    if old not in agent:
                        raise AssertionError(f"deploy/multi-sensor/sensor-agent.yml no longer contains {old!r}")
                    agent = agent.replace(old, new)
                cls.write(base, f"agent-{name}.yml", agent)
                process_name = f"prometheus-agent-{name}"
                lan.spawn(process_name, [
                    binary, "--enable-feature=agent", f"--config.file={base}/agent-{name}.yml",
                    f"--storage.agent.path={base}/agent-{name}", "--web.listen-address=127.0.0.1:9196",
                    "--log.level=warn"], ns=lan.gw_ns, log=os.path.join(base, f"{process_name}.log"))
                cls.agents.append((lan, process_name))
            # Devices join while both sensors watch.
            for lan in cls.lans:
                lan.restart_dhcp_clients()
        except BaseException:
            cls.dump_logs()
            cls.cleanup()
            raise

    @staticmethod
    def write(base, name, text):
        with open(os.path.join(base, name), "w") as out:
            out.write(text)

    @classmethod
    def dump_logs(cls):
        sys.stderr.write(f"\n--- central prometheus (tail) ---\n{LAN.log_of('prometheus-central')}\n")
        for lan, name in cls.agents:
            sys.stderr.write(f"\n--- {name} (tail) ---\n{lan.log_of(name)}\n")

    @classmethod
    def cleanup(cls):
        for lan, name in cls.agents:
            lan.stop(name)
        cls.agents = []
        LAN.stop("prometheus-central")
        cls.stop_all()
        for lan in cls.lans:
            lan.run(["ip", "link", "del", "mon0"], ns=lan.gw_ns, check=False)
        LAN.run(["ip", "netns", "del", cls.mon_ns], check=False)
        if cls.mon_ns in LAN.namespaces:
            LAN.namespaces.remove(cls.mon_ns)
        cls.lan_b.teardown()

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def query(self, promql):
        """The central Prometheus's instant-query result vector, or None when it did not answer."""
        return prometheus_query(self.mon_ns, self.CENTRAL_PORT, promql)

    def central_alerts(self):
        done = LAN.run(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{self.CENTRAL_PORT}/api/v1/alerts"],
                       ns=self.mon_ns, check=False, timeout=10)
        try:
            return json.loads(done.stdout).get("data", {}).get("alerts", [])
        except ValueError:
            return []

    def wait_devices(self):
        """Polls the central Prometheus until each sensor's devices are there under its sensor label."""
        expected = {name: {d.mac for d in lan.devices} for lan, name in zip(self.lans, self.SENSORS)}
        seen = {}

        def check():
            nonlocal seen
            seen = {}
            for sample in self.query("lanscope_device_info") or []:
                seen.setdefault(sample["metric"].get("sensor"), set()).add(sample["metric"].get("mac"))
            return all(expected[name] <= seen.get(name, set()) for name in self.SENSORS)

        if not poll(check, 90, interval=1):
            self.dump_logs()
            self.fail(f"central Prometheus does not hold every device by sensor: expected {expected}, holds {seen}")
        return expected

    def test_a_central_holdsEachSensorsDevices_underItsSensorLabel(self):
        expected = self.wait_devices()
        for lan, name in zip(self.lans, self.SENSORS):
            other = self.SENSORS[1 - self.SENSORS.index(name)]
            for device in lan.devices:
                found = self.query(f'lanscope_device_info{{mac="{device.mac}"}}') or []
                sensors = {s["metric"].get("sensor") for s in found}
                self.assertEqual(sensors, {name}, f"{device.key} of {name}: {found}")
                self.assertEqual({s["metric"].get("hostname") for s in found}, {device.hostname})
            self.assertFalse(expected[name] & expected[other])
        # lanscope's own series carry no sensor label: the agent adds it on the way out.
        for sensor in self.sensors:
            labelled = [(n, labels) for n, labels, _ in sensor.metric_samples() if "sensor" in labels]
            self.assertEqual(labelled, [], f"{sensor.name} exports a sensor label itself")

    def test_b_overviewDashboard_returnsDataPerSensor(self):
        self.wait_devices()
        queries = dashboard_queries(os.path.join(svc.REPO, "dashboards", "lanscope-overview.json"))
        self.assertGreaterEqual(len(queries), 30)
        # Panels a live eBPF sensor with no drops, decode errors or rejected devices can leave empty are
        # still evaluated (Prometheus must accept them) but only the others must return data.
        checked = 0
        for lan, name in zip(self.lans, self.SENSORS):
            # Recording rules evaluated centrally need two remote-written samples per series.
            rated = poll(lambda: self.query(f'mac:lanscope_device_transmitted_bytes:rate5m{{sensor="{name}"}}'), 60,
                         interval=1)
            self.assertTrue(rated, f"{name}: the central recording rules produced nothing")
            substitutions = [("$__rate_interval", "30s"), ("$__range", "5m"), ("${datasource}", ""),
                             ("$datasource", ""), ("$job", "lanscope"), ("$sensor", name), ("$instance", ".*"),
                             ("$mac", lan.devices[0].mac)]
            empty = []
            for title, expr in queries:
                for old, new in substitutions:
                    expr = expr.replace(old, new)
                self.assertNotIn("$", expr, f"{title}: unsubstituted variable")
                result = self.query(expr)
                if result is None:
                    self.fail(f"{title}: central Prometheus rejected {expr}")
                if not result:
                    empty.append(title)
                    continue
                checked += 1
                labelled = {s["metric"].get("sensor") for s in result if "sensor" in s["metric"]}
                self.assertLessEqual(labelled, {name}, f"{title} for {name} returned another sensor's series")
            self.assertLessEqual(set(empty), {"Devices omitted from export", "Capture drops by reason",
                                              "Inventory churn", "Decode errors by protocol", "Anomalies in range",
                                              "Anomalies by kind"},
                                 f"{name}: panels without data: {empty}")
        self.assertGreater(checked, 40)
        both = {s["metric"].get("sensor") for s in self.query(
            'lanscope_capture_info * on(job, instance, sensor) group_left(version) lanscope_build_info') or []}
        self.assertEqual(both, set(self.SENSORS))

    def test_c_newDeviceAlert_evaluatedCentrally_namesSensorAndDevice(self):
        self.wait_devices()
        for lan, name in zip(self.lans, self.SENSORS):
            device = lan.device("rpi")
            alert = None

            def firing():
                nonlocal alert
                alert = next((a for a in self.central_alerts()
                              if a.get("labels", {}).get("alertname") == "LanscopeNewDevice"
                              and a["labels"].get("sensor") == name and a["labels"].get("mac") == device.mac), None)
                return alert is not None and alert.get("state") == "firing"

            if not poll(firing, 60, interval=1):
                self.dump_logs()
                self.fail(f"no firing LanscopeNewDevice for {device.mac} on {name}; last: {alert}; "
                          f"alerts: {[a.get('labels') for a in self.central_alerts()]}")
            description = alert["annotations"]["description"]
            self.assertIn(device.mac, description)
            self.assertIn(f"(sensor {name})", description)
            self.assertIn(device.hostname, description)


def source_tally(pcap_path):
    """{src mac: [frames, bytes]} over the unicast, non-zero source MACs of a capture (bytes as on the wire)."""
    import struct
    tally = {}
    with open(pcap_path, "rb") as capture:
        header = capture.read(24)
        endian = "<" if header[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            record = capture.read(16)
            if len(record) < 16:
                break
            _, _, included, original = struct.unpack(endian + "IIII", record)
            frame = capture.read(included)
            source = frame[6:12]
            if source[0] & 1 or source == bytes(6):
                continue
            mac = ":".join(f"{b:02x}" for b in source)
            row = tally.setdefault(mac, [0, 0])
            row[0] += 1
            row[1] += original
    return tally


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class ScaleTests(unittest.TestCase):
    """10,000 devices at once through the real kernel path: a generated LAN capture replayed at top speed
    into a veth whose peer lanscope watches (eBPF, gateway mode), in two namespaces of its own. Every
    device must get a slot in the kernel table (no `map_full`) and count exactly the frames and bytes
    it sent; `/metrics` must list them all."""

    DEVICES = 10_000

    def setUp(self):
        self.watch_ns = f"{LAN.prefix}sw"
        self.send_ns = f"{LAN.prefix}ss"
        for ns in (self.watch_ns, self.send_ns):
            LAN._add_ns(ns)
            # No IPv6 on either end: the veths' own router solicitations would be a 10,001st device.
            LAN.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                     "net.ipv6.conf.default.disable_ipv6=1"], ns=ns)
        LAN.run(["ip", "link", "add", "scw0", "netns", self.watch_ns, "type", "veth", "peer", "name", "scs0",
                 "netns", self.send_ns])
        for ns, ifname in ((self.watch_ns, "scw0"), (self.send_ns, "scs0")):
            LAN.run(["ip", "link", "set", ifname, "up"], ns=ns)
            LAN.run(["ip", "link", "set", "lo", "up"], ns=ns)
            LAN._offloads_off(ns, ifname)
        self.pcap = os.path.join(LAN.workdir, "scale.pcap")
        LAN.run([sys.executable, os.path.join(svc.REPO, "Tests", "Benchmarks", "make_large_capture.py"), self.pcap,
                 "--devices", str(self.DEVICES - 1), "--frames", "100000"], timeout=120)
        self.name = "lanscope-scale"

    def tearDown(self):
        LAN.stop(self.name)
        for ns in (self.send_ns, self.watch_ns):
            LAN.run(["ip", "netns", "del", ns], check=False)
            if ns in LAN.namespaces:
                LAN.namespaces.remove(ns)

    def get(self, path):
        done = LAN.run(["curl", "-sS", "--max-time", "20", f"http://127.0.0.1:9190{path}"], ns=self.watch_ns,
                       check=False, timeout=30)
        return done.returncode, done.stdout

    def test_tenThousandDevices_everyDeviceGetsASlot_andCountsExactly(self):
        expected = source_tally(self.pcap)
        self.assertEqual(len(expected), self.DEVICES)
        log = os.path.join(LAN.workdir, f"{self.name}.stderr")
        process = LAN.spawn(self.name, [svc.binary_path(), "run", "--interface", "scw0", "--mode", "gateway",
                                        "--backend", "ebpf", "--listen", "127.0.0.1:9190", "--no-db"],
                            ns=self.watch_ns, log=log)
        ready = poll(lambda: self.get("/-/ready")[1].startswith("OK"), 60, 0.25)
        self.assertTrue(ready, f"lanscope not ready:\n{LAN.log_of(self.name)}")
        LAN.run(["tcpreplay", "-q", "--topspeed", "-i", "scs0", self.pcap], ns=self.send_ns, timeout=120)
        from prometheus_client.parser import text_string_to_metric_families

        def scrape():
            _, body = self.get("/metrics")
            counted, metrics = {}, {}
            for family in text_string_to_metric_families(body):
                for sample in family.samples:
                    mac = sample.labels.get("mac")
                    if mac and sample.name in ("lanscope_device_transmitted_packets_total",
                                               "lanscope_device_transmitted_bytes_total"):
                        row = counted.setdefault(mac, [0, 0])
                        row[0 if sample.name.endswith("packets_total") else 1] = int(sample.value)
                    elif not mac:
                        metrics[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
            return counted, metrics

        total = sum(row[0] for row in expected.values())
        result = {}
        done = poll(lambda: (result.update(zip(("counted", "metrics"), scrape())) or
                             sum(row[0] for row in result["counted"].values()) >= total), 30, 1.0)
        counted, metrics = result["counted"], result["metrics"]
        map_full = metrics.get(("lanscope_capture_dropped_total", (("reason", "map_full"),)))
        self.assertEqual(map_full, 0, f"devices that found no slot in the kernel table:\n{LAN.log_of(self.name)}")
        self.assertEqual(metrics.get(("lanscope_bpf_map_entries", (("map", "devices"),))), self.DEVICES)
        self.assertTrue(done, f"counted {sum(r[0] for r in counted.values())} of {total} frames")
        wrong = {mac: (counted.get(mac), row) for mac, row in expected.items() if counted.get(mac) != row}
        self.assertEqual(len(counted), self.DEVICES)
        self.assertEqual(wrong, {}, f"{len(wrong)} devices counted wrong (lanscope, sent); first: "
                                    f"{dict(list(wrong.items())[:5])}")
        self.assertIsNone(process.poll(), "lanscope exited")


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class DetectionTests(LanscopeTestCase):
    """Real attack tools on the namespace LAN; lanscope must raise exactly the matching event.

    Two lanscopes watch the gateway's LAN port with the same detection config (detection.py says why
    each value is shortened): eBPF (the subject) and libpcap (the differential). The tests run in name
    order as one story — ordinary life first (the quiet period), then one attack per test, each
    checked against the events that appeared since it began — and a real Prometheus with the shipped
    rules and a real Alertmanager deliver the alerts to a webhook meanwhile (the last test)."""

    SCANNER = "rpi"      # nmap SYN, connect scans and the ARP sweep
    SPOOFER = "sonos"    # arpspoof for the gateway's address; iperf3 burst
    VICTIM = "mac"       # the host arpspoof lies to; the DHCP client the rogue answers
    ROGUE = "tv"         # the rogue dnsmasq; the rogue RA; goes offline and back
    report = []

    @classmethod
    def setUpClass(cls):
        config = detection.write_config(LAN.workdir)
        cls.ebpf = svc.Lanscope(LAN, "lanscope-detect-ebpf", "ebpf", 9190)
        cls.pcap = svc.Lanscope(LAN, "lanscope-detect-pcap", "pcap", 9191)
        cls.instances = [cls.ebpf, cls.pcap]
        cls.ops = None
        cls.report = []
        try:
            for instance in cls.instances:
                instance.extra_args = ["--detection-config", config]
                instance.start()
            cls.started = time.monotonic()
            # Ordinary life from the first second: every device checks in every 2 s (bounded: 900
            # pings), fresh DHCP exchanges, an avahi announcement, HTTP/UDP/ICMP traffic.
            for device in LAN.devices:
                cls.start_pinger(device)
            LAN.restart_dhcp_clients()
            LAN.restart_avahi(LAN.device("sonos"))
            LAN.all_traffic()
            if not detection.OpsStack.missing():
                cls.ops = detection.OpsStack(LAN, {"ebpf": cls.ebpf.port, "pcap": cls.pcap.port}).start()
        except BaseException:
            for instance in cls.instances:
                sys.stderr.write(f"\n--- {instance.name} log (tail) ---\n{instance.log()}\n")
            cls.cleanup()
            raise

    @classmethod
    def start_pinger(cls, device):
        LAN.spawn(f"pinger-{device.key}", ["ping", "-n", "-q", "-i", "2", "-c", "900", lanmod.GW_IPV4], ns=device.ns)

    @classmethod
    def cleanup(cls):
        for device in LAN.devices:
            LAN.stop(f"pinger-{device.key}")
        for name in ("rogue-dnsmasq", "arpspoof", "iperf3-server"):
            LAN.stop(name)
        if cls.ops is not None:
            cls.ops.stop()
        cls.stop_all()
        # Leave the LAN as the other classes expect it: no poisoned ARP cache, every address in place.
        for ns in [LAN.gw_ns] + [d.ns for d in LAN.devices]:
            LAN.run(["ip", "neigh", "flush", "all"], ns=ns, check=False)
        for device in LAN.devices:
            LAN.run(["ip", "link", "set", lanmod.DEVICE_IF, "up"], ns=device.ns, check=False)
            LAN.run(["ip", "-6", "addr", "replace", f"{device.ipv6}/64", "dev", lanmod.DEVICE_IF, "nodad"],
                    ns=device.ns, check=False)
        sys.stderr.write("\n  detection report:\n" + "\n".join(f"    {line}" for line in cls.report) + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    # Helpers.

    @staticmethod
    def key(event):
        return json.dumps(event, sort_keys=True)

    def snapshot(self):
        return [{self.key(e) for e in detection.events(i)} for i in self.instances]

    def new_events(self, snapshot):
        return [[e for e in detection.events(i) if self.key(e) not in seen] for i, seen in zip(self.instances, snapshot)]

    def wait_events(self, snapshot, predicate, timeout):
        """Polls both instances until predicate(new events) holds for each; returns the last lists."""
        last = [[], []]

        def check():
            nonlocal last
            last = self.new_events(snapshot)
            return all(predicate(evs) for evs in last)

        poll(check, timeout, 1.0)
        return last

    def attack(self, label, kind, attacker, action, related=(), severity=None, closing=False, timeout=45,
               compare=True, cleanup=None, also=()):
        """Runs `action`, waits for the `kind` event naming `attacker` (and its closing event when the
        kind is a span), and asserts that nothing else appeared on the eBPF instance — nor on the
        libpcap one when `compare` — except the kinds in `also`, which must name the attacker too."""
        mac = LAN.device(attacker).mac
        before = self.snapshot()
        totals_before, _ = detection.anomaly_metrics(self.ebpf)
        try:
            action()
            opened = self.wait_events(before, lambda evs: any(e["kind"] == kind and e["mac"] == mac
                                                               and not detection.is_closing(e) for e in evs), timeout)
            # Read while the anomaly is active; the counter is published with the event.
            totals, active = detection.anomaly_metrics(self.ebpf)
        finally:
            if cleanup:
                cleanup()
        after = opened
        if closing:
            after = self.wait_events(before, lambda evs: any(e["kind"] == kind and e["mac"] == mac
                                                              and detection.is_closing(e) for e in evs), 60)
        time.sleep(2)  # anything a late frame of the attack would still raise
        after = self.new_events(before)
        for instance, evs in zip(self.instances, after):
            type(self).report.append(f"{label} [{instance.backend}]: " + (
                "; ".join(f"{e['kind']}/{e['severity']} mac={e['mac']} related={e['related_macs']}"
                          f"{' (closing)' if detection.is_closing(e) else ''}" for e in evs) or "nothing"))
        checked = list(zip(self.instances, after)) if compare else [(self.ebpf, after[0])]
        for instance, evs in checked:
            who = f"{label} on {instance.backend}:\n{detection.describe(evs)}"
            opening = [e for e in evs if e["kind"] == kind and not detection.is_closing(e)]
            self.assertTrue(opening, f"no {kind} event; {who}")
            self.assertEqual({e["mac"] for e in evs}, {mac}, f"events must name only the attacker {mac}; {who}")
            self.assertLessEqual({e["kind"] for e in evs}, {kind, *also}, f"only {kind} expected; {who}")
            for e in opening:
                for other in related:
                    self.assertIn(other, e["related_macs"], f"{kind} must name {other}; {who}")
                if severity:
                    self.assertEqual(e["severity"], severity, who)
            if closing:
                self.assertTrue(any(detection.is_closing(e) for e in evs), f"no closing event; {who}")
        severity_seen = next(e["severity"] for e in after[0] if e["kind"] == kind)
        self.assertGreater(totals.get((kind, severity_seen), 0), totals_before.get((kind, severity_seen), 0),
                           f"lanscope_anomalies_total{{kind={kind}}} did not grow")
        self.assertEqual(active.get((kind, mac)), 1.0, f"lanscope_anomaly_active{{kind={kind},mac={mac}}} "
                                                       f"not 1 while the {label} was active: {active}")
        if compare:
            signature = [sorted({(e["kind"], e["mac"], tuple(e["related_macs"]), detection.is_closing(e))
                                 for e in evs}) for evs in after]
            self.assertEqual(signature[0], signature[1], f"eBPF and libpcap disagree on the {label}")
        return after

    def ip(self, key):
        return LAN.device(key).ipv4

    # The story, in name order.

    def test_a_quietPeriod_ordinaryLife_raisesNothingButNewDevices(self):
        # Past the learning period, then 100 s (10 ticks) of ordinary life: traffic, a DHCP renewal of
        # every device, an mDNS announcement and query. Nothing may be raised but new_device, and no
        # new_device either: every device spoke during the learning period.
        learning_left = 25 - (time.monotonic() - self.started)
        if learning_left > 0:
            time.sleep(learning_left)
        before = self.snapshot()
        deadline = time.monotonic() + 100
        rounds = 0
        while time.monotonic() < deadline:
            LAN.all_traffic()
            if rounds == 2:
                LAN.restart_dhcp_clients()
            if rounds == 3:
                LAN.restart_avahi(LAN.device("sonos"))
                LAN.mdns_query(LAN.device("mac"), f"{lanmod.MDNS_SERVICE_TYPE}.local")
            rounds += 1
            time.sleep(max(0.0, min(10.0, deadline - time.monotonic())))
        after = self.new_events(before)
        for instance, evs in zip(self.instances, after):
            type(self).report.append(f"quiet period ({rounds} rounds) [{instance.backend}]: "
                                     + ("; ".join(f"{e['kind']} mac={e['mac']}" for e in evs) or "nothing"))
            unexpected = [e for e in evs if e["kind"] != "new_device"]
            self.assertEqual(unexpected, [], f"{instance.backend} raised during ordinary life:\n"
                                             f"{detection.describe(unexpected)}")

    def test_b_portScan_nmapSynScan_namesScanner(self):
        targets = [lanmod.GW_IPV4, self.ip("tv"), self.ip("mac")]
        self.attack("nmap -sS", "port_scan", self.SCANNER, lambda: LAN.run(
            ["nmap", "-sS", "-Pn", "-n", "-T4", "-p", "1-200", *targets], ns=LAN.device(self.SCANNER).ns,
            timeout=120), severity="warning", closing=True)

    def test_c_portScan_nmapConnectScan_namesScanner(self):
        targets = [lanmod.GW_IPV4, self.ip("tv"), self.ip("sonos")]
        self.attack("nmap -sT", "port_scan", self.SCANNER, lambda: LAN.run(
            ["nmap", "-sT", "-Pn", "-n", "-T4", "-p", "1-200", *targets], ns=LAN.device(self.SCANNER).ns,
            timeout=120), severity="warning", closing=True)

    def test_d_arpSweep_nmapPingSweep_namesSweeper(self):
        self.attack("nmap -sn sweep", "arp_sweep", self.SCANNER, lambda: LAN.run(
            ["nmap", "-sn", "-n", f"{lanmod.SUBNET4}.0/24"], ns=LAN.device(self.SCANNER).ns, timeout=120),
            severity="warning")

    def test_e_arpSpoof_arpspoofForGateway_criticalNamingBothMACs(self):
        spoofer = LAN.device(self.SPOOFER)

        def spoof():
            LAN.spawn("arpspoof", ["arpspoof", "-i", lanmod.DEVICE_IF, "-t", self.ip(self.VICTIM), lanmod.GW_IPV4],
                      ns=spoofer.ns)
            time.sleep(7)  # arpspoof repeats its forged reply every 2 s

        # The gateway keeps answering for its address, so the binding goes gateway -> spoofer ->
        # gateway: the address-binding detector also raises ip_conflict on that back-and-forth (its
        # documented A -> B -> A rule, unit-tested as the gateway attack), naming the spoofer as taker.
        evs = self.attack("arpspoof", "arp_spoof", self.SPOOFER, spoof, related=[lanmod.GW_MAC],
                          severity="critical", cleanup=lambda: LAN.stop("arpspoof"), also=("ip_conflict",))
        for e in evs[0]:
            self.assertIn(lanmod.GW_MAC, e["related_macs"], detection.describe(evs[0]))

    def test_f_rogueDHCP_secondDnsmasq_namesRogue(self):
        rogue = LAN.device(self.ROGUE)
        leases = os.path.join(LAN.workdir, "rogue-dnsmasq.leases")
        open(leases, "w").close()

        def rogue_server():
            LAN.spawn("rogue-dnsmasq", [
                "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--no-hosts", "--no-resolv",
                f"--interface={lanmod.DEVICE_IF}", "--bind-interfaces", "--user=root", "--group=root", "--no-ping",
                f"--dhcp-range={lanmod.SUBNET4}.200,{lanmod.SUBNET4}.220,255.255.255.0,10m",
                f"--dhcp-leasefile={leases}", f"--pid-file={os.path.join(LAN.workdir, 'rogue-dnsmasq.pid')}",
            ], ns=rogue.ns)
            time.sleep(1)
            # A client asking: udhcpc once, its script /bin/true so the victim keeps its own address.
            LAN.run(["busybox", "udhcpc", "-f", "-q", "-n", "-i", lanmod.DEVICE_IF, "-t", "3", "-T", "1",
                     "-s", "/bin/true"], ns=LAN.device(self.VICTIM).ns, check=False, timeout=20)

        self.attack("rogue dnsmasq", "rogue_dhcp", self.ROGUE, rogue_server, severity="critical",
                    cleanup=lambda: LAN.stop("rogue-dnsmasq"))

    def test_g_rogueRA_scapyAdvertisement_namesRouter(self):
        rogue = LAN.device(self.ROGUE)
        self.attack("rogue RA", "rogue_ra", self.ROGUE, lambda: LAN.run(
            [lanmod.PYTHON, lanmod.LANTOOL, "rogue-ra", "--interface", lanmod.DEVICE_IF, "--mac", rogue.mac],
            ns=rogue.ns), severity="critical")

    def test_h_trafficSpike_iperf3Burst_namesDevice(self):
        LAN.spawn("iperf3-server", ["iperf3", "-s", "-1", "-B", lanmod.GW_IPV4, "-p", "5201"], ns=LAN.gw_ns)
        time.sleep(1)
        # 40 Mbit/s = 5 MB/s for 35 s: 5x the floor, three ticks and more above the device's baseline.
        self.attack("iperf3 burst", "traffic_spike", self.SPOOFER, lambda: LAN.run(
            ["iperf3", "-c", lanmod.GW_IPV4, "-p", "5201", "-t", "35", "-b", "40M"], ns=LAN.device(self.SPOOFER).ns,
            timeout=60), severity="warning", closing=True, timeout=30, cleanup=lambda: LAN.stop("iperf3-server"))

    def test_i_deviceOffline_linkDownThenUp_offlineThenBackOnline(self):
        device = LAN.device(self.ROGUE)

        def go_away():
            LAN.stop(f"pinger-{device.key}")
            LAN.run(["ip", "link", "set", lanmod.DEVICE_IF, "down"], ns=device.ns)

        def come_back():
            LAN.run(["ip", "link", "set", lanmod.DEVICE_IF, "up"], ns=device.ns)
            LAN.run(["ip", "-6", "addr", "replace", f"{device.ipv6}/64", "dev", lanmod.DEVICE_IF, "nodad"],
                    ns=device.ns)
            self.start_pinger(device)

        before = self.snapshot()
        go_away()
        try:
            offline = self.wait_events(before, lambda evs: any(e["kind"] == "device_offline" for e in evs), 120)
        finally:
            come_back()
        back = self.wait_events(before, lambda evs: any(e["kind"] == "device_offline" and detection.is_closing(e)
                                                        for e in evs), 40)
        for instance, evs in zip(self.instances, back):
            type(self).report.append(f"offline/back [{instance.backend}]: " + (
                "; ".join(f"{e['kind']}/{e['severity']} mac={e['mac']}"
                          f"{' (closing)' if detection.is_closing(e) else ''}" for e in evs) or "nothing"))
        evs = back[0]
        self.assertEqual({(e["kind"], e["mac"]) for e in evs}, {("device_offline", device.mac)},
                         f"eBPF:\n{detection.describe(evs)}")
        self.assertTrue(any(not detection.is_closing(e) for e in evs), detection.describe(evs))
        self.assertTrue(any(detection.is_closing(e) for e in evs), f"no back-online event:\n{detection.describe(evs)}")

    def test_z_opsPath_alertmanagerDeliversScannerAndSpooferMACs(self):
        if self.ops is None:
            self.skipTest(f"missing {detection.OpsStack.missing()} (Debian packages prometheus, "
                          "prometheus-alertmanager)")
        scanner, spoofer = LAN.device(self.SCANNER).mac, LAN.device(self.SPOOFER).mac

        def delivered():
            alerts = self.ops.deliveries()
            names = {(labels.get("alertname"), labels.get("mac", "").lower(), labels.get("sensor"))
                     for _, labels, _ in alerts}
            return all((alert, mac, sensor) in names for alert, mac in
                       (("LanscopePortScan", scanner), ("LanscopeGatewayARPSpoof", spoofer))
                       for sensor in ("ebpf", "pcap"))

        ok = poll(delivered, 30, 1.0)
        alerts = self.ops.deliveries()
        type(self).report.append("webhook: " + "; ".join(sorted({f"{l.get('alertname')} mac={l.get('mac')} "
                                                                  f"sensor={l.get('sensor')}" for _, l, _ in alerts})))
        self.assertTrue(ok, f"webhook did not receive the port scan and gateway ARP spoof alerts for both "
                            f"sensors; got {[(s, l) for s, l, _ in alerts]}\n{self.ops.logs()}")


@unittest.skipIf(LAN_ONLY, "LANSCOPE_E2E_LAN_ONLY=1: lanscope assertions not run")
class HistoryTests(LanscopeTestCase):
    """Live history: lanscope (eBPF, gateway) runs for a while with traffic; after a clean stop, the
    traffic samples in its database sum, per device, to the counters /metrics exported last."""

    DURATION = 75          # seconds of traffic
    INTERVAL = "5s"        # --history-interval: several samples per device within the run

    @staticmethod
    def countable_frames_since(capture, since):
        """Frames at or after `since` that a device counter would include: ingress from a unicast source,
        egress to a unicast destination (the gateway's own multicast, e.g. the MLD reports Linux sends
        when the programs detach, counts for no device)."""
        from scapy.all import Ether, PcapReader
        found = []
        for direction, path in capture.files.items():
            if not os.path.exists(path):
                continue
            with PcapReader(path) as reader:
                for packet in reader:
                    if float(packet.time) < since or Ether not in packet:
                        continue
                    mac = packet[Ether].src if direction == "in" else packet[Ether].dst
                    if not int(mac.split(":")[0], 16) & 1:
                        found.append(f"{direction} {packet.summary()}")
        return found

    def test_history_samplesSumToMetricsCounters_afterCleanStop(self):
        import sqlite3
        instance = svc.Lanscope(LAN, "lanscope-history", "ebpf", 9192)
        instance.extra_args = ["--history-interval", self.INTERVAL]
        type(self).instances = [instance]
        try:
            instance.start()
            # Addresses come from discovery frames (ARP, NDP, DHCP, mDNS): empty the neighbour caches an
            # earlier class may have left warm, so the first round of traffic resolves them while lanscope
            # watches.
            for ns in [LAN.gw_ns] + [device.ns for device in LAN.devices]:
                LAN.run(["ip", "neigh", "flush", "all"], ns=ns, check=False)
            started = time.monotonic()
            rounds = 0
            while time.monotonic() - started < self.DURATION:
                LAN.all_traffic()
                rounds += 1
                time.sleep(2)
            # A quiet LAN, then the last counters, then the stop: a frame between the read and the stop
            # would make the two incomparable, so the capture running across them must stay empty.
            quiet = LAN.capture("history-quiet").start()
            try:
                quiet.wait_quiet(quiet=1.5, timeout=20)
                read_at = time.time()
                final = instance.device_counters()
                status = instance.stop()
                time.sleep(0.5)  # tcpdump -U writes each frame as it comes; give the last one time
            finally:
                quiet.stop()
            self.assertEqual(status, 0, f"lanscope did not stop cleanly:\n{instance.log()}")
            late = self.countable_frames_since(quiet, read_at - 0.1)
            self.assertEqual(late, [], "frames lanscope counts crossed the LAN between the last scrape and the stop")
        finally:
            self.stop_all()
        self.assertTrue(all(final.get(device.mac) and all(final[device.mac]) for device in LAN.devices),
                        f"every device sent and received during the run: {final}")
        db = sqlite3.connect(f"file:{instance.db}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT mac, sum(transmitted_packets), sum(transmitted_bytes), sum(received_packets),"
                " sum(received_bytes), count(*) FROM traffic_samples GROUP BY mac").fetchall()
            spans = dict(db.execute("SELECT mac, count(*) FROM presence GROUP BY mac").fetchall())
            # What a live run stored besides traffic: events, classification changes, addresses.
            events = {mac for (mac,) in db.execute("SELECT mac FROM anomalies WHERE kind = 'new_device'")}
            classified = {mac for (mac,) in db.execute("SELECT mac FROM identity_changes WHERE field = 'type'")}
            addressed = {mac for (mac,) in db.execute("SELECT mac FROM addresses")}
        finally:
            db.close()
        stored = {r[0]: (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
        samples = {r[0]: r[5] for r in rows}
        expected = {mac: counters for mac, counters in final.items() if any(counters)}
        self.assertEqual(stored, expected, f"history samples vs /metrics:\n{diff_counters(expected, stored)}")
        for device in LAN.devices:
            # The run spans many intervals: traffic spread over several samples, and a presence span.
            self.assertGreater(samples.get(device.mac, 0), 5, f"{device.key}: samples {samples.get(device.mac)}")
            self.assertGreaterEqual(spans.get(device.mac, 0), 1, f"{device.key}: no presence span")
            self.assertIn(device.mac, events, f"{device.key}: no new_device event stored")
            self.assertIn(device.mac, classified, f"{device.key}: no classification change stored")
            self.assertIn(device.mac, addressed, f"{device.key}: no address stored")
        sys.stderr.write(f"\nhistory: {rounds} traffic rounds, {sum(samples.values())} samples for "
                         f"{len(samples)} devices, sums equal /metrics\n")


class CountingResult(unittest.TextTestResult):
    """Also remembers successes, so the summary counts tests rather than deriving them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.successes = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.successes.append(test)


def main():
    # SIGTERM from run.sh's trap becomes an exception so the finally below tears the LAN down.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stderr, resultclass=CountingResult)
    try:
        program = unittest.main(module=__name__, testRunner=runner, exit=False, argv=[sys.argv[0]] + sys.argv[1:])
        result = program.result
    finally:
        tearDownModule()
    # A test whose subtests fail several times still counts once.
    failed_ids = {getattr(test, "test_case", test).id() for test, _ in result.failures + result.errors}
    failed_ids |= {test.id() for test in result.unexpectedSuccesses}
    passed, failed, skipped = len(result.successes), len(failed_ids), len(result.skipped)
    summary = f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
    summary_path = os.environ.get("LANSCOPE_E2E_SUMMARY")
    if summary_path:
        with open(summary_path, "w") as out:
            out.write(summary + "\n")
    else:
        print(summary)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
