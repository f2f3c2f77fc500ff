#!/usr/bin/env python3
"""Builds a libFuzzer seed directory from capture files and raw seeds.

  make-seeds.py frames OUT SOURCE...   seeds for FuzzDecoders: up to 32 distinct frames of every
                                       capture file (each <= 4 KiB), the head of every capture file
                                       (the replay path), and raw seed files as they are
  make-seeds.py files OUT SOURCE...    seeds for FuzzPcapReader: every capture file cut at a record
                                       boundary to <= 64 KiB, and a big-endian rewrite of each (no
                                       public capture is big-endian, and libpcap swaps every field)

SOURCE is a file or a directory (searched recursively). Capture files are recognised by their magic
number, not their name; other files are taken only from a `fuzz-seeds` directory or named `*.bin`
(the corpus directory also holds manifests and tool output). Seeds are named by content hash, so
duplicates collapse.
"""
import hashlib
import os
import struct
import sys

FRAME_LIMIT = 4096
FILE_LIMIT = 65536
FRAMES_PER_FILE = 32
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def sources(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                for name in sorted(names):
                    yield os.path.join(root, name)
        elif os.path.isfile(path):
            yield path


def pcap_records(data):
    """(header bytes, endian, [(record header fields, frame)]) of a classic pcap, stopping at damage."""
    endian = PCAP_MAGICS[data[:4]]
    header = data[:24]
    records, offset = [], 24
    while offset + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[offset:offset + 16])
        if incl > 262144 or offset + 16 + incl > len(data):
            break
        records.append(((sec, frac, incl, orig), data[offset + 16:offset + 16 + incl]))
        offset += 16 + incl
    return header, endian, records


def pcapng_blocks(data):
    """[(type, body, endian)] of a pcapng file, stopping at damage."""
    blocks, offset, endian = [], 0, "<"
    while offset + 12 <= len(data):
        if data[offset:offset + 4] == PCAPNG_MAGIC and offset + 12 <= len(data):
            endian = "<" if data[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        kind, length = struct.unpack(endian + "II", data[offset:offset + 8])
        if length < 12 or length % 4 or offset + length > len(data):
            break
        blocks.append((kind, data[offset + 8:offset + length - 4], endian))
        offset += length
    return blocks


def frames(data):
    if data[:4] in PCAP_MAGICS:
        return [frame for _, frame in pcap_records(data)[2]]
    if data[:4] == PCAPNG_MAGIC:
        out = []
        for kind, body, endian in pcapng_blocks(data):
            if kind == 6 and len(body) >= 20:
                caplen = struct.unpack(endian + "I", body[12:16])[0]
                out.append(body[20:20 + caplen])
            elif kind == 3 and len(body) >= 4:
                out.append(body[4:])
        return out
    return []


def cut_pcap(data, limit):
    header, endian, records = pcap_records(data)
    out = bytearray(header)
    for fields, frame in records:
        if len(out) + 16 + len(frame) > limit:
            break
        out += struct.pack(endian + "IIII", *fields) + frame
    return bytes(out)


def big_endian_pcap(data):
    header, endian, records = pcap_records(data)
    magic, major, minor, zone, sigfigs, snaplen, network = struct.unpack(endian + "IHHiIII", header)
    out = bytearray(struct.pack(">IHHiIII", magic, major, minor, zone, sigfigs, snaplen, network))
    for fields, frame in records:
        out += struct.pack(">IIII", *fields) + frame
    return bytes(out)


def cut_pcapng(data, limit):
    out, offset = bytearray(), 0
    for kind, body, _ in pcapng_blocks(data):
        length = len(body) + 12
        if out and len(out) + length > limit:
            break
        out += data[offset:offset + length]
        offset += length
    return bytes(out)


def swap_options(options, endian):
    out, offset = bytearray(), 0
    while offset + 4 <= len(options):
        code, length = struct.unpack(endian + "HH", options[offset:offset + 4])
        padded = (length + 3) & ~3
        out += struct.pack(">HH", code, length) + options[offset + 4:offset + 4 + padded]
        offset += 4 + padded
        if code == 0:
            break
    return bytes(out)


def big_endian_pcapng(data):
    """Section header, interface description and packet blocks rewritten big-endian; other blocks dropped."""
    out = bytearray()
    for kind, body, endian in pcapng_blocks(data):
        if kind == 0x0A0D0D0A and len(body) >= 16:
            _, major, minor, section = struct.unpack(endian + "IHHq", body[:16])
            new = struct.pack(">IHHq", 0x1A2B3C4D, major, minor, section) + swap_options(body[16:], endian)
        elif kind == 1 and len(body) >= 8:
            link, reserved, snaplen = struct.unpack(endian + "HHI", body[:8])
            new = struct.pack(">HHI", link, reserved, snaplen) + swap_options(body[8:], endian)
        elif kind == 6 and len(body) >= 20:
            fields = struct.unpack(endian + "IIIII", body[:20])
            padded = (fields[3] + 3) & ~3
            new = struct.pack(">IIIII", *fields) + body[20:20 + padded] + swap_options(body[20 + padded:], endian)
        elif kind == 3 and len(body) >= 4:
            new = struct.pack(">I", struct.unpack(endian + "I", body[:4])[0]) + body[4:]
        else:
            continue
        out += struct.pack(">II", kind, len(new) + 12) + new + struct.pack(">I", len(new) + 12)
    return bytes(out)


def write(out, seed):
    if seed:
        with open(os.path.join(out, hashlib.sha1(seed).hexdigest()), "wb") as f:
            f.write(seed)


def main():
    mode, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for path in sources(paths):
        with open(path, "rb") as f:
            data = f.read()
        magic = data[:4]
        capture = magic in PCAP_MAGICS or magic == PCAPNG_MAGIC
        raw_seed = path.endswith(".bin") or "fuzz-seeds" in path.split(os.sep)
        if not capture and not raw_seed:
            continue
        if mode == "frames":
            write(out, data[:FRAME_LIMIT])
            if not capture:
                continue
            seen = set()
            for frame in frames(data):
                key = hashlib.sha1(frame[:FRAME_LIMIT]).digest()
                if key not in seen:
                    seen.add(key)
                    write(out, frame[:FRAME_LIMIT])
                if len(seen) >= FRAMES_PER_FILE:
                    break
        elif mode == "files":
            if not capture:
                write(out, data[:FILE_LIMIT])
            elif magic in PCAP_MAGICS:
                cut = cut_pcap(data, FILE_LIMIT)
                write(out, cut)
                write(out, big_endian_pcap(cut))
            else:
                cut = cut_pcapng(data, FILE_LIMIT)
                write(out, cut)
                write(out, big_endian_pcapng(cut))
        else:
            sys.exit("usage: make-seeds.py frames|files OUT SOURCE...")
    print(len(os.listdir(out)))


if __name__ == "__main__":
    main()
