# Shell functions shared by the HTTP benchmarks (bench-http.sh, bench-tls.sh); sourced, not run.
# They read the calling script's `connections`, `threads`, `duration` and `workdir`.

stop() { # pid: terminate one server the benchmark started, and reap it
    [[ -n "$1" ]] || return 0
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# wrk output -> "req_per_sec errors" (errors = socket errors + non-2xx/3xx responses).
summarise() {
    awk '
        /^Requests\/sec:/ { rps = $2 }
        /Socket errors:/ { gsub(",", ""); for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) errors += $i }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        END { printf "%s %d\n", (rps == "" ? "0" : rps), errors }
    ' "$1"
}

run_wrk() { # name url [wrk options...] -> "req_per_sec errors"; wrk's output kept in $workdir/name.txt
    local name=$1 url=$2
    shift 2
    wrk -c "$connections" -t "$threads" -d "$duration" "$@" "$url" > "$workdir/$name.txt"
    summarise "$workdir/$name.txt"
}
