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

from dataclasses import dataclass

from citytwin.errors import BadInputError

__all__ = ["BEIJING_CONTEXT", "Indicators", "pathway_measures"]

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


def _share(value: float, what: str) -> float:
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
        _share(self.public_transport_share, "public_transport_share")
        _share(self.ev_share, "ev_share")
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
