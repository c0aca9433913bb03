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


NOTICE_PREFIXES = ("notice_", "appeal_")


@cache
def _all_templates() -> dict[str, dict[str, str]]:
    return json.loads(resources.files("modconsole").joinpath("data/message_templates.json").read_text("utf-8"))


@cache
def message_templates() -> dict[str, dict[str, str]]:
    """The messages a moderator may send: id -> {"en": text, "fr": text}; `{handle}` is filled
    in with the member's handle. (Notices of sanctions and appeal decisions live in the same
    file, named notice_* and appeal_*, and are sent only by the decisions themselves.)"""
    return {k: v for k, v in _all_templates().items() if not k.startswith(NOTICE_PREFIXES)}


def render_template(template: str, lang: str | None, handle: str | None) -> str:
    """The template in the member's language (English when it has none), addressed to them."""
    texts = message_templates()[template]
    return texts.get(lang or "en", texts["en"]).replace("{handle}", handle or "")


def render_notice(notice: str, lang: str | None, **fields: str) -> str:
    """A decision's notice (notice_*, appeal_*) in the member's language, its {fields} filled."""
    texts = _all_templates()[notice]
    text = texts.get(lang or "en", texts["en"])
    for key, value in fields.items():
        text = text.replace("{" + key + "}", value)
    return text


def language(lang: str | None) -> str:
    """The language notices are written in: the member's when we have it, else English."""
    return lang if lang in ("fr", "en") else "en"
