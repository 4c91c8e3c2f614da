#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL server, on another port, for the `replica` tests and for trying
# DATABASE_REPLICA_URL by hand. Not for production (trust authentication, data under /tmp).
#
#   scripts/pg_replica.sh start     # pg_basebackup of the primary (once), then start it; prints the URL to use
#   scripts/pg_replica.sh stop      # stop it, keep its data (start again resumes streaming)
#   scripts/pg_replica.sh destroy   # stop it and delete its data
#   scripts/pg_replica.sh status
#
# PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), PRIMARY_USER (postgres), REPLICA_PORT (5433),
# REPLICA_DIR (/tmp/hb-replica-<port>). The primary must accept replication connections from 127.0.0.1: when
# its pg_hba.conf has no such line, `start` adds `host replication all 127.0.0.1/32 trust` and reloads it
# (it needs write access to that file: run as root, or add the line yourself).
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
DIR=${REPLICA_DIR:-/tmp/hb-replica-$REPLICA_PORT}
PRIMARY="postgres://$PRIMARY_USER@$PRIMARY_HOST:$PRIMARY_PORT/postgres"

primary() { psql "$PRIMARY" -qtAXc "$1"; }

bindir() {
  local major
  major=$(primary "SHOW server_version_num")
  major=$((major / 10000))
  if [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$major/bin"
  else dirname "$(command -v pg_ctl)"; fi
}

# The server refuses to run as root: as root, run it as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; }

allow_replication() {
  local hba
  hba=$(primary "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba" 2>/dev/null; then
    echo "adding 'host replication all 127.0.0.1/32 trust' to $hba"
    echo "host replication all 127.0.0.1/32 trust  # hotelbooking scripts/pg_replica.sh" >> "$hba"
    primary "SELECT pg_reload_conf()" >/dev/null
  fi
}

base_backup() {
  local bin=$1
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  chmod 700 "$DIR"
  as_owner "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -D "$DIR" \
    -X stream -R --checkpoint=fast
  # Debian keeps the primary's configuration in /etc: give the copy its own. A hot standby needs these limits
  # at least as high as the primary's.
  as_owner tee "$DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
hot_standby_feedback = on
max_connections = $(primary "SHOW max_connections")
max_worker_processes = $(primary "SHOW max_worker_processes")
max_wal_senders = $(primary "SHOW max_wal_senders")
max_locks_per_transaction = $(primary "SHOW max_locks_per_transaction")
max_prepared_transactions = $(primary "SHOW max_prepared_transactions")
shared_buffers = 64MB
fsync = off
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$DIR/pg_hba.conf" >/dev/null
  as_owner touch "$DIR/pg_ident.conf"
}

case "${1:-start}" in
  start)
    if running; then echo "replica already running on port $REPLICA_PORT"; exit 0; fi
    bin=$(bindir)
    if [ ! -f "$DIR/standby.signal" ]; then
      allow_replication
      base_backup "$bin"
    fi
    as_owner "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null
    for _ in $(seq 60); do
      [ "$(psql "postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres" -qtAXc "SELECT pg_is_in_recovery()" \
        2>/dev/null)" = t ] && break
      sleep 0.5
    done
    echo "replica streaming from $PRIMARY_HOST:$PRIMARY_PORT on port $REPLICA_PORT ($DIR)"
    echo "DATABASE_REPLICA_URL=postgres://$PRIMARY_USER@127.0.0.1:$REPLICA_PORT/<the database's name>"
    ;;
  stop)
    if [ -f "$DIR/postmaster.pid" ]; then as_owner "$(bindir)/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null; fi
    echo "replica on port $REPLICA_PORT stopped"
    ;;
  destroy)
    "$0" stop
    rm -rf "$DIR"
    ;;
  status)
    if running; then echo "running on port $REPLICA_PORT"; else echo "not running"; exit 3; fi
    ;;
  *)
    echo "usage: $0 start|stop|destroy|status" >&2; exit 2
    ;;
esac
