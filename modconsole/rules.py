"""The house rules (a data file, French and English): the reasons a sanction can give."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def house_rules() -> list[dict[str, str]]:
    """Each rule: `id`, `en`, `fr`."""
    return json.loads(resources.files("modconsole").joinpath("data/house_rules.json").read_text("utf-8"))


def rule_text(rule_id: str, lang: str = "en") -> str:
    for rule in house_rules():
        if rule["id"] == rule_id:
            return rule.get(lang) or rule["en"]
    raise KeyError(rule_id)
