using System.Diagnostics;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Converter.Parity.CrossIsa;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Localization;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reference;
using ModelBuild.Converter.Parity.Reporting;
using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Converter.Parity;

/// <summary>
/// The parity gate: runs the ONNX model in ONNX Runtime and the converted model in our runtime on representative
/// inputs and decides whether they agree. Ill-conditioned samples (a normalization with ~zero variance, where
/// epsilon decides the output) are reported but excluded (MB7002) unless strict. Throws ModelBuildException for
/// bad input (missing files, bad options: the CLI's exit 2); parity problems are returned in the result.
/// </summary>
public static class ParityGate
{
    public static ParityResult Run(ParityOptions options) => Run(options, candidate: null);

    /// <summary>Runs the gate against a given candidate (tests use this to check a modified converted net).</summary>
    public static ParityResult Run(ParityOptions options, CandidateModel? candidate)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = Stopwatch.GetTimestamp();
        var timings = new ParityTimings { Progress = options.Progress };
        Validate(options);

        // ONNX Runtime's set-up overlaps parsing, import and conversion: its whole plain session when the file
        // allows (the reference then takes it over), else its first-use initialization
        using var fileSession = ReferenceFileScan.CanStartEarly(options.OnnxPath) ? new PendingSession(OnnxReference.StartFromFile(options.OnnxPath, timings)) : null;
        var ortInit = fileSession is null ? OnnxReference.InitializeRuntimeAsync() : Task.CompletedTask;
        try
        {
            return Run(options, candidate, timings, started, fileSession);
        }
        finally
        {
            Quiet(ortInit);
        }
    }

    private static ParityResult Run(ParityOptions options, CandidateModel? candidate, ParityTimings timings, long started, PendingSession? fileSession)
    {
        // Parsed and imported once: the guard, the input signatures and the in-memory conversion share the graph
        // (the conversion's passes then modify it; localization re-imports), the reference keeps the parsed model
        // only while it needs it. A model's weights are copied as few times as possible: each copy of a large
        // model costs real time.
        var importOptions = new OnnxImportOptions { InputShapes = new Dictionary<string, long[]>(options.InputShapes, StringComparer.Ordinal) };
        var proto = timings.Measure("parse ONNX", () => OnnxModelLoader.Load(options.OnnxPath));
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(options.OnnxPath)) ?? ".";
        ReuseFreedMemory();
        var graph = timings.Measure("import ONNX", () => OnnxImporter.Import(proto, options.OnnxPath, baseDirectory, importOptions));
        var shapes = options.InputPaths.Count > 0 ? SampleShapes.With(options.InputShapes, options.InputPaths, graph) : options.InputShapes;
        var signatures = InputSignature.Resolve(graph, shapes);
        foreach (var name in options.Distributions.Keys.Where(n => !graph.Inputs.Contains(n)))
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"--input-dist names '{name}', which is not an input of {options.OnnxPath} (inputs: {string.Join(", ", graph.Inputs)})");
        }

        var isas = IsaPlan.Parse(options.Isas);
        using var reference = new OnnxReference(proto, options.OnnxPath, timings, fileSession?.Take());
        proto = null!;
        foreach (var name in options.OutputThresholds.Keys.Where(n => !reference.Outputs.Contains(n)))
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"--threshold names '{name}', which is not an output of {options.OnnxPath} (outputs: {string.Join(", ", reference.Outputs)})");
        }

        var userSamples = options.InputPaths.Count > 0 ? timings.Measure("load samples", () => UserSampleLoader.Load(options.InputPaths, signatures, options.Image)) : null;

        // The reference's session is built on a worker thread while this one converts: the two engines' set-up
        // (and later their runs) are independent, and the gate's cost is dominated by them.
        var guard = new DegenerateInputGuard(graph);
        var watched = guard.WatchedValues.Where(reference.NodeOutputs.Contains).ToArray();
        if (watched.Length == 0)
        {
            // the reference's one session loads from the file: the parsed weights are garbage before conversion
            reference.ReleaseModel();
            ReuseFreedMemory();
        }

        var warmup = Task.Run(() =>
        {
            reference.Prepare(watched);
            reference.ReleaseModel();
        });
        var ownsCandidate = candidate is null;
        var graphConverted = false;
        ModelGraph PristineGraph() => graphConverted ? OnnxImporter.Load(options.OnnxPath, importOptions) : graph;
        try
        {
            candidate ??= timings.Measure(options.MnnPath is null ? "convert" : "load .mnn", () => CandidateModel.Create(
                () =>
                {
                    graphConverted = true;
                    return graph;
                },
                options.OnnxPath,
                options.MnnPath,
                signatures));
            candidate.Timings = timings;
            return Run(options, candidate, PristineGraph, signatures, isas, reference, guard, watched, warmup, userSamples, timings, started);
        }
        finally
        {
            // never leave a worker touching the reference after it is disposed; its own failure, if any, has
            // already surfaced through the runs (or matters less than the exception on its way out)
            Quiet(warmup);
            if (candidate is not null)
            {
                candidate.Timings = null;
                if (ownsCandidate)
                {
                    candidate.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Collects a model-sized buffer that just died (the file's bytes, the parsed weights) so the next model-sized
    /// allocations reuse its pages: first-touching fresh memory is what dominates a large model's check on
    /// virtual machines with costly page faults (ResNet-18: ~150 ms per copy of its 45 MB of weights).
    /// </summary>
    private static void ReuseFreedMemory() => GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);

    private static void Quiet(Task task)
    {
        try
        {
            task.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    private static ParityResult Run(ParityOptions options, CandidateModel candidate, Func<ModelGraph> pristineGraph, IReadOnlyList<InputSignature> signatures, List<IsaRequest> isas,
        OnnxReference reference, DegenerateInputGuard guard, string[] watched, Task warmup, List<ParitySample>? userSamples, ParityTimings timings, long started)
    {
        var thresholds = StorageLimits.Apply(options, candidate.Model.WeightStorage, out var limitsFrom);
        var result = new ParityResult
        {
            OnnxPath = options.OnnxPath,
            Candidate = candidate.Origin,
            CommandLine = options.CommandLine,
            Seed = options.Seed,
            Strict = options.Strict,
            Thresholds = thresholds,
            LimitsFrom = limitsFrom,
            Timings = timings,
        };
        foreach (var o in reference.Outputs)
        {
            result.OutputThresholds[o] = thresholds.With(options.OutputThresholds.GetValueOrDefault(o));
        }

        foreach (var w in candidate.Warnings)
        {
            result.Note(w.Code, $"conversion: {w.Message}");
        }

        var primary = PrimaryLevel(isas);
        result.PrimaryIsa = IsaPlan.Name(primary);
        var run = new GateRun(options, pristineGraph, reference, candidate, result, primary, guard, watched, warmup);

        var samples = userSamples ?? timings.Measure("generate samples", () => Enumerable.Range(0, options.Samples).Select(i => SampleGenerator.Generate(signatures, options.Distributions, options.Seed, i)).ToList());
        var judged = run.Evaluate(samples);
        if (judged.Count == 0 && samples.Count > 0 && !options.Strict)
        {
            // every sample was ill-conditioned: judge generated representative samples instead, and say so
            var extra = Enumerable.Range(0, Math.Max(1, options.Samples)).Select(i => SampleGenerator.Generate(signatures, options.Distributions, options.Seed, i)).ToList();
            result.AddedRepresentativeSamples = true;
            result.Warning(ErrorCodes.ParityDegenerateSampleWarning,
                $"every given sample is ill-conditioned; judged {extra.Count} generated representative samples (seed {options.Seed}) instead");
            judged = run.Evaluate(extra);
        }

        if (judged.Count == 0 && !result.Samples.Any(s => s.IllConditioned && options.Strict))
        {
            result.Error(ErrorCodes.ParityDegenerateInput, "no well-conditioned sample could be found: every sample drives a normalization to zero variance, so parity cannot be judged; declare realistic inputs with --inputs or --input-dist");
        }

        timings.Measure("ISA matrix", () => run.RunIsaMatrix(isas, judged));
        if (options.Localize)
        {
            timings.Measure("localization", () => run.LocalizeFirstFailure(judged));
        }

        if (options.Emulate is not null)
        {
            timings.Measure($"{options.Emulate} emulation", () => run.Emulate(judged));
        }

        result.Verdict = result.Errors.Any() ? ParityVerdict.Failed : result.Warnings.Any() ? ParityVerdict.PassedWithWarnings : ParityVerdict.Passed;
        if (options.SaveInputsDirectory is not null)
        {
            timings.Measure("save inputs", () => SampleWriter.Save(options.SaveInputsDirectory, run.AllSamples, signatures));
        }

        // the report carries the timings up to here; writing it is the only phase it cannot include
        timings.TotalMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (options.ReportPath is not null)
        {
            result.ReportPath = options.ReportPath;
            ReportWriter.Write(options.ReportPath, result);
        }

        return result;
    }

    private static void Validate(ParityOptions o)
    {
        if (o.Samples < 1 || o.Samples > 10_000)
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"--samples {o.Samples} must be between 1 and 10000");
        }

        if (o.Thresholds.MinCosine > 1)
        {
            throw new ModelBuildException(ErrorCodes.UsageError, $"--min-cosine-similarity {o.Thresholds.MinCosine} is above 1, so nothing could pass");
        }

        if (!File.Exists(o.OnnxPath))
        {
            throw new ModelBuildException(ErrorCodes.OnnxFileNotFound, $"ONNX model '{o.OnnxPath}' does not exist");
        }

        // before ONNX Runtime or our readers open anything: a FIFO or device would block them forever
        UserFiles.RequireRegularFile(o.OnnxPath, ErrorCodes.OnnxFileNotFound, "ONNX model");
        if (o.MnnPath is not null && !File.Exists(o.MnnPath))
        {
            throw new ModelBuildException(ErrorCodes.MnnFileNotFound, $"MNN model '{o.MnnPath}' does not exist");
        }

        if (o.MnnPath is not null)
        {
            UserFiles.RequireRegularFile(o.MnnPath, ErrorCodes.MnnFileNotFound, "MNN model");
        }
    }

    /// <summary>The level outputs are judged at: the machine default when requested, else the first runnable one.</summary>
    private static IsaLevel PrimaryLevel(List<IsaRequest> isas)
    {
        var levels = isas.Where(i => i.Level is { } l && IsaPlan.Supported(l)).Select(i => i.Level!.Value).ToList();
        if (levels.Count == 0)
        {
            return KernelIsa.Default;
        }

        return levels.Contains(KernelIsa.Default) ? KernelIsa.Default : levels[0];
    }

    /// <summary>State shared by the steps of one gate run.</summary>
    private sealed class GateRun(ParityOptions options, Func<ModelGraph> pristineGraph, OnnxReference reference, CandidateModel candidate, ParityResult result, IsaLevel primary,
        DegenerateInputGuard guard, string[] watched, Task warmup)
    {
        private readonly Dictionary<string, Dictionary<string, TensorData>> _referenceOutputs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, TensorData>> _primaryOutputs = new(StringComparer.Ordinal);

        public List<ParitySample> AllSamples { get; } = [];

        /// <summary>
        /// Runs both sides on each sample (the reference on a worker thread, ours on this one: they share nothing)
        /// and judges them in sample order; returns the samples that decide the verdict.
        /// </summary>
        public List<ParitySample> Evaluate(IReadOnlyList<ParitySample> samples)
        {
            var batch = new List<ParitySample>();
            foreach (var sample in samples)
            {
                var id = UniqueId(sample.Id);
                var s = id == sample.Id ? sample : new ParitySample { Id = id, Origin = sample.Origin, Generated = sample.Generated, Inputs = sample.Inputs };
                AllSamples.Add(s);
                batch.Add(s);
            }

            var referenceRuns = Task.Run(() =>
            {
                warmup.GetAwaiter().GetResult();
                return batch.Select(s => reference.Run(s, watched)).ToList();
            });
            List<(Dictionary<string, TensorData>? Outputs, ModelBuildException? Error)> ours;
            try
            {
                ours = batch.Select(RunCandidate).ToList();
            }
            catch
            {
                Quiet(referenceRuns);
                throw;
            }

            var theirs = referenceRuns.GetAwaiter().GetResult();
            var judged = new List<ParitySample>();
            for (var i = 0; i < batch.Count; i++)
            {
                if (EvaluateOne(batch[i], theirs[i], ours[i].Outputs, ours[i].Error))
                {
                    judged.Add(batch[i]);
                }
            }

            return judged;
        }

        private (Dictionary<string, TensorData>? Outputs, ModelBuildException? Error) RunCandidate(ParitySample sample)
        {
            try
            {
                return (candidate.Run(sample, primary, reference.Outputs), null);
            }
            catch (ModelBuildException e)
            {
                return (null, e);
            }
        }

        private string UniqueId(string id)
        {
            var unique = id;
            for (var k = 2; AllSamples.Any(s => s.Id == unique); k++)
            {
                unique = $"{id}-{k}";
            }

            return unique;
        }

        private bool EvaluateOne(ParitySample sample, Dictionary<string, TensorData> refOut, Dictionary<string, TensorData>? candidateOut, ModelBuildException? candidateError)
        {
            var findings = guard.Check(name => refOut.GetValueOrDefault(name) ?? sample.Inputs.GetValueOrDefault(name));
            var sr = new SampleResult
            {
                Id = sample.Id,
                Origin = sample.Origin,
                Generated = sample.Generated,
                Degenerate = findings,
                ConstantInputs = sample.Inputs.Where(kv => IsConstant(kv.Value)).Select(kv => kv.Key).ToList(),
            };
            result.Samples.Add(sr);
            foreach (var input in sr.ConstantInputs)
            {
                result.Warning(ErrorCodes.ParityConstantSampleWarning, $"sample '{sample.Id}' ({sample.Origin}): input '{input}' is constant ({sample.Inputs[input].GetDouble(0)}); constant inputs are not representative of real data");
            }

            foreach (var f in findings)
            {
                if (options.Strict)
                {
                    result.Error(ErrorCodes.ParityDegenerateInput, $"sample '{sample.Id}' ({sample.Origin}) is ill-conditioned (strict): {f.Describe()}");
                }
                else
                {
                    result.Warning(ErrorCodes.ParityDegenerateSampleWarning, $"sample '{sample.Id}' ({sample.Origin}) is ill-conditioned and excluded from the verdict: {f.Describe()}");
                }
            }

            var outputs = reference.Outputs.Where(refOut.ContainsKey).ToArray();
            _referenceOutputs[sample.Id] = outputs.ToDictionary(o => o, o => refOut[o], StringComparer.Ordinal);
            if (candidateOut is null)
            {
                var e = candidateError!;
                sr.CandidateError = $"{e.Code}: {e.Message}";
                sr.Judged = findings.Count == 0;
                if (sr.Judged || options.Strict)
                {
                    result.Error(e.Code, $"our runtime failed on sample '{sample.Id}': {e.Message}");
                }

                return sr.Judged;
            }

            var got = candidateOut;
            _primaryOutputs[sample.Id] = got;
            foreach (var o in outputs)
            {
                var t = result.OutputThresholds[o];
                var metrics = got.TryGetValue(o, out var y)
                    ? TensorComparer.Compare(refOut[o], y, t)
                    : new TensorMetrics { ShapeMatch = false, Mismatch = "the converted model has no such output" };
                var pass = metrics.Passes(t);
                sr.Outputs.Add(new OutputResult(o, result.PrimaryIsa, metrics, pass, pass ? null : metrics.DescribeFailure(t)));
            }

            sr.Judged = findings.Count == 0;
            if (sr.Judged || options.Strict)
            {
                foreach (var o in sr.Outputs.Where(o => !o.Passed))
                {
                    var code = !o.Metrics.ShapeMatch ? ErrorCodes.ParityShapeMismatch : o.Metrics.NonFiniteMismatches > 0 ? ErrorCodes.ParityNonFinite : ErrorCodes.ParityFailed;
                    result.Error(code, $"output '{o.Output}' on sample '{sample.Id}' ({sample.Origin}) at ISA {o.Isa}: {o.Failure}");
                }
            }

            return sr.Judged;
        }

        private static bool IsConstant(TensorData t)
        {
            if (t.ElementCount < 2)
            {
                return false;
            }

            var first = t.GetDouble(0);
            for (long i = 1; i < t.ElementCount; i++)
            {
                if (t.GetDouble(i) != first)
                {
                    return false;
                }
            }

            return true;
        }

        public void RunIsaMatrix(List<IsaRequest> isas, List<ParitySample> judged)
        {
            var primaryColumn = new IsaColumn { Name = result.PrimaryIsa, Status = "ran", Note = "judged level" };
            primaryColumn.MaxRelVsReference = MaxOver(judged, s => result.Samples.First(r => r.Id == s.Id).Outputs.Select(o => o.Metrics.PeakRelError));
            primaryColumn.Passed = judged.All(s => result.Samples.First(r => r.Id == s.Id).Passed);
            result.Isas.Add(primaryColumn);
            foreach (var req in isas.Where(r => r.Name != result.PrimaryIsa))
            {
                if (req.Arm64)
                {
                    RunArm64(req, judged);
                    continue;
                }

                var level = req.Level!.Value;
                if (!IsaPlan.Supported(level))
                {
                    var note = $"this CPU does not support {req.Name}-bit vectors (best: {IsaPlan.Name(KernelIsa.Best)})";
                    result.Isas.Add(new IsaColumn { Name = req.Name, Status = "skipped", Note = note });
                    if (req.Explicit)
                    {
                        result.Warning(ErrorCodes.ParityColumnSkipped, $"ISA column {req.Name} skipped: {note}");
                    }

                    continue;
                }

                var column = new IsaColumn { Name = req.Name, Status = "ran" };
                result.Isas.Add(column);
                foreach (var sample in judged)
                {
                    if (!_primaryOutputs.TryGetValue(sample.Id, out var baseline))
                    {
                        continue;
                    }

                    Dictionary<string, TensorData> got;
                    try
                    {
                        got = candidate.Run(sample, level, _referenceOutputs[sample.Id].Keys.ToArray());
                    }
                    catch (ModelBuildException e)
                    {
                        column.Passed = false;
                        result.Error(e.Code, $"our runtime failed at ISA {req.Name} on sample '{sample.Id}': {e.Message}");
                        continue;
                    }

                    Judge(column, sample, got, baseline);
                }
            }
        }

        private void Judge(IsaColumn column, ParitySample sample, Dictionary<string, TensorData> got, Dictionary<string, TensorData> baseline)
        {
            foreach (var (o, r) in _referenceOutputs[sample.Id])
            {
                var t = result.OutputThresholds[o];
                if (!got.TryGetValue(o, out var y))
                {
                    column.Passed = false;
                    result.Error(ErrorCodes.ParityIsaDivergence, $"ISA {column.Name}: output '{o}' is missing on sample '{sample.Id}'");
                    continue;
                }

                var vsRef = TensorComparer.Compare(r, y, t);
                column.MaxRelVsReference = Math.Max(column.MaxRelVsReference, vsRef.PeakRelError);
                if (baseline.TryGetValue(o, out var b))
                {
                    var vsPrimary = TensorComparer.Compare(b, y, t);
                    column.MaxRelVsPrimary = Math.Max(column.MaxRelVsPrimary, vsPrimary.ShapeMatch ? vsPrimary.PeakRelError : double.PositiveInfinity);
                    column.MaxAbsVsPrimary = Math.Max(column.MaxAbsVsPrimary, vsPrimary.MaxAbsError);
                    column.BitIdenticalToPrimary &= vsPrimary.ShapeMatch && vsPrimary.MaxAbsError == 0 && vsPrimary.NonFiniteMismatches == 0;
                    if (!vsPrimary.ShapeMatch || vsPrimary.PeakRelError > t.MaxRelError || vsPrimary.NonFiniteMismatches > 0)
                    {
                        column.Passed = false;
                        result.Error(ErrorCodes.ParityIsaDivergence, $"output '{o}' on sample '{sample.Id}': ISA {column.Name} diverges from ISA {result.PrimaryIsa}: {vsPrimary.DescribeFailure(t)}");
                    }
                }

                if (!vsRef.Passes(t))
                {
                    column.Passed = false;
                    result.Error(ErrorCodes.ParityFailed, $"output '{o}' on sample '{sample.Id}' at ISA {column.Name}: {vsRef.DescribeFailure(t)}");
                }
            }
        }

        private void RunArm64(IsaRequest req, List<ParitySample> judged)
        {
            var runner = Arm64Runner.TryCreate(options.RepositoryRoot, options.OnnxPath, publishIfMissing: req.Explicit, out var why);
            if (runner is null)
            {
                if (req.Explicit)
                {
                    throw new ModelBuildException(ErrorCodes.UsageError, $"--isa arm64 was requested but cannot run: {why}");
                }

                result.Isas.Add(new IsaColumn { Name = IsaPlan.Arm64, Status = "skipped", Note = why });
                return;
            }

            var column = new IsaColumn { Name = IsaPlan.Arm64, Status = "ran", Note = $"{runner.Cli} under {runner.Qemu}" };
            result.Isas.Add(column);
            var bytes = candidate.Net is not null ? MnnModelWriter.Serialize(candidate.Net) : UserFiles.ReadAllBytes(options.MnnPath!, ErrorCodes.MnnFileNotFound, "MNN model");
            var mnnToOnnx = candidate.TensorNames.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);
            var outputNames = candidate.Model.Outputs.Select(o => o.Name).ToArray();
            foreach (var sample in judged.Where(s => _primaryOutputs.ContainsKey(s.Id)))
            {
                var feeds = candidate.Model.Inputs.Select(i => (i.Name, sample.Inputs.TryGetValue(mnnToOnnx.GetValueOrDefault(i.Name, i.Name), out var d) ? d : sample.Inputs[i.Name])).ToList();
                Dictionary<string, TensorData> raw;
                try
                {
                    raw = runner.Run(bytes, feeds, outputNames);
                }
                catch (ModelBuildException e)
                {
                    // the emulated run itself broke: a failure when arm64 was asked for, otherwise a skipped column
                    column.Passed = !req.Explicit;
                    if (req.Explicit)
                    {
                        result.Error(ErrorCodes.ParityIsaDivergence, $"arm64 run on sample '{sample.Id}' failed: {e.Message}");
                    }
                    else
                    {
                        result.Warning(ErrorCodes.ParityColumnSkipped, $"arm64 column abandoned: {e.Message}");
                    }

                    return;
                }

                var got = raw.ToDictionary(kv => mnnToOnnx.GetValueOrDefault(kv.Key, kv.Key), kv => kv.Value, StringComparer.Ordinal);
                Judge(column, sample, got, _primaryOutputs[sample.Id]);
            }
        }

        public void LocalizeFirstFailure(List<ParitySample> judged)
        {
            foreach (var sample in judged)
            {
                var sr = result.Samples.First(s => s.Id == sample.Id);
                var failed = sr.Outputs.FirstOrDefault(o => !o.Passed && o.Metrics.ShapeMatch);
                if (failed is null)
                {
                    continue;
                }

                try
                {
                    var localizer = new DivergenceLocalizer(pristineGraph(), reference, candidate, result.OutputThresholds[failed.Output]);
                    result.Localization = localizer.Localize(sample, failed.Output, primary);
                }
                catch (ModelBuildException e)
                {
                    result.Localization = new LocalizationResult { Output = failed.Output, SampleId = sample.Id, Note = $"localization failed: {e.Code}: {e.Message}" };
                }

                return;
            }
        }

        public void Emulate(List<ParitySample> judged) =>
            result.Emulation = Emulation.EmulationRun.Run(options, result, candidate, reference, pristineGraph, primary, judged, _referenceOutputs);

        private static double MaxOver(List<ParitySample> samples, Func<ParitySample, IEnumerable<double>> values) =>
            samples.SelectMany(values).DefaultIfEmpty(0).Max();
    }
}
