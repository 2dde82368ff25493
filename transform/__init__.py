"""Raw cell grids → contract frames: exact numbers, cleaned labels, canonical measures and item keys."""
