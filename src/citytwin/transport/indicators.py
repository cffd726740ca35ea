"""Low-carbon transport indicators, and the pathway measures they translate into.

Two indicators, both given by the caller with their source (the reference data pack holds no
modal split and no vehicle fleet for the sub-center, so nothing is filled in):

* ``public_transport_share`` — share of trips by public transport (metro and bus) [0–1];
* ``ev_share`` — share of road vehicle-kilometres driven electrically [0–1].

:func:`pathway_measures` turns a present and a target value of each into measures of the form
``citytwin.carbon.pathway`` reads from a scenario's ``[[measures]]`` (sector ``transport``):

* EV share → an ``electrify`` measure whose ``potential`` is the share of the remaining
  combustion vehicle-km electrified at full adoption: ``(ev_target − ev_now) / (1 − ev_now)``;
* public-transport share → an ``efficiency`` measure on road-transport fuel whose ``potential``
  is the share of the remaining private trips that move to public transport:
  ``(pt_target − pt_now) / (1 − pt_now)``. This treats every trip not by public transport as a
  private road trip and the road fuel per trip as constant, an upper bound when walking and
  cycling carry part of the rest (state it with the result).

Published context, Beijing-wide and not the sub-center's own figures (report of the Beijing vice
mayor to the Municipal People's Congress Standing Committee, 21 September 2023, as reported by
Xinhua): new-energy and clean-energy vehicles are 94 % of ground buses, battery-electric cars
65 % of cruising taxis, 70 % of the 2023 new passenger-car quota goes to new-energy vehicles,
692,000 new-energy vehicles had been registered by the end of June 2023, and walking and cycling
made 47.1 % of trips in the central city in the first half of 2023. See :data:`BEIJING_CONTEXT`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from citytwin.errors import BadInputError

__all__ = ["BEIJING_CONTEXT", "Indicators", "adoption_at", "beijing_context", "check_share", "measures_report",
           "measures_toml", "pathway_measures"]

_XINHUA_2023 = ("Xinhua, 2023-09-21: Beijing vice mayor Gao Peng's report on green transport to the 5th "
                "session of the 16th Beijing Municipal People's Congress Standing Committee")

#: Published Beijing-wide figures (not the sub-center's): name → (value, unit, source).
BEIJING_CONTEXT: dict[str, tuple[float, str, str]] = {
    "bus_new_and_clean_energy_share": (0.94, "1", _XINHUA_2023),
    "cruising_taxi_battery_electric_share": (0.65, "1", _XINHUA_2023),
    "new_car_quota_nev_share_2023": (0.70, "1", _XINHUA_2023),
    "nev_registered_end_june_2023": (692_000, "vehicles", _XINHUA_2023),
    "central_city_walk_cycle_trip_share_2023h1": (0.471, "1", _XINHUA_2023),
}


def check_share(value: float, what: str) -> float:
    """``value`` as a float if it is a share in [0, 1]; else a `BadInputError` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise BadInputError(f"{what} {value!r}: expected a share between 0 and 1")
    return float(value)


