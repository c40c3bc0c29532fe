# The two commands a new user needs: `make run` (everything, on embedded defaults) and `make test`.
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
export PATH := $(BIN):$(PATH)

.PHONY: install run test lint format bench clean

install: $(VENV)/.installed

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

lint: install
	ruff check .
	ruff format --check .

format: install
	ruff check --fix .
	ruff format .

clean:
	rm -rf var/celery var/test.sqlite3

# Benchmarks (PostgreSQL; not tests): BENCH_DATABASE_URL and BENCH_API_DATABASE_URL pick the
# databases. The API benchmark loads the server with wrk (Debian's package, installed if missing).
bench: install
	command -v wrk >/dev/null || apt-get install -y -q wrk
	python -m bench.sweep
	python -m bench.api
