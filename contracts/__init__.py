"""Output table declarations, the schemas derived from them, accounting checks and the Parquet warehouse."""
