"""PDF → raw cell grids: locate the standard tables by title, read them with camelot, keep each cell's page."""
