using System.Text.RegularExpressions;
using ModelBuild.Converter.Parity.Reporting;

namespace ModelBuild.Converter.Tests.Parity.Report;

[TestClass]
public sealed class HtmlReportTests
{
    private static readonly string s_html = HtmlReport.Render(SampleReport.Build());

    [TestMethod]
    public void NumbersHaveThreeSignificantDigits()
    {
        StringAssert.Contains(s_html, "<td>0.0308</td><td>0.0123</td><td>0.00432</td>", "max |y−r|, relative error, rel L2 at G3");
        StringAssert.Contains(s_html, "[0,3,17,42]: 1.23 → 1.27", "worst elements at G3");
        StringAssert.Contains(s_html, "123 (0.188%)", "violation share at G3");
        Assert.DoesNotContain("1.23456789", s_html);
        Assert.DoesNotContain("0.0307654321", s_html);
    }

    [TestMethod]
    public void CosinesShowThreeDigitsOfTheirDistanceToOne()
    {
        StringAssert.Contains(s_html, "cosine similarity ≥ 0.9999", "the limit");
        StringAssert.DoesNotMatch(s_html, new Regex("cosine similarity ≥ 1[^.0-9]"), "a 0.9999 limit never prints as 1");
        StringAssert.Contains(s_html, "<td>0.999871</td>", "0.99987123456: gap 1.29e-4 to three digits");
        StringAssert.Contains(s_html, "<td>0.99999999873</td>", "0.99999999873: gap 1.27e-9");
        Assert.AreEqual("0.9999", ReportNumbers.Cosine(0.9999));
        Assert.AreEqual("1", ReportNumbers.Cosine(1));
        Assert.AreEqual("0.5", ReportNumbers.Cosine(0.5));
        Assert.AreEqual("-0.25", ReportNumbers.Cosine(-0.25));
        Assert.AreEqual("NaN", ReportNumbers.Cosine(double.NaN));
    }

    [TestMethod]
    public void ElementwiseCountsNameTheirTolerances()
    {
        StringAssert.Contains(s_html, "(|y−r| &gt; atol + rtol·|r|, atol 1E-05, rtol 0.001;<br>reported, not judged)", "the header names the global rule and that it does not decide");
        StringAssert.Contains(s_html, "at atol 0.0001, rtol 0</span>", "an output with its own tolerances says which produced its count");
    }

    [TestMethod]
    public void HistogramIsColouredAgainstTheLimitWithALegend()
    {
        StringAssert.Contains(s_html, "class=legend", "a legend");
        foreach (var words in new[] { "below a tenth of the limit", "within a decade of the limit", "beyond the limit" })
        {
            StringAssert.Contains(s_html, words);
        }

        // logits' limit is 0.001 × 2.5: the 1e-2 bucket is beyond it, 1e-3 straddles it, 1e-4 reaches within a decade, 1e-5 stays below a tenth
        StringAssert.Contains(s_html, "limit |y−r| ≤ 0.0025 (relative error 0.001 × max|r| 2.5)");
        var logits = s_html[s_html.IndexOf("<h3>logits</h3>", StringComparison.Ordinal)..s_html.IndexOf("<h3>probs</h3>", StringComparison.Ordinal)];
        StringAssert.Contains(logits, "fill=\"#c0392b\"><title>1e-2: 900</title>");
        StringAssert.Contains(logits, "fill=\"#e0a030\"><title>1e-3: 4000</title>");
        StringAssert.Contains(logits, "fill=\"#e0a030\"><title>1e-4: 25000</title>");
        StringAssert.Contains(logits, "fill=\"#3a7bd5\"><title>1e-5: 30000</title>");
        StringAssert.Contains(logits, "stroke-dasharray", "the limit is drawn");
        StringAssert.Contains(logits, ">limit 0.0025</text>");
        var probs = s_html[s_html.IndexOf("<h3>probs</h3>", StringComparison.Ordinal)..];
        StringAssert.Contains(probs, "fill=\"#3a7bd5\"><title>1e-6: 96</title>", "probs' errors stay far below its limit 0.001");
    }

    [TestMethod]
    public void WorstElementsAreOneUnbrokenLineEach()
    {
        StringAssert.Contains(s_html, "td.worst span{white-space:nowrap;display:block}");
        StringAssert.Contains(s_html, "<td class=worst><span>[0,3,17,42]: 1.23 → 1.27</span><span>[0,1,100,225]: -0.000123 → 0.0211</span>");
    }

    [TestMethod]
    public void CodeSpansWrapWithoutCoveringUnderscores()
    {
        // vertical padding on an inline background paints over the descenders (underscores) of the line above
        var code = Regex.Match(s_html, "code\\{([^}]*)\\}").Groups[1].Value;
        StringAssert.Contains(code, "padding:0 ");
        StringAssert.Contains(code, "overflow-wrap:anywhere", "long paths wrap inside the span instead of overflowing");
        StringAssert.Contains(s_html, "<code>" + SampleReport.LongPath.Replace("/", "/<wbr>", StringComparison.Ordinal) + "</code>", "paths may break after a '/', underscores are kept as they are");
    }
}
