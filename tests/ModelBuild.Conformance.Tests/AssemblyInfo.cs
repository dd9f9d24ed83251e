// The suites share docs/conformance.md and baseline-passing.txt and each uses both cores itself: run them one at a time.
[assembly: DoNotParallelize]
