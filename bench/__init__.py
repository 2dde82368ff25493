"""budgetlake's benchmark harness (issue 5): cold/warm/baseline/scale/latency cases, run with `python -m bench`."""
