using System.Reflection;
using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime;

/// <summary>
/// Maps MNN op types to executor classes: every non-abstract <see cref="OperatorExecutor"/> in this assembly
/// marked <see cref="MnnOperatorAttribute"/>, found once by reflection. <c>Input</c> and <c>Const</c> are handled
/// by the engine itself and count as supported.
/// </summary>
internal static class OperatorRegistry
{
    private static readonly Lazy<Dictionary<OpType, Type>> s_executors = new(Scan);

    /// <summary>Op types the engine handles without an executor.</summary>
    public static readonly IReadOnlySet<OpType> EngineHandled = new HashSet<OpType> { OpType.Input, OpType.Const, OpType.TrainableParam };

    public static IReadOnlyDictionary<OpType, Type> Executors => s_executors.Value;

    public static bool IsSupported(OpType type) => EngineHandled.Contains(type) || s_executors.Value.ContainsKey(type);

    /// <summary>Instantiates the executor for <paramref name="op"/>; MB3003 when its type has none.</summary>
    public static OperatorExecutor Create(OpT op, string modelName, ExecutorEnvironment? environment = null)
    {
        if (!s_executors.Value.TryGetValue(op.Type, out var type))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"{modelName}: op '{op.Name}' has type {op.Type}, which this runtime does not implement");
        }

        try
        {
            var withEnvironment = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(OpT), typeof(ExecutorEnvironment)]);
            if (withEnvironment is not null)
            {
                return (OperatorExecutor)withEnvironment.Invoke([op, environment ?? new ExecutorEnvironment(modelName, [], new MnnSessionOptions())]);
            }

            var withOp = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(OpT)]);
            if (withOp is not null)
            {
                return (OperatorExecutor)withOp.Invoke([op]);
            }

            return (OperatorExecutor)Activator.CreateInstance(type, nonPublic: true)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is ModelBuildException mb)
        {
            throw new ModelBuildException(mb.Code, $"{modelName}: op '{op.Name}' ({op.Type}): {mb.Message}", mb);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                $"{modelName}: op '{op.Name}' ({op.Type}) has invalid parameters: {e.InnerException.Message}", e.InnerException);
        }
    }

    private static Dictionary<OpType, Type> Scan()
    {
        var map = new Dictionary<OpType, Type>();
        foreach (var type in typeof(OperatorRegistry).Assembly.GetTypes())
        {
            if (type.IsAbstract || !typeof(OperatorExecutor).IsAssignableFrom(type))
            {
                continue;
            }

            foreach (var attr in type.GetCustomAttributes<MnnOperatorAttribute>())
            {
                foreach (int t in attr.OpTypes)
                {
                    if (!map.TryAdd((OpType)t, type))
                    {
                        throw new InvalidOperationException(
                            $"op type {(OpType)t} has two executors: {map[(OpType)t].FullName} and {type.FullName}");
                    }
                }
            }
        }

        return map;
    }
}
