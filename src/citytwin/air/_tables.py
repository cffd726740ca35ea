"""Breakpoint tables of the air-quality indices, as data, each beside its source.

China (HJ 633): a table is the list of concentration breakpoints ``BP`` matching the index
levels :data:`CN_IAQI` (``0, 50, 100, 150, 200, 300, 400, 500``); a shorter list stops where
the standard's column stops. Units: µg/m³, CO in mg/m³.

- HJ 633-2012 《环境空气质量指数（AQI）技术规定（试行）》, Table 1 (issued 2012-02-29).
  https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/201203/W020120410332725219541.pdf
- HJ 633-2026, Table 3 (effective 2026-03-01): identical except the IAQI = 100 breakpoints of
  PM10 (150 → 120) and PM2.5 (75 → 60).

United States (EPA-2024): a table is a list of segments ``(C_lo, C_hi, I_lo, I_hi)``, the rows of
Table 6 of *Technical Assistance Document for the Reporting of Daily Air Quality – the Air Quality
Index (AQI)*, EPA-454/B-24-002, May 2024 (PM2.5 rows of the 2024 PM NAAQS revision; the two
Hazardous rows merged into one, 301–500). Units: ppm for O3 and CO, ppb for SO2 and NO2, µg/m³ for
PM. Empty cells of the table are absent segments: 8-h O3 stops at 300, 1-h O3 starts at 101, 1-h
SO2 stops at 200 and 24-h SO2 starts at 201.
"""

from __future__ import annotations

__all__ = [
    "CN_IAQI",
    "CN_TABLES",
    "EPA_DECIMALS",
    "EPA_TABLES",
    "LEVEL_BOUNDS",
    "CN_CATEGORIES",
    "EPA_CATEGORIES",
]

# HJ 633-2012, Table 1, column "空气质量分指数 (IAQI)".
CN_IAQI: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2012, Table 1. Key: (pollutant, period). Notes (1)-(3) of the table: 1-h SO2 stops at
# 800 (IAQI 200) and 8-h O3 at 800 (IAQI 300); what happens above is a rule of each version.
_HJ633_2012: dict[tuple[str, str], tuple[float, ...]] = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}

# HJ 633-2026, Table 3: only the IAQI = 100 breakpoints of PM10 and PM2.5 differ from 2012.
_HJ633_2026 = dict(_HJ633_2012)
_HJ633_2026[("pm10", "24h")] = (0, 50, 120, 250, 350, 420, 500, 600)
_HJ633_2026[("pm25", "24h")] = (0, 35, 60, 115, 150, 250, 350, 500)

CN_TABLES: dict[str, dict[tuple[str, str], tuple[float, ...]]] = {
    "HJ633-2012": _HJ633_2012,
    "HJ633-2026": _HJ633_2026,
}

# EPA-454/B-24-002 (May 2024), Table 6. Segments (C_lo, C_hi, I_lo, I_hi).
EPA_TABLES: dict[tuple[str, str], tuple[tuple[float, float, int, int], ...]] = {
    ("o3", "8h"): (
        (0.000, 0.054, 0, 50),
        (0.055, 0.070, 51, 100),
        (0.071, 0.085, 101, 150),
        (0.086, 0.105, 151, 200),
        (0.106, 0.200, 201, 300),
    ),
    ("o3", "1h"): (
        (0.125, 0.164, 101, 150),
        (0.165, 0.204, 151, 200),
        (0.205, 0.404, 201, 300),
        (0.405, 0.604, 301, 500),
    ),
    ("pm25", "24h"): (
        (0.0, 9.0, 0, 50),
        (9.1, 35.4, 51, 100),
        (35.5, 55.4, 101, 150),
        (55.5, 125.4, 151, 200),
        (125.5, 225.4, 201, 300),
        (225.5, 325.4, 301, 500),
    ),
    ("pm10", "24h"): (
        (0, 54, 0, 50),
        (55, 154, 51, 100),
        (155, 254, 101, 150),
        (255, 354, 151, 200),
        (355, 424, 201, 300),
        (425, 604, 301, 500),
    ),
    ("co", "8h"): (
        (0.0, 4.4, 0, 50),
        (4.5, 9.4, 51, 100),
        (9.5, 12.4, 101, 150),
        (12.5, 15.4, 151, 200),
        (15.5, 30.4, 201, 300),
        (30.5, 50.4, 301, 500),
    ),
    ("so2", "1h"): (
        (0, 35, 0, 50),
        (36, 75, 51, 100),
        (76, 185, 101, 150),
        (186, 304, 151, 200),
    ),
    ("so2", "24h"): (
        (305, 604, 201, 300),
        (605, 1004, 301, 500),
    ),
    ("no2", "1h"): (
        (0, 53, 0, 50),
        (54, 100, 51, 100),
        (101, 360, 101, 150),
        (361, 649, 151, 200),
        (650, 1249, 201, 300),
        (1250, 2049, 301, 500),
    ),
}

# EPA-454/B-24-002, §IV "Calculating the AQI": truncate before equation 1 to these decimals.
EPA_DECIMALS: dict[str, int] = {"o3": 3, "pm25": 1, "pm10": 0, "co": 1, "so2": 0, "no2": 0}

# Upper AQI bound of levels 1..5 (HJ 633-2012 Table 2; EPA-454/B-24-002 Table 1); level 6 above.
LEVEL_BOUNDS: tuple[int, ...] = (50, 100, 150, 200, 300)

# (zh, en, colour) per level 1..6. HJ 633-2012 Table 2 and Appendix A (RGB → hex):
# 0,228,0  255,255,0  255,126,0  255,0,0  153,0,76  126,0,35.
CN_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("优", "Excellent", "#00E400"),
    ("良", "Good", "#FFFF00"),
    ("轻度污染", "Lightly polluted", "#FF7E00"),
    ("中度污染", "Moderately polluted", "#FF0000"),
    ("重度污染", "Heavily polluted", "#99004C"),
    ("严重污染", "Severely polluted", "#7E0023"),
)

# EPA-454/B-24-002, Tables 1 and 2 (names and RGB colours of the six categories).
EPA_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("良好", "Good", "#00E400"),
    ("中等", "Moderate", "#FFFF00"),
    ("对敏感人群不健康", "Unhealthy for Sensitive Groups", "#FF7E00"),
    ("不健康", "Unhealthy", "#FF0000"),
    ("非常不健康", "Very Unhealthy", "#8F3F97"),
    ("危险", "Hazardous", "#7E0023"),
)
