"""budgetlake's benchmark harness: N copies of the real corpus PDFs, the camelot baseline, warm no-op, latency, scans; `python -m bench`."""
