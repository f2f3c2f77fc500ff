#!/usr/bin/env bash
# libFuzzer campaigns, one per target, each for SECONDS:
#   FuzzDecoders    frames (<= 4 KiB) through every decoder; capture-file heads through the reader
#   FuzzPcapReader  whole capture files (<= 64 KiB, pcap either byte order, pcapng) through PcapFileReader,
#                   the frame decoder and the device registry, as `lanscope replay` reads them; classic
#                   pcap read by our reader, by libpcap alone and in small chunks must agree
#   FuzzHTTP        requests through the HTTP parser (whole vs split), the connection state machine fed
#                   in input-chosen chunks, and the router's percent-decoding
#   FuzzRoutes      raw requests through the service's HTTP handlers over the sample LAN (filters,
#                   MACs, durations, Accept/Accept-Encoding negotiation)
#   FuzzTLS         the TLS adapter over a socket pair: requests as application data behind a real
#                   OpenSSL client's records (TLS 1.2/1.3), or raw bytes where a ClientHello belongs
#   Tests/Fuzz/run.sh SECONDS [TARGET...]   (make fuzz-smoke: 20 s each; make fuzz: FUZZ_SECONDS, 600)
# Seeds: our fixtures (crafted frames, hostile.pcap, the sample LAN) and the public captures in
# $CORPUS (default ../shared/pcaps) cut into frames or files by make-seeds.py, big-endian rewrites
# included. New corpus entries go to a scratch dir; crashers to fuzz-artifacts/ (kept out of git) —
# minimise one and commit it as a regression fixture + test. Each target's summary line (executions,
# coverage, corpus) is printed and kept in fuzz-artifacts/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzDecoders FuzzPcapReader FuzzHTTP FuzzRoutes FuzzTLS)
corpus=${CORPUS:-$(cd .. && pwd)/shared/pcaps}
python=/usr/bin/python3
build=.build-fuzz
# SwiftPM 6.3 passes repeated --sanitize as separate -sanitize= flags and only one of them reaches the
# Swift compiler (which one varies), so name both sanitizers and the coverage counters libFuzzer needs
# to swiftc directly; the separate scratch path keeps uninstrumented release objects out.
flags=(-c release --scratch-path "$build" --sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize=fuzzer,address
       -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table)

for name in "${targets[@]}"; do
    echo "fuzz: building $name (release, ASan, libFuzzer)"
    swift build "${flags[@]}" --product "$name"
done
bin=$(swift build "${flags[@]}" --show-bin-path)

# Sources of seeds per target; the public corpus joins when it is present.
capture_sources=(Tests/LanscopeServiceTests/Fixtures deploy/samples)
[ -d "$corpus" ] && capture_sources+=("$corpus") || echo "fuzz: no public corpus at $corpus (set CORPUS); fixtures only"

mkdir -p fuzz-artifacts
: > fuzz-artifacts/summary.txt
status=0
for name in "${targets[@]}"; do
    work=$(mktemp -d)
    case $name in
        FuzzDecoders)
            count=$($python Tests/Fuzz/make-seeds.py frames "$work" Tests/PacketDecodingTests/Fixtures/fuzz-seeds "${capture_sources[@]}")
            max_len=4096 ;;
        FuzzPcapReader)
            count=$($python Tests/Fuzz/make-seeds.py files "$work" "${capture_sources[@]}")
            max_len=65536 ;;
        FuzzHTTP)
            find Tests/HTTPServerTests/Fixtures/fuzz-seeds -type f -exec cp {} "$work/" \;
            count=$(ls "$work" | wc -l)
            max_len=4096 ;;
        FuzzRoutes)
            find Tests/LanscopeServiceTests/Fixtures/fuzz-routes Tests/HTTPServerTests/Fixtures/fuzz-seeds -type f -exec cp {} "$work/" \;
            count=$(ls "$work" | wc -l)
            max_len=4096 ;;
        FuzzTLS)
            # A throwaway certificate for the server side, and seeds: each HTTP seed as application data
            # over TLS 1.3 (mode byte 0) and 1.2 (2), and as raw bytes (1); plus a real ClientHello.
            # (Outside $work: libFuzzer reads corpus directories recursively.)
            export LANSCOPE_FUZZ_TLS_DIR=$(mktemp -d)
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=fuzz \
                -keyout "$LANSCOPE_FUZZ_TLS_DIR/key.pem" -out "$LANSCOPE_FUZZ_TLS_DIR/cert.pem" 2>/dev/null
            chmod 600 "$LANSCOPE_FUZZ_TLS_DIR/key.pem"
            for seed in Tests/HTTPServerTests/Fixtures/fuzz-seeds/*; do
                for mode in 00 02 01; do
                    { printf "\\x$mode"; cat "$seed"; } > "$work/$mode-$(basename "$seed")"
                done
            done
            { printf '\x01'; $python Tests/Fuzz/client-hello.py; } > "$work/01-client-hello" || rm -f "$work/01-client-hello"
            count=$(ls "$work" | wc -l)
            max_len=4096 ;;
        *) echo "fuzz: unknown target $name"; exit 2 ;;
    esac
    echo "fuzz: $name for ${seconds}s with $count seeds (max_len $max_len)"
    if ! "$bin/$name" "$work" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="fuzz-artifacts/$name-" -print_final_stats=1 2> "fuzz-artifacts/$name.log"; then
        echo "fuzz: $name FOUND A CRASH — see fuzz-artifacts/$name.log"; tail -40 "fuzz-artifacts/$name.log"; status=1
    else
        executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-artifacts/$name.log")
        last=$(grep -E '^#[0-9]+' "fuzz-artifacts/$name.log" | tail -1)
        line="$name: ${seconds}s, $executions executions, $(sed -E 's/^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+//' <<< "$last")"
        echo "fuzz: $line" | tee -a fuzz-artifacts/summary.txt
    fi
    rm -rf "$work" ${LANSCOPE_FUZZ_TLS_DIR:+"$LANSCOPE_FUZZ_TLS_DIR"}
    unset LANSCOPE_FUZZ_TLS_DIR
done
exit $status
