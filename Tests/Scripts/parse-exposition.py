#!/usr/bin/python3
"""Parses a Prometheus exposition with python3-prometheus-client (an independent implementation) and
prints every sample as JSON: [{"name": ..., "labels": {...}, "value": ...}, ...] sorted, plus the
family names and types. Usage: parse-exposition.py text|openmetrics FILE
Exits 1 with the parser's message when the exposition does not parse."""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    parser = parse_openmetrics if fmt == "openmetrics" else parse_text
    try:
        families = list(parser(text))
    except Exception as e:  # the parser's own error is the message we want
        print(f"parse error: {e}", file=sys.stderr)
        return 1
    samples = []
    for fam in families:
        for s in fam.samples:
            v = s.value
            samples.append({"name": s.name, "labels": dict(sorted(s.labels.items())),
                            "value": "NaN" if math.isnan(v) else v})
    samples.sort(key=lambda s: (s["name"], json.dumps(s["labels"], sort_keys=True)))
    out = {"families": sorted({f.name: f.type for f in families}.items()), "samples": samples}
    json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
