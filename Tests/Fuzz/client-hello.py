#!/usr/bin/env python3
"""Prints one real ClientHello record (a FuzzTLS seed): `openssl s_client` connects to a loopback
listener of ours, which keeps the first TLS record it sends (RFC 8446 §5.1) and hangs up."""
import socket
import subprocess
import sys

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
listener.settimeout(5)
port = listener.getsockname()[1]
client = subprocess.Popen(
    ["openssl", "s_client", "-connect", f"127.0.0.1:{port}"],
    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    connection, _ = listener.accept()
    connection.settimeout(5)
    record = b""
    while len(record) < 5 or len(record) < 5 + int.from_bytes(record[3:5], "big"):
        chunk = connection.recv(4096)
        if not chunk:
            sys.exit("ClientHello cut short")
        record += chunk
    connection.close()
    sys.stdout.buffer.write(record)
finally:
    client.kill()
    client.wait()
