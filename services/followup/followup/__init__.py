"""The follow-up service: trials, metrics, measurements, verdicts, the shared library and portfolios."""
