#!/usr/bin/env bash
# The first README command: installs what is missing, builds the app (release) and runs
# it on a SQLite file with demo data. Open the URL it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
source scripts/tools.sh
export DATABASE_URL="${DATABASE_URL:-sqlite:crm.db}"
echo "Building (the first build takes several minutes), then serving on $DATABASE_URL…"
# The demo accounts and users (their passwords are in the README): `serve --demo`.
export CRM_DEMO=1
exec cargo leptos serve --release