@dataclass(frozen=True)
class Indicators:
    """The two indicators of one jurisdiction and year, each with where it comes from."""

    jurisdiction: str
    year: int
    public_transport_share: float
    ev_share: float
    public_transport_source: str
    ev_source: str

    def __post_init__(self) -> None:
        check_share(self.public_transport_share, "public_transport_share")
        check_share(self.ev_share, "ev_share")
        for name in ("public_transport_source", "ev_source"):
            if not str(getattr(self, name)).strip():
                raise BadInputError(f"{name}: expected the source of the figure, got nothing")

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def pathway_measures(now: Indicators, target: Indicators, *, start: int, midpoint: float,
                     ev_cost_cny_per_t: float, pt_cost_cny_per_t: float, steepness: float = 0.3,
                     efficiency_ratio: float = 3.0) -> list[dict]:
    """Pathway measures (``citytwin.carbon.pathway`` scenario form) that take the indicators from
    ``now`` to ``target``. ``efficiency_ratio`` is the energy of a combustion vehicle-km over an
    electric one [-]; ``midpoint`` [year] and ``steepness`` [1/yr] shape the logistic adoption;
    the costs per tonne abated [CNY/t CO2] are the caller's, as the scenario file states them."""
    if target.year <= now.year:
        raise BadInputError(f"target year {target.year}: expected after {now.year}")
    if not now.year <= start <= target.year:
        raise BadInputError(f"start {start}: expected a year from the present {now.year} to the target {target.year}")
    for what, value in (("midpoint", midpoint), ("ev_cost_cny_per_t", ev_cost_cny_per_t),
                        ("pt_cost_cny_per_t", pt_cost_cny_per_t)):
        if not math.isfinite(value):
            raise BadInputError(f"{what} {value!r}: expected a finite number")
    for what, value in (("steepness", steepness), ("efficiency_ratio", efficiency_ratio)):
        if not (math.isfinite(value) and value > 0):
            raise BadInputError(f"{what} {value!r}: expected a finite number above 0")
    measures = []
    if target.ev_share < now.ev_share or target.public_transport_share < now.public_transport_share:
        raise BadInputError("target shares must not be below the present ones: "
                            f"EV {now.ev_share} → {target.ev_share}, public transport "
                            f"{now.public_transport_share} → {target.public_transport_share}")
    if now.ev_share < 1:
        measures.append({
            "id": "ev_share", "kind": "electrify", "sector": "transport", "start": start,
            "potential": (target.ev_share - now.ev_share) / (1 - now.ev_share), "efficiency_ratio": efficiency_ratio,
            "cost_cny_per_t": ev_cost_cny_per_t, "midpoint": midpoint, "steepness": steepness,
            "name_en": f"EV share of vehicle-km {now.ev_share:.0%} → {target.ev_share:.0%} by {target.year}",
            "name_zh": f"电动汽车行驶里程占比 {now.ev_share:.0%} → {target.ev_share:.0%}（{target.year}年）",
            "source": f"now: {now.ev_source}; target: {target.ev_source}",
        })
    if now.public_transport_share < 1:
        measures.append({
            "id": "public_transport_share", "kind": "efficiency", "sector": "transport", "start": start,
            "potential": ((target.public_transport_share - now.public_transport_share)
                          / (1 - now.public_transport_share)),
            "cost_cny_per_t": pt_cost_cny_per_t, "midpoint": midpoint, "steepness": steepness,
            "name_en": (f"Public-transport share of trips {now.public_transport_share:.0%} → "
                        f"{target.public_transport_share:.0%} by {target.year} (upper bound: all other trips "
                        "counted as private road trips)"),
            "name_zh": (f"公共交通出行分担率 {now.public_transport_share:.0%} → "
                        f"{target.public_transport_share:.0%}（{target.year}年，上限估计）"),
            "source": f"now: {now.public_transport_source}; target: {target.public_transport_source}",
        })
    return measures


def adoption_at(year: int, midpoint: float, steepness: float) -> float:
    """Share of a measure's potential the pathway's logistic adoption has reached in ``year`` [0–1]:
    ``1 / (1 + exp(−steepness (year − midpoint)))``. The target shares are reached only at full
    adoption, so by the target year the pathway counts this share of the change."""
    z = steepness * (year - midpoint)
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))  # no overflow


def beijing_context() -> dict:
    """:data:`BEIJING_CONTEXT` as JSON, labelled as Beijing-wide figures, not the sub-center's."""
    return {"scope_en": "Beijing-wide published figures, not the sub-center's own",
            "scope_zh": "北京市全市公开数据，非副中心自身数据",
            "figures": {name: {"value": value, "unit": unit, "source": source}
                        for name, (value, unit, source) in BEIJING_CONTEXT.items()}}


def measures_report(now: Indicators, target: Indicators, *, ev_cost_cny_per_t: float, pt_cost_cny_per_t: float,
                    start: int | None = None, midpoint: float | None = None, steepness: float = 0.3,
                    efficiency_ratio: float = 3.0) -> dict:
    """:func:`pathway_measures` with the adoption reached by the target year and the Beijing-wide
    context: ``{"measures", "adoption_at_target_year", "context"}``. ``start`` defaults to the
    present year, ``midpoint`` to halfway between the present and the target year."""
    start = now.year if start is None else start
    midpoint = (now.year + target.year) / 2 if midpoint is None else midpoint
    measures = pathway_measures(now, target, start=start, midpoint=midpoint, ev_cost_cny_per_t=ev_cost_cny_per_t,
                                pt_cost_cny_per_t=pt_cost_cny_per_t, steepness=steepness,
                                efficiency_ratio=efficiency_ratio)
    return {"measures": measures, "adoption_at_target_year": adoption_at(target.year, midpoint, steepness),
            "context": beijing_context()}


def _toml_value(value: str | int | float) -> str:
    # A JSON string or number is a TOML basic string or number (the numbers are finite, checked above),
    # once DEL, which JSON leaves as it is and TOML 1.0 forbids in a basic string, is escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def measures_toml(measures: list[dict]) -> str:
    """The measures as ``[[measures]]`` tables to append to a scenario file of ``citytwin.carbon.pathway``."""
    lines = ["# Transport measures from `citytwin transport measures`. Measure ids must be unique in a",
             "# scenario: remove the scenario's own measures with these ids (and any other transport measure",
             "# for the same lever, e.g. modal_shift in tongzhou.toml) before appending these.",
             "# 交通措施：追加前删除情景文件中同 id 及同类的交通措施。"]
    for measure in measures:
        lines += ["", "[[measures]]", *(f"{key} = {_toml_value(value)}" for key, value in measure.items())]
    return "\n".join(lines) + "\n"
