#!/usr/bin/python3
"""Reads a lanscope exposition back with the parsers of python3-prometheus-client.

  check-exposition.py --format text|openmetrics --expected EXPECTED.json FILE
      Parses FILE and requires exactly the samples listed in EXPECTED.json (same names, labels
      and values, no extra series, none missing) and, when given, the HELP text of each family.
  check-exposition.py --compare TEXT_FILE OPENMETRICS_FILE
      Parses both files and requires the same samples from each.

EXPECTED.json: {"samples": [{"name": str, "labels": {str: str}, "value": str}],
                "help": {family_name: str}}   ("help" optional; values as float() reads them)
Exit status 0 when everything matches, 1 on a mismatch or a parse error, 2 on bad usage.
"""
import argparse
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    # strict: an exposition must be valid UTF-8
    return data.decode("utf-8")


def parse(path, fmt):
    parser = parse_openmetrics if fmt == "openmetrics" else parse_text
    families = list(parser(read_text(path)))
    samples = []
    helps = {}
    for family in families:
        name = family.name
        if fmt == "text" and family.type == "gauge" and name.endswith("_info"):
            name = name[: -len("_info")]
        helps[name] = family.documentation
        for s in family.samples:
            samples.append((s.name, tuple(sorted(s.labels.items())), float(s.value)))
    return samples, helps


def key(sample):
    name, labels, value = sample
    # value + 0.0 folds -0.0 into 0.0, which the encoder prints as 0
    return (name, labels, "NaN" if math.isnan(value) else repr(value + 0.0))


def compare_samples(actual, expected, what):
    problems = []
    actual_keys = sorted(map(key, actual))
    expected_keys = sorted(map(key, expected))
    if len(actual_keys) != len(set(actual_keys)):
        problems.append(f"{what}: duplicate series in parse result")
    missing = set(expected_keys) - set(actual_keys)
    extra = set(actual_keys) - set(expected_keys)
    for m in sorted(missing):
        problems.append(f"{what}: missing {m!r}")
    for e in sorted(extra):
        problems.append(f"{what}: unexpected {e!r}")
    if len(actual_keys) != len(expected_keys) and not missing and not extra:
        problems.append(f"{what}: {len(actual_keys)} samples parsed, {len(expected_keys)} expected")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", choices=["text", "openmetrics"])
    ap.add_argument("--expected")
    ap.add_argument("--compare", nargs=2, metavar=("TEXT_FILE", "OPENMETRICS_FILE"))
    ap.add_argument("file", nargs="?")
    args = ap.parse_args()

    try:
        if args.compare:
            text_samples, _ = parse(args.compare[0], "text")
            om_samples, _ = parse(args.compare[1], "openmetrics")
            problems = compare_samples(om_samples, text_samples, "openmetrics vs text")
            count = len(text_samples)
        elif args.format and args.expected and args.file:
            with open(args.expected, encoding="utf-8") as f:
                expected = json.load(f)
            want = [(s["name"], tuple(sorted(s["labels"].items())), float(s["value"])) for s in expected["samples"]]
            got, helps = parse(args.file, args.format)
            problems = compare_samples(got, want, args.format)
            for family, text in expected.get("help", {}).items():
                if family not in helps:
                    problems.append(f"{args.format}: family {family!r} not found")
                elif helps[family] != text:
                    problems.append(f"{args.format}: HELP of {family!r} reads back as {helps[family]!r}, expected {text!r}")
            count = len(got)
        else:
            ap.print_usage(sys.stderr)
            return 2
    except (ValueError, UnicodeDecodeError) as error:
        print(f"parse error: {error}", file=sys.stderr)
        return 1

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {count} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
