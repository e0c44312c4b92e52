"""Data sources behind one interface (``base.Provider``): CSV folders, Yahoo, the DuckDB store."""
