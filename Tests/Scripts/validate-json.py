#!/usr/bin/python3
"""Validates JSON documents against lanscope's schemas (docs/schema/*.schema.json, JSON Schema draft
2020-12) with python3-jsonschema. Every schema is first checked against the draft's metaschema; $refs
between the files resolve by their $id, offline.
Usage: validate-json.py SCHEMA_DIR SCHEMA_FILE DOCUMENT...   (exit 1, one line per error, on failure)"""
import glob
import json
import os
import sys

import warnings

import jsonschema

# RefResolver is deprecated in newer jsonschema releases but is what Debian 12's 4.10 offers.
warnings.filterwarnings("ignore", category=DeprecationWarning)

schema_dir, schema_file, documents = sys.argv[1], sys.argv[2], sys.argv[3:]
store = {}
for path in sorted(glob.glob(os.path.join(schema_dir, "*.schema.json"))):
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    store[schema["$id"]] = schema
with open(os.path.join(schema_dir, schema_file)) as f:
    schema = json.load(f)
resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
validator = jsonschema.Draft202012Validator(
    schema, resolver=resolver, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
errors = 0
for document in documents:
    with open(document) as f:
        instance = json.load(f)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        errors += 1
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{document}: {where}: {error.message[:300]}")
    if not errors and not instance and instance != 0:
        print(f"{document}: empty document", file=sys.stderr)
print(f"validate-json: {len(documents)} document(s) against {schema_file}: {errors} error(s)")
sys.exit(1 if errors else 0)
