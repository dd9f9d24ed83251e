namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Whether a BatchNormalization or Dropout node asks for training behaviour (batch statistics, random drops),
/// which the converter never computes: such nodes must be rejected, not folded or removed as inference ops.
/// </summary>
public static class TrainingMode
{
    /// <summary>Versions before opset 7 had <c>is_test</c>, default 0: training unless the exporter set it.</summary>
    public const int IsTestRemovedOpset = 7;

    public static bool Requested(ModelGraph graph, Node node) => node.OpType switch
    {
        "BatchNormalization" => node.GetInt("training_mode", 0) != 0 || LegacyTraining(graph, node),
        "Dropout" => LegacyTraining(graph, node),
        _ => false,
    };

    private static bool LegacyTraining(ModelGraph graph, Node node) =>
        graph.Opset < IsTestRemovedOpset && node.GetInt("is_test", 0) == 0;
}
