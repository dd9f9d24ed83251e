// CLI tests share Console-independent writers but run real conversions; keep them sequential for stable timing on 2 cores.
[assembly: DoNotParallelize]
