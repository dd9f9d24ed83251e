#!/usr/bin/env bash
# No-op incremental build overhead of ModelBuild with 5 models: two consumer projects of the packed ModelBuild
# package, identical (same PackageReference, same five .onnx files on disk) except that one declares them as
# <OnnxModel> items. After a first build of each (conversion + gate), both are rebuilt with nothing to do, RUNS times
# each, alternating; the script prints the median wall time of each, the difference (the target: < 0.3 s) and the
# median time MSBuild's performance summary gives the ModelBuild targets themselves (a steadier view of the same cost).
#   bash bench/build-noop.sh [RUNS]        (default 5)
# Builds run with --no-restore and -nodeReuse:false (every build starts a fresh MSBuild, as on CI), Debug.
# Environment: MODELBUILD_BENCH_ARTIFACTS=DIR packs from an --artifacts-path folder where tasks/ and tool/ are already
# built in Release (else the pack builds them into the temp folder first); MODELBUILD_BENCH_KEEP=1 keeps the temp folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/modelbuild-noop.XXXXXX")"
[ "${MODELBUILD_BENCH_KEEP:-0}" = "1" ] || trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
export NUGET_PACKAGES="$work/packages"
sample="$root/samples/models/mosaic-mini.onnx"
models=(models/style/a.onnx models/style/b.onnx models/style/extra/c.onnx models/detect/d.onnx models/e.onnx)

log() { echo "[noop $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- the package
artifacts="${MODELBUILD_BENCH_ARTIFACTS:-$work/artifacts}"
pack_args=(-c Release -o "$work/feed" -nologo -v quiet -nodeReuse:false --artifacts-path "$artifacts")
[ -n "${MODELBUILD_BENCH_ARTIFACTS:-}" ] && pack_args+=(--no-build)
log "packing ModelBuild into $work/feed"
dotnet pack "$root/tasks/ModelBuild.Tasks/ModelBuild.Tasks.csproj" "${pack_args[@]}" >"$work/pack.log" 2>&1 \
    || { tail -n 30 "$work/pack.log" >&2; exit 1; }

cat >"$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="modelbuild-local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

# ---------------------------------------------------------------- the two projects
# make_project NAME ITEMS: a class library with the five models on disk and ITEMS in its ItemGroup
make_project() {
    local dir="$work/$1"
    mkdir -p "$dir"
    for m in "${models[@]}"; do mkdir -p "$dir/$(dirname "$m")"; cp "$sample" "$dir/$m"; done
    cp "$work/NuGet.config" "$dir/"
    echo "<Project />" >"$dir/Directory.Build.props"
    echo "<Project />" >"$dir/Directory.Build.targets"
    cat >"$dir/$1.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ModelBuildParityIsa>scalar</ModelBuildParityIsa>
    <UseSharedCompilation>false</UseSharedCompilation>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="ModelBuild" Version="0.1.0" PrivateAssets="all" />
    $2
  </ItemGroup>
</Project>
XML
    (cd "$dir" && dotnet restore -nologo -v quiet >"$work/$1-restore.log" 2>&1) || { tail -n 30 "$work/$1-restore.log" >&2; exit 1; }
}

# the performance summary also gives the time of the ModelBuild targets themselves (see targets_ms)
build() { (cd "$work/$1" && dotnet build --no-restore -nologo -v quiet -nodeReuse:false -clp:PerformanceSummary >"$work/$1-build.log" 2>&1) || { tail -n 30 "$work/$1-build.log" >&2; exit 1; }; }

# milliseconds spent in the ModelBuild targets of the last build of project $1 (its "Target Performance Summary")
targets_ms() {
    awk '/Target Performance Summary:/ {s=1; next} /Task Performance Summary:/ {s=0} s && $2 == "ms" && $3 ~ /^_?ModelBuild/ {t+=$1} END {print t+0}' "$work/$1-build.log"
}

# seconds of one no-op build of project $1
timed_build() {
    local start end
    start=$(date +%s.%N)
    build "$1"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}'
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

make_project with '<OnnxModel Include="models/**/*.onnx" />'
make_project without ''
log "first builds (the five conversions and gates)"
build with
build without
[ "$(find "$work/with/bin" -name '*.mnn' | wc -l)" -eq 5 ] || { echo "the first build did not produce 5 .mnn files" >&2; exit 1; }
log "warm-up no-op builds"
build with
build without

with_times=()
without_times=()
target_times=()
for ((i = 1; i <= runs; i++)); do
    with_times+=("$(timed_build with)")
    target_times+=("$(targets_ms with)")
    without_times+=("$(timed_build without)")
    log "run $i: with ${with_times[-1]} s (ModelBuild targets ${target_times[-1]} ms), without ${without_times[-1]} s"
done

with_median=$(median "${with_times[@]}")
without_median=$(median "${without_times[@]}")
printf 'no-op build, 5 OnnxModel items: median %.3f s (runs: %s)\n' "$with_median" "${with_times[*]}"
printf 'no-op build, no OnnxModel items: median %.3f s (runs: %s)\n' "$without_median" "${without_times[*]}"
awk -v a="$with_median" -v b="$without_median" 'BEGIN {printf "added by 5 models: %.3f s\n", a - b}'
printf 'ModelBuild targets inside the no-op build: median %s ms (runs: %s)\n' "$(median "${target_times[@]}")" "${target_times[*]}"
