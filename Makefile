# lanscope workflow. `make` lists the targets.
SWIFT ?= swift
CORPUS ?= $(abspath ../shared/pcaps)
FUZZ_SECONDS ?= 600
FUZZ_BUILD := .build-fuzz
PREFIX ?= /usr/local
DESTDIR ?=
GENERATED := .build/generated

.DEFAULT_GOAL := help
.PHONY: help deps deps-test build release docs install uninstall test-install deb test-deb run test test-privileged test-e2e bench bench-replay bench-http bench-bpf bench-detect bench-history bench-top \
        evaluate fuzz fuzz-smoke checkmetrics checkrules checkconfigs walkthrough lint format sample-captures clean

help: ## list targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## install what building and running need (idempotent; needs root)
	bash .ci/install-deps.sh

deps-test: ## install the test lab: tshark, Prometheus, Alertmanager, dnsmasq, nmap, wrk... (idempotent; root)
	bash .ci/install-deps.sh --test

build: ## debug build (the BPF object is compiled and embedded by the build plugin)
	$(SWIFT) build

release: ## optimised build with the Swift runtime linked in: .build/release/lanscope (runs without Swift)
	$(SWIFT) build -c release --product lanscope --static-swift-stdlib

docs: release ## man page and bash/zsh/fish completions from the argument parser, into .build/generated
	SWIFT=$(SWIFT) bash deploy/generate-docs.sh .build/release/lanscope $(GENERATED)

install: docs ## install under $(DESTDIR)$(PREFIX) (default /usr/local): binary, unit, man page, completions, examples
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) bash deploy/install.sh install .build/release/lanscope $(GENERATED)

uninstall: ## remove what make install put under $(DESTDIR)$(PREFIX) (keeps the defaults file)
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) bash deploy/install.sh uninstall

test-install: docs ## make install into a temporary DESTDIR, check the tree and the unit's paths, uninstall
	bash Tests/Scripts/install-test.sh .build/release/lanscope $(GENERATED)

deb: docs ## Debian package .build/deb/lanscope_VERSION_ARCH.deb (dpkg-deb; runs without Swift)
	bash deploy/debian/build-deb.sh .build/release/lanscope $(GENERATED) .build/deb

test-deb: deb ## install the package in a clean Debian root (debootstrap, cached) and run check + a replay in it
	bash Tests/Scripts/deb-test.sh .build/deb

run: ## replay the bundled sample LAN and serve it on http://127.0.0.1:9184 (no root needed)
	$(SWIFT) run lanscope run --pcap deploy/samples/lan.pcap --listen 127.0.0.1:9184 --db $${TMPDIR:-/tmp}/lanscope-sample.db

test: ## all tests; privileged suites (BPF, namespaces) run as root and report a skip otherwise
	LANSCOPE_PCAP_CORPUS=$(CORPUS) $(SWIFT) test

test-privileged: ## every privileged suite (named *PrivilegedTests), with skipping turned into failure
	LANSCOPE_REQUIRE_PRIVILEGED=1 LANSCOPE_PCAP_CORPUS=$(CORPUS) $(SWIFT) test --filter 'PrivilegedTests'

test-e2e: ## end-to-end in network namespaces (root): real dnsmasq, DHCP clients, mDNS, tcpreplay
	LANSCOPE_REQUIRE_PRIVILEGED=1 bash Tests/EndToEnd/run.sh

evaluate: ## classifier on the labelled capture set: per-field accuracy (train / held-out), type confusion, cost
	LANSCOPE_PCAP_CORPUS=$(CORPUS) LANSCOPE_EVALUATION_REPORT=$(abspath .build)/classifier-evaluation.txt \
		$(SWIFT) test --filter ClassifierEvaluationTests >/dev/null || { $(SWIFT) test --skip-build --filter ClassifierEvaluationTests; exit 1; }
	@cat .build/classifier-evaluation.txt

bench: release ## every benchmark (replay, HTTP, BPF), ratios against references, then a summary table
	bash Tests/Benchmarks/bench-all.sh

bench-replay: release ## replay throughput vs `tcpdump -r FILE -w /dev/null`
	bash Tests/Benchmarks/bench-replay.sh

.PHONY: bench-discovery
bench-discovery: release ## replay of 1M frames, 20% discovery (DNS/ARP/mDNS/DHCP), 2,000 devices vs tcpdump; stage breakdown
	MIX=discovery bash Tests/Benchmarks/bench-replay.sh

bench-http: release ## /-/healthy and /metrics vs prometheus-node-exporter under wrk; render times at 10k devices
	bash Tests/Benchmarks/bench-http.sh

bench-detect: release ## replay time with every detector vs classifier + new_device only; peak RSS and state caps under a 100k-MAC flood
	bash Tests/Benchmarks/bench-detect.sh

.PHONY: bench-tls
bench-tls: release ## HTTPS /-/healthy and /metrics vs prometheus-node-exporter with the same certificate; handshakes/s
	bash Tests/Benchmarks/bench-tls.sh

bench-top: release ## `lanscope top` at 10,000 devices: redraw time by phase, CPU share at a 1 s refresh (tmux)
	bash Tests/Benchmarks/bench-top.sh

bench-bpf: release ## BPF per-packet cost (BPF_PROG_TEST_RUN) vs a trivial XDP_PASS; map read cost (root)
	bash Tests/Benchmarks/bench-bpf.sh

bench-history: ## live history: CPU per 10 s interval at 10,000 devices, bytes per device per day over a simulated month
	$(SWIFT) build -c release --product HistoryBench
	.build/release/HistoryBench

fuzz: ## libFuzzer campaign, FUZZ_SECONDS (600) per target, seeded from CORPUS; FUZZ_TARGETS to pick
	CORPUS=$(CORPUS) bash Tests/Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: ## short fuzz run per target (CI): 20 s each
	CORPUS=$(CORPUS) bash Tests/Fuzz/run.sh 20

checkmetrics: ## promtool check metrics on the golden /metrics
	promtool check metrics < Tests/LanscopeServiceTests/Golden/metrics.prom

checkrules: ## promtool check/test the shipped alerting rules
	promtool check rules alerting-rules/*.yml
	promtool test rules alerting-rules/tests/*.yml

checkconfigs: ## promtool/amtool on every shipped Prometheus, Alertmanager and compose configuration, and the rules
	bash Tests/Scripts/check-configs.sh

walkthrough: build ## README "Prometheus, Grafana and alerts in ten minutes", followed by a script (root: own netns)
	bash Tests/Scripts/walkthrough.sh .build/debug/lanscope

lint: ## swift format lint (strict)
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format: ## swift format in place
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

sample-captures: ## regenerate deploy/samples/lan.pcap and the hostile fixture (python3-scapy)
	/usr/bin/python3 Tests/Scripts/make_sample_captures.py

clean: ## remove the build directories (debug, release, fuzz)
	rm -rf .build $(FUZZ_BUILD)
