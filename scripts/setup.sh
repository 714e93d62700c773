#!/usr/bin/env bash
# Installs what the project needs and this machine lacks; silent when all is there.
#   scripts/setup.sh run    what building and running the app needs
#   scripts/setup.sh test   that, plus Chromium, PostgreSQL 15 and the Playwright packages
# Long installs (cargo-leptos ~15 min, wasm-bindgen-cli ~5 min) happen once.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"
source scripts/tools.sh
mkdir -p target
log="$PWD/target/setup.log"

say() { printf '%s\n' "setup: $*"; }
quietly() { # runs a command, showing its output only if it fails
  if ! "$@" >>"$log" 2>&1; then
    say "failed: $* (last lines of $log follow)"; tail -n 40 "$log"; exit 1
  fi
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=()
if [ "$purpose" = test ]; then
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || apt_packages+=(postgresql-15)
  # Tests read the database from another process with Python's sqlite3 (end2end's
  # support.ts, app/tests/wal.rs).
  command -v python3 >/dev/null || apt_packages+=(python3)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  say "installing ${apt_packages[*]} with apt"
  quietly as_root apt-get update -qq
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  quietly rustup target add wasm32-unknown-unknown
fi

if [ "$purpose" = test ]; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "adding the $component component (the tests check style and lints)"
      quietly rustup component add "$component"
    fi
  done
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes, once)"
  quietly cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
  # Without --locked: its lock file names a crate version the registry no longer serves.
  quietly cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt shrinks the release wasm. Binaryen >= 116 is needed (Debian's 108 breaks the
# module's reference-typed table); the npm package is binaryen compiled to JavaScript and
# wasm, so it installs in seconds from the npm registry and runs anywhere Node.js does.
if [ "$(wasm-opt --version 2>/dev/null)" != "wasm-opt version $BINARYEN_VERSION (version_$BINARYEN_VERSION)" ]; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION, npm) into $BINARYEN_DIR"
  mkdir -p "$BINARYEN_DIR"
  quietly npm install --prefix "$BINARYEN_DIR" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION.0.0"
fi

if [ "$purpose" = test ]; then
  # npm ci when node_modules is missing or older than the lock file.
  if [ ! end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ]; then
    say "installing the Playwright test runner (npm ci)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 quietly npm ci --no-audit --no-fund)
  fi
fi
