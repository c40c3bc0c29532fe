# The two commands a new user needs: `make run` (everything, on embedded defaults) and `make test`.
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
export PATH := $(BIN):$(PATH)

.PHONY: install system-packages run test stress lint format bench clean mutation messages

# Debian packages the project needs: a C++ compiler (pdqhash builds from source where no wheel
# fits), ffmpeg (video fingerprints), DejaVu fonts (test images and the letters), chromium (the
# browser test), poppler-utils and zbar-tools (the letters and their QR codes read back) and
# gettext (the translation catalogues); Node.js and npm (the TypeScript client check), unless
# a Node.js with npm is on the PATH already.
# Installed with apt when missing (as root), as CI is.
SYSTEM_PACKAGES := g++ ffmpeg fonts-dejavu-core chromium poppler-utils gettext zbar-tools

install: system-packages $(VENV)/.installed clients/typescript/node_modules/.installed

system-packages:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then apt-get install -y -q $$missing || \
		(echo "Install Debian's$$missing (apt-get install$$missing)." && false); fi

# The TypeScript generator and compiler and the Redocly linter the schema is checked with (pinned by
# clients/typescript/package-lock.json; Node.js from Debian's nodejs and npm).
clients/typescript/node_modules/.installed: clients/typescript/package-lock.json
	npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	mkdir -p var
	python manage.py migrate --noinput
	python manage.py seed_demo
	@echo
	@echo "Admin:  http://127.0.0.1:8000/admin/  (logins above)"
	@echo "Stop with Ctrl-C."
	@echo
	honcho start

test: install
	pytest $(PYTEST_ARGS)

# The reliability tests at full size (docs/reliability.md), on PostgreSQL: 8 sweeps racing
# reports over 10,000 orders for 5 rounds, 30 SIGKILLs each of the sweep and the deliverer,
# 500 generated requests per API operation. STRESS_* variables change the sizes
# (tests/support/scale.py).
STRESS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
stress: install
	STRESS=1 DATABASE_URL=$(STRESS_DATABASE_URL) pytest -s tests/reliability $(PYTEST_ARGS)

# The Indonesian catalogue (locale/id): gather every marked string, then translate the new ones
# in locale/id/LC_MESSAGES/django.po and compile. tests/config/test_translations.py fails on a
# string left out or untranslated. The flags here are the test's.
MESSAGES_FLAGS := -l id --no-location --ignore=tests --ignore=bench --ignore=var --ignore=.venv
messages: install
	python manage.py makemessages $(MESSAGES_FLAGS)
	python manage.py compilemessages -l id --ignore=.venv

# Style, the layers (import-linter contracts in pyproject.toml) and the types (mypy).
lint: install
	ruff check .
	ruff format --check .
	lint-imports
	mypy

# Mutants of the escalation rules, the transition gate and the four-eyes check, each run
# against the tests that cover it ([tool.mutmut] in pyproject.toml); lists any that survive.
mutation: install
	rm -rf mutants
	mutmut run
	mutmut results

format: install
	ruff check --fix .
	ruff format .

clean:
	rm -rf var/celery var/test.sqlite3 mutants

# Benchmarks (PostgreSQL; not tests). The sweep's runs on a private server sized for its data
# (bench/postgres.sh) unless BENCH_DATABASE_URL names another; BENCH_API_DATABASE_URL picks the
# API's. The API benchmark loads the server with wrk (Debian's package, installed if missing).
bench: install
	command -v wrk >/dev/null || apt-get install -y -q wrk
	if [ -z "$$BENCH_DATABASE_URL" ]; then bench/postgres.sh start; fi
	BENCH_DATABASE_URL="$${BENCH_DATABASE_URL:-$$(bench/postgres.sh url)}" python -m bench.sweep
	python -m bench.api
	BENCH_DATABASE_URL="$${BENCH_DATABASE_URL:-$$(bench/postgres.sh url)}" python -m bench.fingerprints
	BENCH_DATABASE_URL="$${BENCH_DATABASE_URL:-$$(bench/postgres.sh url)}" python -m bench.transparency
	python -m bench.letters
