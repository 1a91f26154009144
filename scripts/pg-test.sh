#!/usr/bin/env bash
# The real-PostgreSQL tests (issue 19 item 1): several `hepatica serve`
# processes on one database, and the PostgreSQL store itself.
#
# Installs Debian's postgresql if it is missing, starts a throwaway cluster as
# an unprivileged user (initdb into a temporary folder, a free loopback port,
# the unix socket inside that folder, trust authentication on loopback only),
# runs the tests that need it (`--ignored`: they are ignored without a server,
# and fail, saying so, if run without one), then stops the cluster and removes
# the folder, whatever happened (trap).
#
#   bash scripts/pg-test.sh            # from the repository root
#
# Exports for the tests: HEPATICA_TEST_DATABASE_URL (superuser URL; each test
# makes its own database) and HEPATICA_TEST_PG_STOP / HEPATICA_TEST_PG_START
# (shell commands that stop and start the cluster, for the readiness test).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [[ -z "$(pg_bin)" || ! -x "$(pg_bin)/initdb" ]]; then
  echo "pg-test: installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
BIN="$(pg_bin)"
[[ -x "$BIN/initdb" && -x "$BIN/pg_ctl" ]] || { echo "pg-test: FAILED: no initdb/pg_ctl under /usr/lib/postgresql after installing postgresql" >&2; exit 1; }

# PostgreSQL refuses to run as root: a system user without a login.
PGUSER_OS=hepatica-pg
if ! id -u "$PGUSER_OS" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PGUSER_OS"
fi
as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }

DIR="$(mktemp -d /tmp/hepatica-pg.XXXXXX)"
chmod 755 "$DIR"
mkdir -p "$DIR/data" "$DIR/sock"
chown -R "$PGUSER_OS" "$DIR/data" "$DIR/sock"
touch "$DIR/server.log" && chown "$PGUSER_OS" "$DIR/server.log"

cleanup() {
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# A free loopback port (bound, then released; the cluster takes it at once).
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 30000)))"

as_pg "$BIN/initdb" -D "$DIR/data" --username=postgres --auth=trust --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; echo "pg-test: FAILED: initdb" >&2; exit 1; }
# Loopback TCP and the private socket only; durability is not what is tested here.
OPTS="-p $PORT -k $DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100"
START="runuser -u $PGUSER_OS -- $BIN/pg_ctl -D $DIR/data -l $DIR/server.log -w -t 30 -o '$OPTS' start"
STOP="runuser -u $PGUSER_OS -- $BIN/pg_ctl -D $DIR/data -m fast -w -t 30 stop"
sh -c "$START" >/dev/null || { cat "$DIR/server.log" >&2; echo "pg-test: FAILED: PostgreSQL did not start" >&2; exit 1; }
echo "pg-test: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DIR)"

export HEPATICA_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export HEPATICA_TEST_PG_STOP="$STOP >/dev/null"
export HEPATICA_TEST_PG_START="$START >/dev/null"

# One test at a time: the readiness test stops and starts the shared cluster.
cargo test --workspace --test postgres -- --ignored --test-threads=1
echo "pg-test: ok"
