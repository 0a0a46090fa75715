# Two commands do everything:  make demo  (the main job)  and  make test  (the suite).
# Both install what is missing first: the Python venv (.venv, pinned by
# requirements.lock), buf (node_modules, from npm) and the Kafka broker's jars
# (.local/cache, from Maven Central).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BUF    := node_modules/.bin/buf

.PHONY: demo test test-faults fuzz deps lint protos check-protos unit integration broker-start broker-stop lock clean

demo: deps
	$(PY) scripts/demo.py

test: deps lint check-protos
	@# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

unit: deps
	$(PY) -m pytest -m "not broker" $(PYTEST_ARGS)

integration: deps
	$(PY) -m pytest -m broker $(PYTEST_ARGS)

# The fault checker alone (make test runs it too): a batch of 10,000 people under kill -9,
# a broker restart and an SMTP outage, then every outcome accounted for.
test-faults: deps
	$(PY) -m pytest -m faults -s $(PYTEST_ARGS)

# The property-based and fuzz tests with a long budget: 100,000 generated inputs per target
# (make test runs them with a small one).
fuzz: deps
	CLEARWAY_FUZZ_EXAMPLES=$${CLEARWAY_FUZZ_EXAMPLES:-100000} $(PY) -m pytest -m fuzz $(PYTEST_ARGS)

deps: $(VENV)/.installed $(BUF) .local/cache/.kafka-installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else "Python 3.11 or 3.12 is required as $(PYTHON)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(BUF): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is required to install buf (@bufbuild/buf)" >&2; exit 1; }
	@# npm install, not npm ci: npm records only this platform's optional buf binary in
	@# the lock, which npm ci then refuses. package.json pins buf exactly.
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

.local/cache/.kafka-installed: deploy/local/kafka/pom.xml
	$(PY) deploy/local/kafka.py install
	@mkdir -p $(@D) && touch $@

lint: $(BUF)
	$(BUF) lint

protos: $(VENV)/.installed
	scripts/gen-protos

# The generated code is committed; it must be what the protos generate.
check-protos: $(VENV)/.installed
	@tmp=$$(mktemp -d); cp -r libs/clearway/src/clearway/v1 $$tmp/v1; scripts/gen-protos; \
	  if ! diff -r -x __pycache__ $$tmp/v1 libs/clearway/src/clearway/v1 >/dev/null; then \
	    echo "error: generated protobuf code is stale; run 'make protos' and commit" >&2; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp

broker-start: deps
	$(PY) deploy/local/kafka.py start

broker-stop:
	$(PY) deploy/local/kafka.py stop

lock: $(VENV)/.installed
	@{ echo "# Exact versions of every package in .venv (runtime and test tools)."; \
	   echo "# Regenerate after changing pyproject.toml: make lock"; \
	   $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	-$(PY) deploy/local/kafka.py stop
	rm -rf .local/demo .local/kafka .pytest_cache
