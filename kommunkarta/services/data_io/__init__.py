"""Data in and out: import, export, open-data serialisation, PSTW, demo data and backups."""
