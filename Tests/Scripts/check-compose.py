#!/usr/bin/python3
"""Validates deploy/compose.yml as far as a machine without a container engine allows: it parses as
YAML with the expected services; every file or directory it bind-mounts exists; the Prometheus and
Alertmanager configurations it mounts pass promtool/amtool once laid out at their container paths (so
relative rule_files resolve as they will in the container); Grafana's dashboard provider path is a mount
of dashboards/; lanscope runs with the host's network and the capabilities the systemd unit grants.
Usage: check-compose.py REPO_ROOT   (exit 1 and a line per problem on failure)"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
deploy = os.path.join(root, "deploy")
problems = []
checks = 0


def check(ok, message):
    global checks
    checks += 1
    if not ok:
        problems.append(message)


with open(os.path.join(deploy, "compose.yml")) as f:
    compose = yaml.safe_load(f)
services = compose.get("services", {})
check(set(services) >= {"lanscope", "prometheus", "alertmanager", "grafana"}, f"services: {sorted(services)}")
named_volumes = set((compose.get("volumes") or {}).keys())


def binds(service):
    """(host path, container path) for each bind mount; named volumes must be declared."""
    out = []
    for volume in services[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            host = os.path.normpath(os.path.join(deploy, source))
            check(os.path.exists(host), f"{service}: mounts {source}, which does not exist")
            out.append((host, target))
        else:
            check(source in named_volumes, f"{service}: volume {source} is not declared")
    return out


def lay_out(service, directory):
    """Copies a service's bind mounts to their container paths under directory."""
    for host, target in binds(service):
        destination = directory + target
        if os.path.isdir(host):
            shutil.copytree(host, destination, dirs_exist_ok=True)
        elif os.path.exists(host):
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy(host, destination)


def run(tool, *arguments):
    result = subprocess.run([tool, *arguments], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


with tempfile.TemporaryDirectory() as scratch:
    # Prometheus: its config and rules where the container sees them.
    lay_out("prometheus", scratch + "/prometheus")
    command = services["prometheus"].get("command", [])
    config = next((c.split("=", 1)[1] for c in command if c.startswith("--config.file=")), None)
    check(config is not None, "prometheus: no --config.file")
    if config:
        status, out = run("promtool", "check", "config", scratch + "/prometheus" + config)
        check(status == 0, f"prometheus: promtool check config failed:\n{out}")
        check("1 rule files found" in out, f"prometheus: the mounted config loads no rules:\n{out}")

    lay_out("alertmanager", scratch + "/alertmanager")
    command = services["alertmanager"].get("command", [])
    config = next((c.split("=", 1)[1] for c in command if c.startswith("--config.file=")), None)
    check(config is not None, "alertmanager: no --config.file")
    if config:
        status, out = run("amtool", "check-config", scratch + "/alertmanager" + config)
        check(status == 0, f"alertmanager: amtool check-config failed:\n{out}")

    # Grafana: the provider's path is where dashboards/ is mounted, and the data source is Prometheus.
    lay_out("grafana", scratch + "/grafana")
    providers = yaml.safe_load(open(scratch + "/grafana/etc/grafana/provisioning/dashboards/lanscope.yml"))
    path = providers["providers"][0]["options"]["path"]
    dashboards = [f for f in os.listdir(os.path.join(root, "dashboards")) if f.endswith(".json")]
    check(
        dashboards and all(os.path.exists(scratch + "/grafana" + path + "/" + f) for f in dashboards),
        f"grafana: the dashboard provider reads {path}, where dashboards/ is not mounted")
    sources = yaml.safe_load(open(scratch + "/grafana/etc/grafana/provisioning/datasources/lanscope.yml"))
    url = sources["datasources"][0]["url"]
    port = re.search(r"--web.listen-address=[\d.]*:(\d+)", " ".join(services["prometheus"]["command"]))
    check(port is not None and url.endswith(":" + port.group(1)), f"grafana: data source {url} is not Prometheus")

# lanscope: host network, and the capabilities the unit grants.
lanscope = services["lanscope"]
check(lanscope.get("network_mode") == "host", "lanscope: needs network_mode: host")
unit = open(os.path.join(deploy, "lanscope.service")).read()
granted = set(re.search(r"^CapabilityBoundingSet=(.*)$", unit, re.M).group(1).replace("CAP_", "").split())
check(granted <= set(lanscope.get("cap_add", [])), f"lanscope: cap_add {lanscope.get('cap_add')} lacks {granted}")
dockerfile = os.path.join(deploy, lanscope["build"]["context"], lanscope["build"]["dockerfile"])
check(os.path.exists(dockerfile), f"lanscope: build file {dockerfile} missing")
scraped = re.search(r"job_name: lanscope\n.*?targets: \['localhost:(\d+)'\]", open(os.path.join(deploy, "prometheus/prometheus.yml")).read(), re.S)
check(
    scraped is not None and any(f":{scraped.group(1)}" in c for c in lanscope.get("command", [])),
    "lanscope: does not listen where the shipped Prometheus configuration scrapes")

for problem in problems:
    print("check-compose: FAIL:", problem)
print(f"check-compose: {checks - len(problems)} checks passed, {len(problems)} failed")
sys.exit(1 if problems else 0)
