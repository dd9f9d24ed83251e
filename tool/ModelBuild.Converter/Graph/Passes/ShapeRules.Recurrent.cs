namespace ModelBuild.Converter.Graph.Passes;

internal static partial class ShapeRules
{
    /// <summary>
    /// LSTM / GRU / RNN: Y [seq, dirs, batch, H] and Y_h (LSTM also Y_c) [dirs, batch, H]; with layout = 1 Y is
    /// [batch, seq, dirs, H] and the states [batch, dirs, H]. dirs from the direction attribute, H from hidden_size or R.
    /// </summary>
    private static IReadOnlyList<OutputInfo> Recurrent(Ctx c)
    {
        var n = c.N;
        var dirs = Dim.Known(n.GetString("direction", "forward") == "bidirectional" ? 2 : 1);
        var hidden = n.Has("hidden_size") ? Dim.Known(n.GetInt("hidden_size", 0)) : c.Shape(2) is [_, _, var h] ? h : Dim.Unknown();
        var batchFirst = n.GetInt("layout", 0) == 1;
        Dim[]? y = null, state = null;
        if (c.Shape(0) is [var a, var b, _])
        {
            var (seq, batch) = batchFirst ? (b, a) : (a, b);
            y = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
            state = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
        }

        var type = c.Type(0);
        return n.OpType == "LSTM"
            ? [new(type, y), new(type, state), new(type, state)]
            : [new(type, y), new(type, state)];
    }
}
