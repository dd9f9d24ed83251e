#!/usr/bin/env bash
# The main job: build the ModelBuild CLI, convert the sample ONNX model (samples/models/mosaic-mini.onnx) to MNN,
# inspect the result, run it in ModelBuild's runtime on the sample image, and print a summary of the output.
#   bash samples/run-sample.sh
# Environment: MODELBUILD_ARTIFACTS (build output, default <repo>/artifacts), MODELBUILD_SAMPLE_OUT (default
# <artifacts>/sample), MODELBUILD_ISA (scalar|128|256|512 to force a SIMD level).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
art="${MODELBUILD_ARTIFACTS:-$root/artifacts}"
out="${MODELBUILD_SAMPLE_OUT:-$art/sample}"
model="samples/models/mosaic-mini.onnx"
data="samples/models/mosaic-mini/test_data_set_0"

echo "== building the CLI (Release)"
dotnet build tool/ModelBuild.Tool/ModelBuild.Tool.csproj -c Release --artifacts-path "$art" -nologo -v quiet -clp:ErrorsOnly
tool=(dotnet "$art/bin/ModelBuild.Tool/release/dotnet-model-convert.dll")
mkdir -p "$out"

echo "== convert $model"
"${tool[@]}" convert "$model" -o "$out/mosaic-mini.mnn"

echo "== inspect $out/mosaic-mini.mnn"
"${tool[@]}" inspect "$out/mosaic-mini.mnn"

echo "== run on $data"
summary="$("${tool[@]}" run "$out/mosaic-mini.mnn" --inputs "$data" --outputs "$out/outputs")"
echo "$summary"

echo "== summary"
echo "model:   $model -> $out/mosaic-mini.mnn ($(stat -c %s "$out/mosaic-mini.mnn") bytes)"
echo "outputs: $out/outputs"
echo "$summary" | sed -n 's/^output_\([0-9]*\)\.pb  \([^ ]*\)  \([^ ]*\) \(.*\)$/output \1 (\2): shape \3, \4/p'
