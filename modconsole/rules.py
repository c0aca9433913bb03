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


@cache
def message_templates() -> dict[str, dict[str, str]]:
    """Template id -> {"en": text, "fr": text}; `{handle}` is filled in with the member's handle."""
    return json.loads(resources.files("modconsole").joinpath("data/message_templates.json").read_text("utf-8"))


def render_template(template: str, lang: str | None, handle: str | None) -> str:
    """The template in the member's language (English when it has none), addressed to them."""
    texts = message_templates()[template]
    return texts.get(lang or "en", texts["en"]).replace("{handle}", handle or "")
