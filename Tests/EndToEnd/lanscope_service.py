"""Driving the lanscope binary from the end-to-end suite: where it is, starting `lanscope run` inside
the gateway namespace, readiness, scraping `/metrics` and `/devices.json` on that namespace's
loopback, stopping it, and reading what BPF programs are attached to the gateway's LAN port.
"""
import json
import os
import re
import signal
import subprocess
import time

from prometheus_client.parser import text_string_to_metric_families

import lan as lanmod

REPO = os.path.dirname(os.path.dirname(lanmod.HERE))
COUNTER_NAMES = ("lanscope_device_transmitted_packets_total", "lanscope_device_transmitted_bytes_total",
                 "lanscope_device_received_packets_total", "lanscope_device_received_bytes_total")


STARTED = []  # every Lanscope started in this run, so a failing test can show their logs


def binary_path():
    return os.environ.get("LANSCOPE_BIN") or os.path.join(REPO, ".build", "debug", "lanscope")


class LanscopeError(Exception):
    """lanscope did not behave as its contract says; the message carries the tail of its log."""


class Lanscope:
    """One `lanscope run` process in the gateway namespace."""

    def __init__(self, lan, name, backend, port, mode="gateway"):
        self.lan = lan
        self.name = name
        self.backend = backend
        self.port = port
        self.mode = mode
        self.db = os.path.join(lan.workdir, f"{name}.db")
        self.log_path = os.path.join(lan.workdir, f"{name}.stderr")
        self.process = None
        self.extra_args = []

    def start(self, timeout=90):
        binary = binary_path()
        if not os.access(binary, os.X_OK):
            raise LanscopeError(f"lanscope binary not found or not executable: {binary} (set LANSCOPE_BIN)")
        self.process = self.lan.spawn(self.name, [
            binary, "run", "--interface", lanmod.GW_IF, "--mode", self.mode, "--backend", self.backend,
            "--listen", f"127.0.0.1:{self.port}", "--db", self.db, "--log-level", "debug", *self.extra_args,
        ], ns=self.lan.gw_ns, log=self.log_path)
        STARTED.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LanscopeError(f"{self.name} exited with {self.process.returncode} before ready:\n{self.log()}")
            status, _ = self.get("/-/ready", check=False)
            if status == 200:
                return self
            time.sleep(0.25)
        raise LanscopeError(f"{self.name} not ready within {timeout}s:\n{self.log()}")

    def log(self, tail=6000):
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()[-tail:]
        except OSError:
            return ""

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and waits for the exit; returns the exit status (None if it had to be killed)."""
        if self.process is None:
            return None
        process = self.process
        self.lan.processes.pop(self.name, None)
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
                return None
        return process.returncode

    # HTTP on the gateway namespace's loopback.

    def get(self, path, check=True, timeout=10):
        done = self.lan.run(["curl", "-sS", "--max-time", str(timeout), "-w", "\n%{http_code}",
                             f"http://127.0.0.1:{self.port}{path}"], ns=self.lan.gw_ns, check=False,
                            timeout=timeout + 5)
        body, _, status = done.stdout.rpartition("\n")
        code = int(status) if status.isdigit() else 0
        if check and code != 200:
            raise LanscopeError(f"GET {path} on {self.name}: status {code} {done.stderr}\n{self.log()}")
        return code, body

    def metric_samples(self):
        _, body = self.get("/metrics")
        samples = []
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                samples.append((sample.name, dict(sample.labels), sample.value))
        return samples

    def device_counters(self):
        """{mac: (transmitted packets, transmitted bytes, received packets, received bytes)} from /metrics."""
        counters = {}
        for name, labels, value in self.metric_samples():
            if name in COUNTER_NAMES and "mac" in labels:
                row = counters.setdefault(labels["mac"].lower(), [0, 0, 0, 0])
                row[COUNTER_NAMES.index(name)] = int(value)
        return {mac: tuple(row) for mac, row in counters.items()}

    def dropped(self):
        """{reason: frames} from lanscope_capture_dropped_total, to tell a lost frame from a miscounted one."""
        return {labels.get("reason", ""): int(value) for name, labels, value in self.metric_samples()
                if name == "lanscope_capture_dropped_total"}

    def devices(self):
        _, body = self.get("/devices.json")
        devices = json.loads(body)
        if not isinstance(devices, list):
            raise LanscopeError(f"/devices.json is not an array: {body[:200]}")
        return {str(d.get("mac", "")).lower(): d for d in devices}


def counter_deltas(before, after):
    deltas = {}
    for mac, values in after.items():
        base = before.get(mac, (0, 0, 0, 0))
        delta = tuple(a - b for a, b in zip(values, base))
        if any(delta):
            deltas[mac] = delta
    return deltas


def attached_programs(lan):
    """What is attached to the gateway's LAN port: XDP program ids, tc egress/ingress bpf filters, tcx counts."""
    link = lan.run(["ip", "-d", "link", "show", "dev", lanmod.GW_IF], ns=lan.gw_ns).stdout
    xdp_ids = re.findall(r"prog/xdp\w* id (\d+)", link)
    tc = {}
    for direction in ("egress", "ingress"):
        shown = lan.run(["tc", "filter", "show", "dev", lanmod.GW_IF, direction], ns=lan.gw_ns, check=False).stdout
        # A bpf filter prints a header line and a line naming its program ("... id N name ..."); count programs.
        tc[direction] = sorted({program for line in shown.splitlines() if " bpf " in f" {line} "
                                for program in re.findall(r"\bid (\d+)", line)})
    tcx = {}
    query = lan.run([lanmod.PYTHON, lanmod.LANTOOL, "tcx-query", "--interface", lanmod.GW_IF], ns=lan.gw_ns).stdout
    for line in query.splitlines():
        direction, count = line.split()
        tcx[direction] = int(count)
    return {"xdp": xdp_ids, "xdp_text": link, "tc": tc, "tcx": tcx}
