#!/usr/bin/env bash
# Builds samples/StyleTransferApp — whose <OnnxModel> item converts samples/models/mosaic-mini.onnx to .mnn during the
# build and gates it against ONNX Runtime — then runs it: it loads the .mnn with ModelBuild.Runtime and prints the
# output's shape and min/max/mean.
#   bash samples/run-app.sh
# Environment: MODELBUILD_ARTIFACTS (build output, default <repo>/artifacts), MODELBUILD_CONFIGURATION (default Release).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
art="${MODELBUILD_ARTIFACTS:-$root/artifacts}"
config="${MODELBUILD_CONFIGURATION:-Release}"
lower="$(echo "$config" | tr '[:upper:]' '[:lower:]')"

echo "== building samples/StyleTransferApp ($config; converts and checks samples/models/mosaic-mini.onnx)"
dotnet build samples/StyleTransferApp/StyleTransferApp.csproj -c "$config" --artifacts-path "$art" -nologo -v minimal -tl:off

echo "== running"
dotnet "$art/bin/StyleTransferApp/$lower/StyleTransferApp.dll"
