"""China's green finance catalogues as versioned data (``data/catalogues.json``), as code trees.

* 《绿色债券支持项目目录（2021年版）》, Green Bond Endorsed Projects Catalogue (2021 Edition),
  PBoC, NDRC and CSRC, 银发〔2021〕96号, released 2021-04-21, in force 2021-07-01: four levels
  (6 / 25 / 48 / 204 categories); clean use of coal and other fossil fuels removed.
* 《绿色金融支持项目目录（2025年版）》, Green Finance Endorsed Projects Catalogue (2025 Edition),
  PBoC, NFRA and CSRC, notice of 2025-07-14, in force 2025-10-01: three levels (9 / 38 / 271),
  revised from the 2021 catalogue and the Green and Low-carbon Transition Industry Guidance
  Catalogue (2024); applies to every green financial product; adds green trade and green
  consumption. Bonds registered before it keep the 2021 catalogue (notice, point 3).

Codes are hierarchical as in the published tables: level I ``"1"``, level II ``"1.1"``, level III
``"1.1.1"``, level IV (2021 only) ``"1.1.1.1"``; a node's parent is its code without the last
part. Each recorded node names the reference it was taken from and whether its English name is a
published translation or ours. The data records what we could find in a citable source — today
level I of both editions; :func:`coverage` compares what is recorded with the counts each document
states, so a partial level is never taken for a complete one. ``activities`` are items a project
declares, each with the deepest code recorded for it per edition and the criteria the catalogue's
conditions refer to.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["EDITIONS", "Activity", "Category", "activities", "activity", "categories", "category", "children",
           "coverage", "edition", "exclusion", "parent", "path", "tree"]

EDITIONS = ("2021", "2025")
_CODE = re.compile(r"[1-9][0-9]*(\.[1-9][0-9]*)*")


@dataclass(frozen=True)
class Category:
    edition: str
    code: str
    zh: str
    en: str
    level: int
    en_source: str  # "published (<who>)" or "our translation"
    source: str  # id of the edition's reference the node was taken from


@dataclass(frozen=True)
class Activity:
    id: str
    zh: str
    en: str
    categories: dict  # edition -> deepest recorded catalogue code
    criteria: tuple  # dicts: attribute, one of in/min/min_exclusive/max, basis


@functools.cache
def _data() -> dict:
    return json.loads(resources.files("citytwin.finance").joinpath("data/catalogues.json").read_text("utf-8"))


def _levels(name: str) -> int:
    return len(_data()["editions"][name]["levels"])


@functools.cache
def _nodes(name: str) -> dict[str, Category]:
    """Code -> node of edition ``name``, in the order of the data file."""
    return {c["code"]: Category(name, c["code"], c["zh"], c["en"], c["code"].count(".") + 1, c["en_source"],
                                c["source"])
            for c in _data()["editions"][name]["categories"]}


def edition(name: str) -> dict:
    """The edition's metadata (titles, issuers, document, dates, level counts, sources, references)."""
    editions = _data()["editions"]
    if name not in editions:
        raise BadInputError(f"catalogue edition {name!r}: expected one of {EDITIONS}")
    return {k: v for k, v in editions[name].items() if k != "categories"}


def _level(name: str, level: int | None) -> int | None:
    if level is not None and not 1 <= level <= _levels(name):
        raise BadInputError(f"catalogue level {level!r}: the {name} catalogue has levels 1 to {_levels(name)}")
    return level


def categories(name: str, level: int | None = None) -> list[Category]:
    """The recorded categories of edition ``name``, all levels or only ``level`` (1 = level I)."""
    edition(name)
    level = _level(name, level)
    return [c for c in _nodes(name).values() if level is None or c.level == level]


def _checked(name: str, code: str) -> str:
    edition(name)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise BadInputError(f"catalogue code {code!r}: expected dotted numbers such as '1', '1.1' or '1.1.1'")
    if code.count(".") + 1 > _levels(name):
        raise BadInputError(f"catalogue code {code!r}: the {name} catalogue has {_levels(name)} levels")
    return code


def category(name: str, code: str) -> Category:
    """The category ``code`` of edition ``name``; NotFoundError if that code is not recorded."""
    code = _checked(name, code)
    node = _nodes(name).get(code)
    if node is None:
        recorded = sorted({c.level for c in categories(name)})
        raise NotFoundError(f"catalogue code {code!r} is not recorded for the {name} catalogue "
                            f"(recorded levels: {recorded}; see coverage)")
    return node


def parent(name: str, code: str) -> Category | None:
    """The parent of ``code`` (None for a level-I category)."""
    node = category(name, code)
    return None if node.level == 1 else category(name, code.rsplit(".", 1)[0])


def children(name: str, code: str) -> list[Category]:
    """The recorded categories one level below ``code``."""
    node = category(name, code)
    return [c for c in categories(name) if c.level == node.level + 1 and c.code.startswith(code + ".")]


def path(name: str, code: str) -> list[Category]:
    """``code`` and its ancestors, from level I down."""
    parts = category(name, code).code.split(".")
    return [category(name, ".".join(parts[:i])) for i in range(1, len(parts) + 1)]


def coverage(name: str) -> list[dict]:
    """Per level: the count the document states, the count recorded here, and whether they match."""
    meta = edition(name)
    out = []
    for level in range(1, _levels(name) + 1):
        published = meta["levels"][f"level_{level}"]
        recorded = len(categories(name, level))
        out.append({"level": level, "published": published, "recorded": recorded, "complete": recorded == published})
    return out


def tree(name: str, code: str | None = None) -> list[dict]:
    """Nested ``{code, zh, en, level, en_source, source, children}``: the whole tree, or below ``code``."""
    roots = categories(name, 1) if code is None else [category(name, code)]

    def node(c: Category) -> dict:
        return {**c.__dict__, "children": [node(k) for k in children(name, c.code)]}

    return [node(c) for c in roots]


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
