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
        // Attention, some function ops, quantized ops, 3-D convolutions, static sequences and Resize modes Interp lacks need their inputs' ranks or shapes; their expansions are inferred after.
        if (AttentionExpansion.Run(graph) | FunctionExpansion.Run(graph) | QuantizationExpansion.Run(graph) | Conv3dLowering.Run(graph) | ResizeLowering.Run(graph) | ConvTransposeGrowth.Run(graph) | IntegerMaxPool.Run(graph) | SequenceElimination.Run(graph))
        {
            ShapeInference.Run(graph);
        }

        // Pools written as gathers need their input's shape, which for LpPool's expansion is known only now.
        if (PoolGatherLowering.Run(graph))
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
