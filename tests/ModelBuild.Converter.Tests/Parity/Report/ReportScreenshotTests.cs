using System.Diagnostics;
using ModelBuild.Converter.Parity.Reporting;

namespace ModelBuild.Converter.Tests.Parity.Report;

/// <summary>Renders the report in a real browser (headless Chromium) and looks at the pixels.</summary>
[TestClass]
public sealed class ReportScreenshotTests
{
    private const int Width = 1280, Height = 2000;

    [TestMethod]
    [Timeout(120_000)]
    public void HeadlessChromiumDrawsTheReport()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Assert.Inconclusive("no Chromium on this machine (looked for $MODELBUILD_CHROMIUM, chromium, chromium-browser, google-chrome on PATH); on Debian: apt-get install -y chromium");
        }

        var dir = Directory.CreateTempSubdirectory("mb-report-shot-").FullName;
        try
        {
            var (_, html) = ReportWriter.Write(Path.Combine(dir, "parity_report"), SampleReport.Build());
            var png = Path.Combine(dir, "report.png");
            var psi = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[]
            {
                "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-color-profile=srgb",
                $"--user-data-dir={Path.Combine(dir, "profile")}", $"--screenshot={png}", $"--window-size={Width},{Height}", new Uri(html).AbsoluteUri,
            })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(90_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("headless Chromium did not finish within 90 s");
            }

            Assert.IsTrue(File.Exists(png), $"no screenshot; chromium exit {p.ExitCode}: {stderr.Result}");
            Assert.IsGreaterThan(20_000L, new FileInfo(png).Length, "a page with tables, text and charts compresses to more than a blank one");
            var image = PngImage.Read(png);
            Assert.AreEqual(Width, image.Width);
            Assert.AreEqual(Height, image.Height);

            // the verdict heading, the beyond-limit and within-limit bars are drawn in their colours
            Assert.IsGreaterThan(200, image.Count(0xb00020), "FAILED verdict text (#b00020)");
            Assert.IsGreaterThan(2_000, image.Count(0xc0392b), "beyond-the-limit histogram bars (#c0392b)");
            Assert.IsGreaterThan(2_000, image.Count(0xe0a030), "near-the-limit histogram bars (#e0a030)");
            Assert.IsGreaterThan(2_000, image.Count(0x3a7bd5), "within-limit histogram bars (#3a7bd5)");
            var white = image.Count(0xffffff, 0);
            Assert.IsLessThan(Width * Height * 97L / 100, (long)white, "most of the page is white, but not all of it");
            if (Environment.GetEnvironmentVariable("MODELBUILD_REPORT_SCREENSHOT") is { Length: > 0 } keep)
            {
                // evidence for a person to look at: the screenshot and the page it was taken of
                File.Copy(png, keep, overwrite: true);
                File.Copy(html, Path.ChangeExtension(keep, ".html"), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("MODELBUILD_CHROMIUM") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : null;
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => path.Select(d => Path.Combine(d, name)))
            .FirstOrDefault(File.Exists);
    }
}
