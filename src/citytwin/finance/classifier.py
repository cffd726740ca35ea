"""Map a project's declared activity and attributes to a catalogue category, showing each check.

A project is eligible under an edition when its activity is one of the edition's items and every
criterion of the item holds for the declared attributes (:mod:`citytwin.finance.taxonomy`). The
category named is the deepest code the activities table records for the item in that edition,
with its path from level I (:func:`citytwin.finance.taxonomy.path`); the classifier never guesses
a code below what is recorded. The result lists each criterion with the declared value, whether it
passed and the standard it comes from; "not eligible" always carries the reason: an excluded
activity (fossil-fuel clean use, removed by the 2021 catalogue), an activity the edition does not
have (green consumption before 2025), an attribute not declared, or one that fails its threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citytwin.errors import NotFoundError
from citytwin.finance import taxonomy

__all__ = ["Check", "Classification", "classify"]


@dataclass(frozen=True)
class Check:
    attribute: str
    expected: str
    value: object
    passed: bool
    basis: str


@dataclass(frozen=True)
class Classification:
    edition: str
    activity: str
    eligible: bool
    category: taxonomy.Category | None
    reason_en: str
    reason_zh: str
    checks: tuple[Check, ...] = field(default_factory=tuple)
    path: tuple[taxonomy.Category, ...] = field(default_factory=tuple)  # level I down to ``category``

    def to_dict(self) -> dict:
        return {
            "edition": self.edition,
            "activity": self.activity,
            "eligible": self.eligible,
            "category": None if self.category is None else _brief(self.category),
            "path": [_brief(c) for c in self.path],
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
            "checks": [c.__dict__ for c in self.checks],
        }


def _brief(category: taxonomy.Category) -> dict:
    return {"code": category.code, "zh": category.zh, "en": category.en, "level": category.level}


def _check(criterion: dict, attributes: dict) -> Check:
    name = criterion["attribute"]
    value = attributes.get(name)
    if "in" in criterion:
        expected = f"one of {criterion['in']}"
        passed = value in criterion["in"]
    elif "min" in criterion:
        expected = f"≥ {criterion['min']}"
        passed = isinstance(value, int | float) and not isinstance(value, bool) and value >= criterion["min"]
    elif "min_exclusive" in criterion:
        expected = f"> {criterion['min_exclusive']}"
        passed = isinstance(value, int | float) and not isinstance(value, bool) and value > criterion["min_exclusive"]
    else:
        expected = f"≤ {criterion['max']}"
        passed = isinstance(value, int | float) and not isinstance(value, bool) and value <= criterion["max"]
    return Check(name, expected, value, passed, criterion["basis"])


def classify(activity: str, attributes: dict | None = None, edition: str = "2025") -> Classification:
    """Classify a declared activity (id, Chinese or English name) under ``edition``."""
    attributes = attributes or {}
    taxonomy.edition(edition)
    excluded = taxonomy.exclusion(activity)
    if excluded is not None:
        return Classification(edition, excluded["id"], False, None, f"not eligible: {excluded['reason_en']}",
                              f"不符合：{excluded['reason_zh']}")
    try:
        item = taxonomy.activity(activity)
    except NotFoundError:
        return Classification(edition, activity, False, None,
                              f"not eligible: activity {activity!r} is not an item of the {edition} catalogue data",
                              f"不符合：{activity!r} 不在{edition}年版目录数据中")
    code = item.categories.get(edition)
    if code is None:
        return Classification(edition, item.id, False, None,
                              f"not eligible: the {edition} catalogue has no item for {item.en.lower()} "
                              f"(it appears in {sorted(item.categories)})",
                              f"不符合：{edition}年版目录无“{item.zh}”")
    path = tuple(taxonomy.path(edition, code))
    category = path[-1]
    checks = tuple(_check(c, attributes) for c in item.criteria)
    failed = [c for c in checks if not c.passed]
    if failed:
        first = failed[0]
        what = "not declared" if first.value is None else f"is {first.value!r}"
        return Classification(edition, item.id, False, category,
                              f"not eligible: {first.attribute} {what}, expected {first.expected} ({first.basis})",
                              f"不符合：{first.attribute} 应为 {first.expected}", checks, path)
    trail_en = " > ".join(f"{c.code} {c.en}" for c in path)
    trail_zh = " > ".join(f"{c.code} {c.zh}" for c in path)
    return Classification(edition, item.id, True, category,
                          f"eligible: {edition} catalogue category {trail_en}",
                          f"符合：{edition}年版目录 {trail_zh}", checks, path)
