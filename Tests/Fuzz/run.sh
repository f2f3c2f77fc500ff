#!/usr/bin/env bash
# libFuzzer runs over the packet decoders (+ the pcap reader), the HTTP transport (request parser,
# connection state machine, router) and the service's HTTP API (filters, MACs, durations, negotiation).
#   Tests/Fuzz/run.sh SECONDS     (make fuzz-smoke runs 20 s per target; make fuzz FUZZ_SECONDS=600)
# Seeds are our own crafted frames/requests; new corpus entries go to a scratch dir, crashers to
# fuzz-artifacts/ (kept out of git) — minimise one and commit it as a regression fixture + test.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
build=.build-fuzz
# SwiftPM 6.3 passes repeated --sanitize as separate -sanitize= flags and only one of them reaches the
# Swift compiler (which one varies), so name both sanitizers and the coverage counters libFuzzer needs
# to swiftc directly; the separate scratch path keeps uninstrumented release objects out.
flags=(-c release --scratch-path "$build" --sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize=fuzzer,address
       -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table)

echo "fuzz: building FuzzDecoders, FuzzHTTP and FuzzRoutes (release, ASan, libFuzzer)"
swift build "${flags[@]}" --product FuzzDecoders
swift build "${flags[@]}" --product FuzzHTTP
swift build "${flags[@]}" --product FuzzRoutes
bin=$(swift build "${flags[@]}" --show-bin-path)

mkdir -p fuzz-artifacts
status=0
# target:seed-dir[,seed-dir...]
for target in FuzzDecoders:Tests/PacketDecodingTests/Fixtures \
              FuzzHTTP:Tests/HTTPServerTests/Fixtures/fuzz-seeds \
              FuzzRoutes:Tests/LanscopeServiceTests/Fixtures/fuzz-routes,Tests/HTTPServerTests/Fixtures/fuzz-seeds; do
    name=${target%%:*}
    seeds=${target#*:}
    work=$(mktemp -d)
    for dir in ${seeds//,/ }; do find "$dir" -type f -exec cp {} "$work/" \;; done
    echo "fuzz: $name for ${seconds}s with $(ls "$work" | wc -l) seeds"
    if ! "$bin/$name" "$work" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="fuzz-artifacts/$name-" -print_final_stats=1 2> "fuzz-artifacts/$name.log"; then
        echo "fuzz: $name FOUND A CRASH — see fuzz-artifacts/$name.log"; tail -40 "fuzz-artifacts/$name.log"; status=1
    else
        grep -E 'stat::number_of_executed_units|cov:' "fuzz-artifacts/$name.log" | tail -2
    fi
    rm -rf "$work"
done
exit $status
