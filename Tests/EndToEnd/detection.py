"""Helpers for `DetectionTests`: the detection config the suite runs with, reading events from
`/alerts.json` and `/metrics`, the real attack tools, and the ops path (a real Prometheus with the
shipped alerting rules, a real Alertmanager, and a webhook receiver), all inside the gateway namespace
so they reach lanscope on that namespace's loopback.
"""
import glob
import json
import os
import shutil
import time

import lan as lanmod
import lanscope_service as svc

# Every value is one of lanscope's defaults shortened so the whole class runs in minutes; the logic
# (thresholds, learning, baselines, rhythms) is the default one. The README's "Anomaly detection"
# table gives the defaults.
DETECTION_CONFIG = """\
# Written by the end-to-end suite (Tests/EndToEnd/detection.py); unlisted keys keep their defaults.

[general]
# Default 24h. The namespace LAN is fully discovered (DHCP renewals, mDNS, traffic) within seconds of
# the start; 20s of learning still proves that what was seen then raises no new_device later.
learning_period = 20s

[port_scan]
# Default 5m. Lets the SYN scan end (closing event) before the connect scan starts a second episode.
quiet_period = 20s

[arp_sweep]
# Default 5m, shortened for the same reason (one episode per sweep, within the class's time).
quiet_period = 20s

[rogue_dhcp]
# Default 10m from the first server message. The gateway's dnsmasq answers the renewals the suite
# forces right after the start, so 30s is enough to learn it; the rogue starts minutes later.
learning_window = 30s

[rogue_ra]
# As rogue_dhcp. This LAN has no legitimate router advertisements at all.
learning_window = 30s

[traffic_spike]
# Default 30 ticks (5 min at one tick per 10 s) of baseline; 6 ticks (1 min) of the devices'
# ordinary traffic already give the EWMA a level well under the 1 MB/s floor, which stays at default.
warmup_ticks = 6

[device_offline]
# Default 15m. The devices here check in every 2 s (a pinger), so their learned rhythm is one tick
# and the multiplier (4, default) makes the real threshold max(20 s, 4 x 10 s) = 40 s.
minimum_silence = 20s
"""


def write_config(workdir):
    path = os.path.join(workdir, "detection.conf")
    with open(path, "w") as out:
        out.write(DETECTION_CONFIG)
    return path


def events(instance):
    """Every event in /alerts.json, oldest first."""
    _, body = instance.get("/alerts.json")
    decoded = json.loads(body)
    if not isinstance(decoded, list):
        raise svc.LanscopeError(f"/alerts.json is not an array: {body[:200]}")
    return decoded


def is_closing(event):
    return (event.get("details") or {}).get("phase") == "end"


def describe(evs):
    return "\n".join(f"  {e.get('kind')} {e.get('severity')} mac={e.get('mac')} related={e.get('related_macs')} "
                     f"end={e.get('end_time')} {e.get('summary')}" for e in evs) or "  (none)"


def anomaly_metrics(instance):
    """({(kind, severity): count} from lanscope_anomalies_total, {(kind, mac): value} of lanscope_anomaly_active)."""
    totals, active = {}, {}
    for name, labels, value in instance.metric_samples():
        if name == "lanscope_anomalies_total":
            totals[(labels.get("kind"), labels.get("severity"))] = value
        elif name == "lanscope_anomaly_active":
            active[(labels.get("kind"), labels.get("mac", "").lower())] = value
    return totals, active


def free_port(lan, base):
    """A loopback TCP port in the gateway namespace nothing listens on, from `base` upwards."""
    listening = lan.run(["ss", "-Hltn"], ns=lan.gw_ns).stdout
    for port in range(base, base + 50):
        if f":{port} " not in listening:
            return port
    raise lanmod.LanError(f"no free port from {base} in the gateway namespace")


class OpsStack:
    """Prometheus (shipped rules) -> Alertmanager -> webhook receiver, on the gateway namespace's loopback."""

    def __init__(self, lan, targets):
        self.lan = lan
        self.dir = os.path.join(lan.workdir, "ops")
        os.makedirs(self.dir, exist_ok=True)
        self.targets = targets  # {sensor label: lanscope port}
        self.hook_out = os.path.join(self.dir, "webhook.jsonl")
        self.prom_port = self.am_port = self.hook_port = None

    @staticmethod
    def missing():
        missing = [tool for tool in ("prometheus", "prometheus-alertmanager") if not shutil.which(tool)]
        return missing

    def start(self):
        lan = self.lan
        self.hook_port = free_port(lan, 9300)
        lan.spawn("ops-webhook", [lanmod.PYTHON, lanmod.LANTOOL, "webhook", "--port", str(self.hook_port),
                                  "--out", self.hook_out], ns=lan.gw_ns)
        self.am_port = free_port(lan, 9350)
        with open(os.path.join(self.dir, "alertmanager.yml"), "w") as out:
            out.write(f"""route:
  receiver: test
  group_by: [alertname, mac]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: http://127.0.0.1:{self.hook_port}/lanscope
""")
        lan.spawn("ops-alertmanager", [
            "prometheus-alertmanager", f"--config.file={self.dir}/alertmanager.yml",
            f"--storage.path={self.dir}/am", f"--web.listen-address=127.0.0.1:{self.am_port}",
            "--cluster.listen-address=", "--log.level=warn"], ns=lan.gw_ns)
        self.prom_port = free_port(lan, 9400)
        rules = sorted(glob.glob(os.path.join(svc.REPO, "alerting-rules", "*.yml")))
        targets = "\n".join(f"      - targets: ['127.0.0.1:{port}']\n        labels:\n          sensor: {sensor}"
                            for sensor, port in self.targets.items())
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as out:
            out.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
{chr(10).join(f'  - {path}' for path in rules)}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:{self.am_port}']
scrape_configs:
  - job_name: lanscope
    static_configs:
{targets}
""")
        lan.spawn("ops-prometheus", [
            "prometheus", f"--config.file={self.dir}/prometheus.yml", f"--storage.tsdb.path={self.dir}/data",
            f"--web.listen-address=127.0.0.1:{self.prom_port}", "--log.level=warn"], ns=lan.gw_ns)
        return self

    def query(self, expr):
        return lanmod.prometheus_query(self.lan, self.lan.gw_ns, self.prom_port, expr)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            up = self.query('count(up{job="lanscope"} == 1)')
            if up and up[0]["value"][1] == str(len(self.targets)):
                return True
            time.sleep(1)
        return False

    def deliveries(self):
        """Every alert the webhook received: [(status, labels)]."""
        alerts = []
        try:
            with open(self.hook_out) as hook:
                for line in hook:
                    try:
                        payload = json.loads(line)
                    except ValueError:
                        continue
                    for alert in payload.get("alerts", []):
                        alerts.append((alert.get("status"), alert.get("labels", {}), alert.get("annotations", {})))
        except OSError:
            pass
        return alerts

    def logs(self):
        return "\n".join(f"--- {name} ---\n{self.lan.log_of(name)}"
                         for name in ("ops-prometheus", "ops-alertmanager", "ops-webhook"))

    def stop(self):
        for name in ("ops-prometheus", "ops-alertmanager", "ops-webhook"):
            self.lan.stop(name)
