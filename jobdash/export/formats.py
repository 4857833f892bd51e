"""How a workbook looks: its font, number formats, colours and print setup, in one place.

The font is Excel's own default (Calibri 11), named with its size on every styled cell so
that the header and the Summary's bold cells match the data cells; LibreOffice shows it as
Carlito (metric-compatible) or, without that, as its default sans (never a serif). Colours
come from the design tokens.
"""

from __future__ import annotations

from jobdash.tokens import COLORS

FONT_NAME = "Calibri"
FONT_SIZE = 11
TITLE_SIZE = 16
SECTION_SIZE = 12
FOOTER_SIZE = 9

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
UTC_DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"

# Durations are Excel durations (days) of whole seconds, shown as the page shows them:
# "45s" under a minute, "24m 52s" under an hour, "2h 15m" from an hour on ("26h 3m" past a
# day, where the page says "1d 2h"). The two conditions sit half a second below 60 s and
# 3,600 s, so a whole number of seconds never lands on a boundary's rounding error.
DURATION_FORMAT = '[<0.000688657407407407][s]"s";[<0.0416608796296296][m]"m "s"s";[h]"h "m"m"'

HEADER_FILL = COLORS["primary_strong"].removeprefix("#")  # white text on it: 6.7:1
HEADER_TEXT = COLORS["surface"].removeprefix("#")
TEXT = COLORS["text"].removeprefix("#")
MUTED = COLORS["text_muted"].removeprefix("#")
RULE = COLORS["border_strong"].removeprefix("#")

# Page margins in inches (left and right, top and bottom, header and footer lines).
MARGIN_SIDE = 0.4
MARGIN_END = 0.6
MARGIN_HEADER = 0.3
# Footer on every printed page: the sheet's name on the left, "Page 2 of 7" on the right.
FOOTER_LEFT = "&A"
FOOTER_RIGHT = "Page &P of &N"
