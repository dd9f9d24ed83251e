namespace ModelBuild.Converter.Graph.Passes;

/// <summary>The converter's graph passes, in their required order.</summary>
public static class PassPipeline
{
    public static void Run(ModelGraph graph)
    {
        ScanLowering.Run(graph);
        LegacyBroadcast.Run(graph);
        IdentityElimination.Run(graph);
        ShapeInference.Run(graph);
        // Attention and some function ops need their inputs' ranks, then their expansions are inferred.
        if (AttentionExpansion.Run(graph) | FunctionExpansion.Run(graph))
        {
            ShapeInference.Run(graph);
        }

        ConstantFolding.Run(graph);

        // An If decided at conversion time is replaced by its branch, whose nodes may fold further (nested Ifs too).
        while (IfFolding.Run(graph))
        {
            IdentityElimination.Run(graph);
            ShapeInference.Run(graph);
            ConstantFolding.Run(graph);
        }

        DeadNodeElimination.Run(graph);
        BatchNormFolding.Run(graph);
        ActivationFusion.Run(graph);
        DeadNodeElimination.Run(graph);
        ShapeInference.Run(graph);
    }
}
