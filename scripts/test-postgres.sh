#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb in a temporary directory, started on a
# free loopback port, owned by the unprivileged user `postgres` when run as root.
#
#   eval "$(scripts/test-postgres.sh start)"   # exports NEURODESK_TEST_DATABASE_URL and NEURODESK_TEST_PG_DIR
#   scripts/test-postgres.sh stop [DIR]        # stops it and removes DIR (default: $NEURODESK_TEST_PG_DIR)
#
# Only the `export` lines go to stdout; progress goes to stderr. The server is tuned for tests
# (fsync off: a crash of the machine may lose data, a crash of the server loses none);
# NEURODESK_TEST_PG_OPTIONS adds `-c name=value` settings of your own.
set -euo pipefail

log() { echo "test-postgres: $*" >&2; }

find_bindir() {
  if [ -n "${NEURODESK_PG_BIN:-}" ]; then echo "$NEURODESK_PG_BIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v pg_config >/dev/null 2>&1; then pg_config --bindir; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  log "PostgreSQL server binaries not found (apt-get install postgresql, or set NEURODESK_PG_BIN)"
  exit 1
}

# Runs a command as the server's owner: `postgres` when we are root (initdb refuses root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local bindir dir port attempt
  bindir=$(find_bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/neurodesk-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { log "user postgres does not exist (install Debian's postgresql)"; exit 1; }
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    log "initdb failed"
    exit 1
  }
  for attempt in 1 2 3; do
    port=$(free_port)
    # shellcheck disable=SC2086
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${NEURODESK_TEST_PG_OPTIONS:-}" \
      start >/dev/null 2>&1; then
      log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
      echo "export NEURODESK_TEST_PG_DIR='$dir'"
      echo "export NEURODESK_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres'"
      return
    fi
    log "start on port $port failed (attempt $attempt)"
  done
  tail -n 20 "$dir/server.log" >&2 || true
  rm -rf "$dir"
  exit 1
}

stop() {
  local dir=${1:-${NEURODESK_TEST_PG_DIR:-}}
  if [ -z "$dir" ]; then log "stop: which directory? (argument or NEURODESK_TEST_PG_DIR)"; exit 1; fi
  case "$dir" in */neurodesk-pg.*) ;; *) log "stop: $dir is not a test server directory"; exit 1 ;; esac
  if [ -d "$dir/data" ]; then
    as_owner "$(find_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *)
    echo "usage: $0 start | stop [DIR]" >&2
    exit 2
    ;;
esac
