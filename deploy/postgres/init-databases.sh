#!/bin/sh
# PostgreSQL's first start (docker-entrypoint-initdb.d): one database per part, each owned by a role
# of its own, so that a part's credentials reach its own database and no other. The passwords were
# made by the stack's one-shot `keys` step (tools/stack_secrets.py) in /run/hackday.
set -eu
for part in gateway ideas voting followup; do
    password=$(cat "/run/hackday/$part-password")
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE $part LOGIN PASSWORD '$password';
CREATE DATABASE $part OWNER $part;
REVOKE ALL ON DATABASE $part FROM PUBLIC;
SQL
done
