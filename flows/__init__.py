"""Prefect flows and the `budgetlake` command line: thin wiring over extract, transform and contracts."""
