# «Мектепке жол» portal. Two commands for a newcomer:
#   make run    install everything, set up SQLite in instance/ with demo data, serve on http://127.0.0.1:$(PORT)
#   make test   install everything (incl. Chromium and axe-core) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi
export PORT

.PHONY: run setup install install-dev translations messages test test-pg browser-deps demo clean

run: setup
	@echo "Demo staff sign-in: admin@demo.mektepke-zhol.kz / demo-password-2023; code: .venv/bin/flask staff demo-code --email admin@demo.mektepke-zhol.kz"
	$(BIN)/flask seed demo
	FLASK_ALLOW_DEMO_LOGIN=1 $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Everything a server needs before it starts: packages, secret, compiled catalogues, schema, reference data.
setup: install instance/secret_key translations
	$(BIN)/flask db upgrade heads
	$(BIN)/flask seed reference

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

instance/secret_key:
	mkdir -p instance
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

translations: install
	$(BIN)/pybabel -q compile -d translations

# After changing visible strings: extract, merge into kk/ru/en, then translate the new entries.
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --omit-header --no-wrap -o translations/messages.pot portal templates
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching --no-wrap

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for browser tests (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Java for the Nu HTML checker (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }
	@# --ignore-scripts: vnu-jar's postinstall would fetch a JDK of its own; Debian's Java runs the jar.
	@test -f node_modules/axe-core/axe.min.js -a -f node_modules/vnu-jar/build/dist/vnu.jar || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

test: install-dev translations browser-deps
	$(BIN)/python -m pytest

# The same suite on PostgreSQL (a throwaway database is created per run on this server).
test-pg: install-dev translations browser-deps
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://root@127.0.0.1:5432/test} $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules bench/lighthouse/node_modules .pytest_cache
	find . -name '*.mo' -delete

# Speed, measured (issue 8): the portal under gunicorn on a large generated dataset against a Flask
# hello-world under the same settings, with wrk on 127.0.0.1. Prints the table and the budgets;
# writes bench-results/bench.json. BENCH_ARGS="--duration 8 --reuse" for longer rounds on the same data.
.PHONY: bench
bench: install-dev translations
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Lighthouse (issue 8): home, fairs, offer, appeal and a published report page in Kazakh, demo data,
# gunicorn in the production configuration, Lighthouse's mobile profile (simulated throttling) on
# Debian's Chromium; median of 3 runs per URL. Prints the scores and the audits under target; writes
# bench-results/lighthouse.json. Targets (performance ≥ 95, the rest 100) are reported, not asserted.
# Lighthouse 12.8.2 lives in bench/lighthouse/ (13 needs Node 22), apart from the tests' axe-core.
# Other pages: make lighthouse LIGHTHOUSE_ARGS='--url /ru/prices --url /en/reports/' (--runs 1 for a quick look).
.PHONY: lighthouse
lighthouse: install-dev translations bench/lighthouse/node_modules/.package-lock.json
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

bench/lighthouse/node_modules/.package-lock.json: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error
