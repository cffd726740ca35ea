"""The metro network as data: lines, their ordered stations and inter-station distances.

A station is one node per station *name*: the same name on two lines is a transfer station
(the source names transfer stations identically on every line). A line is a sequence of
stations with the distance from the previous one [m]; on a loop line the first station's
distance is the closing segment from the last station back to the first (in the reference data
the loop lines 2号线 and 10号线 carry it: their first rows hold 1,899 m and 1,717 m, and their
distances sum to 23,000 m and 56,803 m).

The reference network is Beijing-Subway-Tools by Yihe Li (Mick235711), MIT licence, flattened
to ``data/line_stations.parquet`` and ``data/lines.parquet`` (see ``DATA_SOURCES.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["Line", "Network", "reference_network"]


@dataclass(frozen=True)
class Line:
    """One line: ordered stations, the distance to each from the previous one [m], its design
    speed [km/h] and whether it is a loop (then ``distances_m[0]`` closes the loop)."""

    name: str
    stations: tuple[str, ...]
    distances_m: tuple[float, ...]
    design_speed_kmh: float
    loop: bool = False
    name_en: str = ""

    def __post_init__(self) -> None:
        if len(self.stations) < 2:
            raise BadInputError(f"line {self.name!r}: {len(self.stations)} stations, expected at least 2")
        if len(self.distances_m) != len(self.stations):
            raise BadInputError(f"line {self.name!r}: {len(self.distances_m)} distances for "
                                f"{len(self.stations)} stations, expected one per station")
        if len(set(self.stations)) != len(self.stations):
            raise BadInputError(f"line {self.name!r}: a station appears twice in {self.stations}")
        for station, d in zip(self.stations[1:], self.distances_m[1:], strict=True):
            if not d > 0:
                raise BadInputError(f"line {self.name!r}, station {station!r}: distance {d!r} m, expected > 0")
        if self.loop and not self.distances_m[0] > 0:
            raise BadInputError(f"loop line {self.name!r}: closing distance {self.distances_m[0]!r} m, expected > 0")
        if not self.design_speed_kmh > 0:
            raise BadInputError(f"line {self.name!r}: design speed {self.design_speed_kmh!r} km/h, expected > 0")

    def segments(self) -> list[tuple[str, str, float]]:
        """``(from, to, distance_m)`` of each segment in line order, the closing one last on a loop."""
        out = [(a, b, d) for a, b, d in zip(self.stations, self.stations[1:], self.distances_m[1:], strict=False)]
        if self.loop:
            out.append((self.stations[-1], self.stations[0], self.distances_m[0]))
        return out

    @property
    def length_m(self) -> float:
        """Route length [m], the closing segment included on a loop."""
        return sum(d for _, _, d in self.segments())


@dataclass(frozen=True)
class Network:
    """Lines and the stations they serve (sorted by name, which fixes every index)."""

    lines: tuple[Line, ...]

    def __post_init__(self) -> None:
        names = [line.name for line in self.lines]
        if len(set(names)) != len(names):
            raise BadInputError(f"line names must be unique, got {names}")

    @property
    def stations(self) -> tuple[str, ...]:
        return tuple(sorted({s for line in self.lines for s in line.stations}))

    def line(self, name: str) -> Line:
        for line in self.lines:
            if name in (line.name, line.name_en):
                return line
        raise NotFoundError(f"no line {name!r}; lines: {', '.join(line.name for line in self.lines)}")

    def lines_at(self, station: str) -> list[str]:
        return [line.name for line in self.lines if station in line.stations]

    def check_station(self, station: str) -> str:
        if station not in set(self.stations):
            raise NotFoundError(f"no station {station!r} in the network of {len(self.stations)} stations")
        return station

    @classmethod
    def from_frames(cls, line_stations: pd.DataFrame, lines: pd.DataFrame) -> Network:
        """Build from a table of ``line, seq, station, dist_from_prev_m`` and one of
        ``line, design_speed_kmh, loop`` (optional ``aliases``: its first alias is the English name)."""
        for frame, cols, what in ((line_stations, ("line", "seq", "station", "dist_from_prev_m"), "line stations"),
                                  (lines, ("line", "design_speed_kmh", "loop"), "lines")):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise BadInputError(f"{what} table: missing columns {missing}, expected {list(cols)}")
        attributes = lines.set_index("line")
        built = []
        for name, rows in line_stations.sort_values(["line", "seq"]).groupby("line", sort=True):
            if name not in attributes.index:
                raise BadInputError(f"line {name!r} has stations but no row in the lines table")
            row = attributes.loc[name]
            loop = str(row["loop"]).strip().lower() in ("true", "1")
            distances = [0.0 if pd.isna(d) else float(d) for d in rows["dist_from_prev_m"]]
            aliases = str(row.get("aliases", "") or "")
            built.append(Line(name=str(name), stations=tuple(rows["station"]), distances_m=tuple(distances),
                              design_speed_kmh=float(row["design_speed_kmh"]), loop=loop,
                              name_en=aliases.split("|")[0] if aliases and aliases != "nan" else ""))
        return cls(tuple(built))


def _data(name: str) -> pd.DataFrame:
    return pd.read_parquet(resources.files("citytwin.transport") / "data" / name)


def reference_network() -> Network:
    """Beijing's metro, 28 lines (Batong folded into 1号线), as of the dates in ``lines.parquet``."""
    return Network.from_frames(_data("line_stations.parquet"), _data("lines.parquet"))
