# Sourced by the scripts: the tool versions the build needs and where the ones that are
# not installed system-wide live. Putting our wasm-opt first on PATH matters: Debian's
# (binaryen 108) breaks the release wasm (it no longer starts in the browser).
CARGO_LEPTOS_VERSION=0.3.5
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock
BINARYEN_VERSION=132           # wasm-opt, from the npm package `binaryen` (runs on Node.js)
CRM_TOOLS_DIR="${CRM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-tools}"
BINARYEN_DIR="$CRM_TOOLS_DIR/binaryen-$BINARYEN_VERSION"
export PATH="$BINARYEN_DIR/node_modules/.bin:$PATH"
