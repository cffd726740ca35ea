"""Every label the dashboard's sources use exists in both dictionaries."""

import json
import re
from pathlib import Path

from citytwin.web import STATIC_DIR

WEB = Path(__file__).parents[2] / "web"
_USES = re.compile(r"""(?:\bt|\blabel)\(\s*["']([\w.]+)["']|data-i18n(?:-title|-aria)?=["']([\w.]+)["']|"""
                   r"""i18n(?:Aria|Title)?:\s*["']([\w.]+)["']""")


def test_every_used_label_is_defined():
    sources = [*WEB.joinpath("src").rglob("*.js"), STATIC_DIR / "index.html"]
    used = {m for f in sources for g in _USES.findall(f.read_text(encoding="utf-8")) for m in g if m}
    assert len(used) > 40
    for lang in ("zh-CN", "en"):
        labels = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        assert sorted(used - set(labels)) == [], lang
