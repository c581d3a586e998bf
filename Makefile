# Makefile: shortcuts for the checks and benchmarks (see bench/README.md).

.PHONY: test bench loadtest

test:
	go vet ./...
	go test -race ./...

# bench reruns every benchmark of issue 7 and the Node.js comparison;
# COUNT=10 and OUT=dir can be set on the command line.
bench:
	scripts/bench.sh

# loadtest measures examples/detect-server under load while a new model
# version is published (1 session, then the default); CLIENTS=8,
# DURATION=60s, SESSIONS="1 0" and PROVIDERS=cuda,cpu can be set.
loadtest:
	scripts/loadtest.sh
