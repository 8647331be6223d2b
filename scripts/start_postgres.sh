#!/usr/bin/env bash
# Start a throwaway PostgreSQL from Debian's packages for the store tests and print the
# URL to export:   export SHOPMATE_TEST_POSTGRES_URL="$(scripts/start_postgres.sh)"
# Installs the packages when missing (needs root, as in CI). Idempotent.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | grep -q .; then
  pg_createcluster "$ver" main >&2
fi
cluster="$(pg_lsclusters -h | head -1)"
read -r cver cname cport cstatus _ <<<"$cluster"
if [ "$cstatus" != "online" ]; then
  pg_ctlcluster "$cver" "$cname" start >&2
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -p $cport -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $cport -tAc \"select 1 from pg_roles where rolname='shopmate'\"" | grep -q 1 ||
  su postgres -c "psql -p $cport -qc \"create role shopmate login createdb password 'shopmate'\"" >&2
echo "postgresql+psycopg://shopmate:shopmate@127.0.0.1:$cport/postgres"
