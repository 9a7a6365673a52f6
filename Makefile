# The two commands a newcomer needs: `make run` and `make test`. Both install what is missing
# first (Debian/Ubuntu; see README.md for other systems).

CARGO_FEATURES := --features custom-protocol
APP := target/debug/insisst-app
CLI := target/debug/insisst

.PHONY: run test deps deps-e2e ui build lint test-rust test-ui test-e2e bench bench-app bindings fmt

run: deps ui
	cargo build $(CARGO_FEATURES) -p insisst-app -p insisst-cli
	./$(APP)

deps:
	./scripts/install-deps.sh

deps-e2e:
	./scripts/install-deps.sh --e2e

ui:
	npm --prefix ui run build

build: deps ui
	cargo build --workspace $(CARGO_FEATURES)

lint: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets $(CARGO_FEATURES) -- -D warnings
	npm --prefix ui run check

test-rust: ui
	cargo test --workspace $(CARGO_FEATURES)

test-ui:
	npm --prefix ui test

test-e2e: ui
	cargo build $(CARGO_FEATURES) -p insisst-app -p insisst-cli
	INSISST_APP=$(CURDIR)/$(APP) INSISST_CLI=$(CURDIR)/$(CLI) ./tests/e2e/run.sh

# Everything CI runs, in the order that fails fastest.
test: deps-e2e lint test-ui test-rust test-e2e

# Regenerate the TypeScript bindings of the IPC DTOs after changing one.
bindings: ui
	UPDATE_BINDINGS=1 cargo test $(CARGO_FEATURES) -p insisst-app bindings

fmt:
	cargo fmt --all

# Release build, then the figures of targets.md beside baselines measured in the same run.
bench: deps ui
	cargo build --release -p insisst-cli
	./target/release/insisst-bench $(BENCH_ARGS)

# The desktop app under Xvfb beside a hello-world Tauri app, same run: launch to first content
# and memory of all its processes (bench/app-bench.sh; BENCH_ROUNDS=5 by default).
bench-app: deps-e2e
	./bench/app-bench.sh
