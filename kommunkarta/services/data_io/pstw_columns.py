"""The columns of the EU Public Sector Tech Watch (PSTW) data set, spelled as published.

`import-pstw` (data_io.pstw) finds them in a file, whatever their case and spacing;
`export-pstw` (data_io.pstw_export) writes them in this order, with our attribution last.
"""

from __future__ import annotations

from kommunkarta.services.data_io import pstw_mapping as mapping
from kommunkarta.services.data_io import sources

SOURCE = sources.PSTW

# The published columns, spelled as published.
ID = "PSTW ID"
NAME = "Name"
WEBSITE = "Website"
DESCRIPTION = "Description"
EXTENT = "Geographical extent"
COUNTRY = "Geographical coverage (country)"
NUTS = "NUTS 2021"
ORGANISATION = "Responsible organisation"
CATEGORY = "Responsible organisation category"
FUNCTIONS = "Functions of Government (COFOG level I)"
STATUS = " Status"
START_YEAR = "Start Year"
END_YEAR = "End Year"
PRIMARY_TECHNOLOGY = "Primary Technology"
CLASSIFICATION = "AI Classification (I)"
# "AI Classification Subdomain (II) (main)", "(other)": read from every column named so
SUBDOMAIN = "AI Classification Subdomain (II)"
SUBDOMAIN_HEADERS = ("ai classification subdomain", "ai classification ii", "subdomain")
KEYWORDS = "AI Keywords"
UPDATED = "Date updated"
# ours, after the published ones: whom to credit for the row
ATTRIBUTION = "Source"

REQUIRED = (ID, NAME, COUNTRY, EXTENT, ORGANISATION, CATEGORY, STATUS)
BENEFIT_COLUMNS = tuple(dict.fromkeys(column for column, _ in mapping.BENEFITS))
COLUMNS = (
    ID,
    NAME,
    WEBSITE,
    DESCRIPTION,
    EXTENT,
    COUNTRY,
    NUTS,
    ORGANISATION,
    CATEGORY,
    FUNCTIONS,
    STATUS,
    START_YEAR,
    END_YEAR,
    PRIMARY_TECHNOLOGY,
    CLASSIFICATION,
    KEYWORDS,
    *BENEFIT_COLUMNS,
    UPDATED,
    ATTRIBUTION,
)
