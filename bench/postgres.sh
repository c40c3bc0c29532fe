#!/usr/bin/env bash
# A private PostgreSQL server for `make bench`, sized for the benchmark's data as a production
# server would be: the 1,000,000 orders, their items and indexes fit in shared_buffers (4 GB of
# this machine's 24). The machine's own server keeps the stock 128 MB, with which backends evict
# and write pages themselves: with two sweep workers the cores then sat idle a tenth of the time,
# waiting on those writes and on the WAL buffer (1.55x one worker, not 1.63x; docs/performance.md).
# Durability settings stay as shipped (fsync, full_page_writes, synchronous_commit on).
# Usage: bench/postgres.sh start | url | stop. Data in var/bench-postgres, port BENCH_PGPORT (5433).
set -euo pipefail

cd "$(dirname "$0")/.."
DATA="$PWD/var/bench-postgres"
PORT="${BENCH_PGPORT:-5433}"
BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BINDIR/pg_ctl" ] || { echo "bench/postgres.sh: PostgreSQL's server binaries not found" >&2; exit 1; }

# PostgreSQL refuses to run as root: as root, run it as the postgres user.
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        [ "$(id -u)" = 0 ] && chown postgres "$DATA"
        as_server "$BINDIR/initdb" -D "$DATA" -A trust -U postgres >/dev/null
    fi
    if ! as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o \
            "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp \
             -c shared_buffers=4GB -c max_wal_size=4GB" start >/dev/null
    fi
    echo "bench/postgres.sh: running on port $PORT, data in $DATA"
    ;;
url)
    echo "postgres://postgres@127.0.0.1:$PORT/compliance_bench"
    ;;
stop)
    as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast stop
    ;;
*)
    echo "usage: $0 start | url | stop" >&2
    exit 2
    ;;
esac
