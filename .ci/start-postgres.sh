#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 and exports DRAFTER_TEST_POSTGRES_URL.
# Sourced by .ci/run; usable by hand: `source .ci/start-postgres.sh`.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PG_BIN" ]; then
  echo "PostgreSQL binaries not found; install the postgresql package" >&2
  return 1 2>/dev/null || exit 1
fi
PG_DIR=$(mktemp -d /tmp/drafter-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUN=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PG_DIR"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U drafter --auth=trust -E UTF8 >/dev/null
"${RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
export DRAFTER_TEST_POSTGRES_URL="postgresql://drafter@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL running on 127.0.0.1:$PG_PORT ($PG_DIR)"
