"""The register's life cycle: reading, writing, moderating and keeping initiatives fresh."""
