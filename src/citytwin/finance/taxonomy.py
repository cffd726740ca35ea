"""China's green finance catalogues as versioned data (``data/catalogues.json``).

* 《绿色债券支持项目目录（2021年版）》, Green Bond Endorsed Projects Catalogue (2021 Edition),
  PBoC, NDRC and CSRC, 银发〔2021〕96号, released 2021-04-21, in force 2021-07-01: four levels
  (6 / 25 / 48 / 204 categories); clean use of coal and other fossil fuels removed.
* 《绿色金融支持项目目录（2025年版）》, Green Finance Endorsed Projects Catalogue (2025 Edition),
  PBoC, NFRA and CSRC, notice of 2025-07-14, in force 2025-10-01: three levels (9 / 38 / 271),
  revised from the 2021 catalogue and the Green and Low-carbon Transition Industry Guidance
  Catalogue (2024); applies to every green financial product; adds green trade and green
  consumption. Bonds registered before it keep the 2021 catalogue (notice, point 3).

The level-I codes and Chinese names are those published; English names of 2021 follow the
translation of its consultation draft, those of 2025 are ours. ``activities`` are items a project
declares, each with its level-I category per edition and the criteria the catalogue's conditions
refer to; lower-level codes are not recorded (see ``activity_note`` in the data file).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["EDITIONS", "Activity", "Category", "activities", "activity", "categories", "edition", "exclusion"]

EDITIONS = ("2021", "2025")


@dataclass(frozen=True)
class Category:
    edition: str
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Activity:
    id: str
    zh: str
    en: str
    categories: dict  # edition -> level-I code
    criteria: tuple  # dicts: attribute, one of in/min/min_exclusive/max, basis


@functools.cache
def _data() -> dict:
    return json.loads(resources.files("citytwin.finance").joinpath("data/catalogues.json").read_text("utf-8"))


def edition(name: str) -> dict:
    """The edition's metadata (titles, issuers, document, dates, level counts, sources)."""
    editions = _data()["editions"]
    if name not in editions:
        raise BadInputError(f"catalogue edition {name!r}: expected one of {EDITIONS}")
    return {k: v for k, v in editions[name].items() if k != "categories"}


def categories(name: str) -> list[Category]:
    """The level-I categories of edition ``name``."""
    edition(name)
    return [Category(name, c["code"], c["zh"], c["en"]) for c in _data()["editions"][name]["categories"]]


def activities() -> list[Activity]:
    return [Activity(a["id"], a["zh"], a["en"], dict(a["categories"]), tuple(a["criteria"]))
            for a in _data()["activities"]]


def activity(key: str) -> Activity:
    """An activity by id, Chinese or English name."""
    for item in activities():
        if key in (item.id, item.zh) or key.lower() == item.en.lower():
            return item
    raise NotFoundError(f"activity {key!r} is not in the catalogue data: expected an id such as "
                        f"{[a.id for a in activities()][:4]} or a name")


def exclusion(key: str) -> dict | None:
    """The exclusion entry (with its reasons) for an activity that the catalogues leave out."""
    for item in _data()["exclusions"]:
        if key in (item["id"], item["zh"]) or key.lower() == item["en"].lower():
            return item
    return None
