# Makefile: shortcuts for the checks and benchmarks (see bench/README.md).

.PHONY: test bench

test:
	go vet ./...
	go test -race ./...

# bench reruns every benchmark of issue 7 and the Node.js comparison;
# COUNT=10 and OUT=dir can be set on the command line.
bench:
	scripts/bench.sh
