"""Detection quality on a labelled corpus from public sources (issue 15's yardstick).

    python bench/quality.py [--part dev|heldout|both] [--show-misses N] [--show-heldout-misses] [--json]

Loads ``bench/corpus/{dev,heldout}/*.jsonl`` (risk statements from prevention and support
pages, HateCheck / Multilingual HateCheck cases, Hurtlex insults in address frames,
solicitation and threat messages from awareness pages, hard benign near-misses), generates
the personal-detail items (``bench/corpus/pii_gen.py``, fixed seeds), runs
``Detector().scan`` on every item and on its disguised forms, and prints per part:

* recall per category, sub-class and language. Risk: caught = any ``self_harm`` hit (also
  "at the labelled severity or higher"); offensive: caught = any ``offensive`` hit, reported
  on the target set (insult, slur, threat, solicitation) and separately on derogation and
  hostility; pii: caught = a ``pii`` hit overlapping the detail's span;
* robustness: of the items whose plain form is caught, the share whose transformed forms
  are still caught, per transform;
* false positives on the benign set per sub-class: any ``self_harm``/``offensive`` hit,
  except ``help_request`` where only severity >= 2 counts, and on ``not_a_phone`` any ``pii``
  hit;
* the misses: for dev the first N per sub-class (text escaped); for the held-out part
  counts only, unless ``--show-heldout-misses``;
* issue 15's targets next to the figures, PASS or MISS.

Choices the task left open, and why:

* ``counter_quote_nh``, ``counter_ref_nh`` and ``slur_reclaimed_nh`` (HateCheck's counter-speech
  and reclaimed slurs) quote the slur or insult itself. They are reported per sub-class
  and in "all benign", but left out of the false-positive *target* figure: for a console
  where a human reads every flag, a quoted slur going to review is the intended behaviour
  of a lexicon, not a false positive to be tuned away.
* HateCheck's ``target_indiv_nh`` / ``target_group_nh`` cases are non-hateful only in the hate-
  speech sense (no protected group). Those holding a threat or an insult ("You deserve to
  die", "You are a complete asshole") are offensive for this console, so the corpus labels
  them offensive (``relabelled_from: non-hateful``); "I hate you"-type cases are the
  ``hostility`` sub-class, outside the target set.
* Robustness is measured on risk, offensive and pii items (the categories with recall);
  its target figure pools every (item, transform) pair.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(CORPUS))

import pii_gen  # noqa: E402

from modconsole.detect import Detector, Hit  # noqa: E402

PARTS: tuple[str, ...] = ("dev", "heldout")
CATEGORIES: tuple[str, ...] = ("risk", "offensive", "pii", "benign")
LANGS: tuple[str, ...] = ("fr", "en")
OFFENSIVE_TARGET: frozenset[str] = frozenset({"insult", "slur", "threat", "solicitation"})
OFFENSIVE_OTHER: frozenset[str] = frozenset({"derogation", "hostility"})
RISK_SUBCLASSES: tuple[str, ...] = ("intent_plan_method_act", "ideation_disclosure", "distress_indirect")
CONTESTED_BENIGN: frozenset[str] = frozenset({"counter_quote_nh", "counter_ref_nh", "slur_reclaimed_nh"})
PII_KINDS: tuple[str, ...] = ("email", "phone", "address", "social_handle", "real_name")

#: (name, figure path, comparison, threshold) for issue 15's targets.
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("risk recall", "risk.all", ">=", 0.90),
    ("risk severity-3 recall", "risk.sev3", ">=", 0.97),
    ("offensive recall (insult+slur+threat+solicitation)", "offensive.target", ">=", 0.85),
    ("personal-detail recall", "pii.all", ">=", 0.95),
    ("benign false-positive rate", "benign.target", "<=", 0.02),
    ("robustness (transforms of caught items)", "robustness.all", ">=", 0.98),
)

# --- transforms -----------------------------------------------------------------------------

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "c": "с", "i": "і", "s": "ѕ", "p": "р", "y": "у", "x": "х"}
_VOWELS = frozenset("aeiouyàâéèêëîïôùûü")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


#: Disguises applied to whole risk and offensive texts.
TEXT_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "leet": lambda t: "".join(_LEET.get(c, c) for c in t),
    "spaced": lambda t: "   ".join(" ".join(w) for w in t.split(" ")),
    "dotted": lambda t: " ".join(".".join(w) for w in t.split(" ")),
    "zero_width": lambda t: "\u200b".join(t),
    "fullwidth": _fullwidth,
    "homoglyphs": lambda t: "".join(_CYRILLIC.get(c, c) for c in t),
    "repeats": lambda t: "".join(c * 3 if c.lower() in _VOWELS else c for c in t),
    "no_accents": _strip_accents,
    "mixed_case": lambda t: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(t)),
}


def _separators(sep: str) -> Callable[[str], str]:
    def apply(detail: str) -> str:
        out, previous_digit = [], False
        for c in detail:
            if c in " .-/()":
                if previous_digit:
                    out.append(sep)
                previous_digit = False
                continue
            out.append(c)
            previous_digit = c.isdigit()
        return "".join(out).strip(sep)

    return apply


#: Disguises applied to the detail of a pii item (the sentence around it is left alone).
#: A transform returning the detail unchanged does not apply to that item.
PII_TRANSFORMS: dict[str, Callable[[str, str], str]] = {
    "fullwidth": lambda d, kind: _fullwidth(d),
    "zero_width": lambda d, kind: "\u200b".join(d),
    "homoglyphs": lambda d, kind: "".join(_CYRILLIC.get(c, c) for c in d) if kind == "email" else d,
    "dots": lambda d, kind: _separators(".")(d) if kind == "phone" and any(c.isdigit() for c in d) else d,
    "dashes": lambda d, kind: _separators("-")(d) if kind == "phone" and any(c.isdigit() for c in d) else d,
    "spaces": lambda d, kind: _separators(" ")(d) if kind == "phone" and any(c.isdigit() for c in d) else d,
}


def transform_pii(item: dict[str, Any], name: str) -> tuple[str, tuple[int, int]] | None:
    """Return the item's text with its detail disguised by ``name`` and the detail's new span,
    or None when the transform does not apply to this item."""
    start, end = item["span"]
    detail = item["text"][start:end]
    changed = PII_TRANSFORMS[name](detail, item["kind"])
    if changed == detail:
        return None
    text = item["text"][:start] + changed + item["text"][end:]
    return text, (start, start + len(changed))


# --- loading -------------------------------------------------------------------------------


def load_corpus(corpus: Path = CORPUS) -> dict[str, list[dict[str, Any]]]:
    """Return the items of each part: the JSONL files plus the generated pii and not-a-phone items."""
    parts: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
    for part in PARTS:
        for path in sorted((corpus / part).glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                parts[part].extend(json.loads(line) for line in handle if line.strip())
    for item in pii_gen.pii_items() + pii_gen.not_a_phone_items():
        parts[split_of(item)].append(dict(item, split=split_of(item)))
    return parts


def split_of(item: dict[str, Any]) -> str:
    """The held-out rule for generated items (the JSONL files carry their own ``split``):
    a whole source in ``pii_gen.WHOLE_HELDOUT``, else about 30% by a hash of the id."""
    import hashlib

    if item.get("source_key") in pii_gen.WHOLE_HELDOUT:
        return "heldout"
    return "heldout" if int(hashlib.sha256(item["id"].encode()).hexdigest(), 16) % 10 < 3 else "dev"


# --- judging -------------------------------------------------------------------------------


def caught(item: dict[str, Any], hits: Sequence[Hit], span: tuple[int, int] | None = None) -> bool:
    """Whether ``hits`` catch ``item`` (for benign items: whether they are a false positive)."""
    category = item["category"]
    if category == "risk":
        return any(h.category == "self_harm" for h in hits)
    if category == "offensive":
        return any(h.category == "offensive" for h in hits)
    if category == "pii":
        start, end = span if span is not None else tuple(item["span"])
        return any(h.category == "pii" and h.start < end and h.end > start for h in hits)
    subclass = item["subclass"]
    if subclass == "not_a_phone":
        return any(h.category == "pii" for h in hits)
    floor = 2 if subclass == "help_request" else 1
    return any(h.category in ("self_harm", "offensive") and h.severity >= floor for h in hits)


def at_severity(item: dict[str, Any], hits: Sequence[Hit]) -> bool:
    """Risk item caught by a ``self_harm`` hit of at least its labelled severity."""
    return any(h.category == "self_harm" and h.severity >= item["severity"] for h in hits)


class Rate:
    """A count of successes over a count of trials."""

    __slots__ = ("hit", "n")

    def __init__(self) -> None:
        self.hit = 0
        self.n = 0

    def add(self, success: bool) -> None:
        self.n += 1
        self.hit += bool(success)

    @property
    def rate(self) -> float | None:
        return self.hit / self.n if self.n else None

    def as_dict(self) -> dict[str, Any]:
        return {"hit": self.hit, "n": self.n, "rate": self.rate}


def evaluate(
    items: Iterable[dict[str, Any]], detector: Detector, max_misses: int | None = None
) -> dict[str, Any]:
    """Return the figures of one part: recall, robustness, false positives and misses.

    ``max_misses`` bounds the texts kept per sub-class (None keeps them all, 0 none; the
    counts are always complete)."""
    rates: dict[str, Rate] = defaultdict(Rate)
    misses: dict[str, list[str]] = defaultdict(list)
    miss_counts: dict[str, int] = defaultdict(int)

    def miss(key: str, text: str) -> None:
        miss_counts[key] += 1
        if max_misses is None or len(misses[key]) < max_misses:
            misses[key].append(text)

    for item in items:
        category, sub, lang = item["category"], item["subclass"], item["lang"]
        hits = detector.scan(item["text"])
        ok = caught(item, hits)
        if category == "benign":
            rates["benign.all"].add(ok)
            rates[f"benign.sub.{sub}"].add(ok)
            rates[f"benign.lang.{lang}"].add(ok)
            if sub not in CONTESTED_BENIGN:
                rates["benign.target"].add(ok)
            if ok:
                terms = ", ".join(sorted({f"{h.category}:{h.term}" for h in hits}))
                miss(f"benign.{sub}", f"{item['text']}  [{terms}]")
            continue
        if category == "risk":
            rates["risk.all"].add(ok)
            rates[f"risk.sub.{sub}"].add(ok)
            rates[f"risk.lang.{lang}"].add(ok)
            rates["risk.at_severity"].add(at_severity(item, hits))
            rates[f"risk.at_severity.{sub}"].add(at_severity(item, hits))
            if item["severity"] == 3:
                rates["risk.sev3"].add(ok)
                rates["risk.sev3.at_severity"].add(at_severity(item, hits))
        elif category == "offensive":
            group = "target" if sub in OFFENSIVE_TARGET else sub
            rates[f"offensive.{group}"].add(ok)
            rates[f"offensive.sub.{sub}"].add(ok)
            if sub in OFFENSIVE_TARGET:
                rates[f"offensive.target.lang.{lang}"].add(ok)
            rates[f"offensive.lang.{lang}"].add(ok)
        else:
            rates["pii.all"].add(ok)
            rates[f"pii.kind.{item['kind']}"].add(ok)
            rates[f"pii.sub.{sub}"].add(ok)
            rates[f"pii.lang.{lang}"].add(ok)
        if not ok:
            miss(f"{category}.{sub}", item["text"])
            continue
        if category == "pii":
            for name in PII_TRANSFORMS:
                disguised = transform_pii(item, name)
                if disguised is None:
                    continue
                text, span = disguised
                still = caught(item, detector.scan(text), span)
                rates["robustness.all"].add(still)
                rates[f"robustness.pii.{name}"].add(still)
                rates[f"robustness.transform.{name}"].add(still)
                if not still:
                    miss(f"robustness.pii.{name}", text)
            continue
        for name, transform in TEXT_TRANSFORMS.items():
            text = transform(item["text"])
            if text == item["text"]:
                continue
            still = caught(item, detector.scan(text))
            rates["robustness.all"].add(still)
            rates[f"robustness.{category}.{name}"].add(still)
            rates[f"robustness.transform.{name}"].add(still)
            if not still:
                miss(f"robustness.{category}.{name}", text)
    figures: dict[str, Any] = {key: rate.as_dict() for key, rate in sorted(rates.items())}
    return {
        "figures": figures,
        "targets": [
            {
                "name": name,
                "figure": path,
                "op": op,
                "threshold": threshold,
                "value": figures.get(path, {}).get("rate"),
                "pass": _passes(figures.get(path, {}).get("rate"), op, threshold),
            }
            for name, path, op, threshold in TARGETS
        ],
        "miss_counts": dict(sorted(miss_counts.items())),
        "misses": dict(sorted(misses.items())),
    }


def _passes(value: float | None, op: str, threshold: float) -> bool:
    if value is None:
        return False
    return value >= threshold if op == ">=" else value <= threshold


# --- printing ------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Return ``text`` with control, format (zero-width, bidi), surrogate, private-use and
    line/paragraph-separator characters written as ``\\u{XXXX}``: member text never drives
    the terminal."""
    out = []
    for c in text:
        if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}:
            out.append(f"\\u{{{ord(c):04X}}}")
        else:
            out.append(c)
    return "".join(out)


def _fmt(rate: dict[str, Any] | None) -> str:
    if not rate or not rate["n"]:
        return "    -"
    return f"{rate['rate']:6.1%} ({rate['hit']}/{rate['n']})"


def render(part: str, result: dict[str, Any], show: bool) -> str:
    """Return the report of one part as text (misses' texts only when ``show``)."""
    f = result["figures"]
    lines = [f"=== {part} ==="]

    def row(label: str, key: str) -> None:
        if key in f:
            lines.append(f"  {label:<46} {_fmt(f[key])}")

    def prefixed(prefix: str) -> list[str]:
        return sorted(k[len(prefix) :] for k in f if k.startswith(prefix))

    lines.append("risk (caught = any self_harm hit; [at labelled severity or higher])")
    row("all", "risk.all")
    row("all, at labelled severity or higher", "risk.at_severity")
    row("severity 3", "risk.sev3")
    row("severity 3, at severity 3", "risk.sev3.at_severity")
    for sub in RISK_SUBCLASSES:
        if f"risk.sub.{sub}" in f:
            lines.append(
                f"  {sub:<46} {_fmt(f[f'risk.sub.{sub}'])}  [{_fmt(f.get(f'risk.at_severity.{sub}'))}]"
            )
    for lang in LANGS:
        row(f"lang {lang}", f"risk.lang.{lang}")
    lines.append("offensive (caught = any offensive hit)")
    row("target set: insult+slur+threat+solicitation", "offensive.target")
    for lang in LANGS:
        row(f"  target set, lang {lang}", f"offensive.target.lang.{lang}")
    for sub in prefixed("offensive.sub."):
        row(f"{sub}{'' if sub in OFFENSIVE_TARGET else ' (outside target)'}", f"offensive.sub.{sub}")
    for lang in LANGS:
        row(f"lang {lang} (all sub-classes)", f"offensive.lang.{lang}")
    lines.append("personal details (caught = a pii hit overlapping the detail)")
    row("all", "pii.all")
    for kind in PII_KINDS:
        row(f"kind {kind}", f"pii.kind.{kind}")
    for sub in prefixed("pii.sub."):
        row(f"  {sub}", f"pii.sub.{sub}")
    for lang in LANGS:
        row(f"lang {lang}", f"pii.lang.{lang}")
    lines.append(
        "benign false-positive rate (self_harm/offensive hit; help_request: severity >= 2; "
        "not_a_phone: pii hit)"
    )
    row("target set (all but contested)", "benign.target")
    row("all benign", "benign.all")
    for sub in prefixed("benign.sub."):
        row(f"{sub}{' (contested)' if sub in CONTESTED_BENIGN else ''}", f"benign.sub.{sub}")
    for lang in LANGS:
        row(f"lang {lang}", f"benign.lang.{lang}")
    lines.append("robustness (share of caught items still caught once transformed)")
    row("all", "robustness.all")
    for name in prefixed("robustness.transform."):
        row(f"transform {name}", f"robustness.transform.{name}")
    for category in ("risk", "offensive", "pii"):
        names = prefixed(f"robustness.{category}.")
        if names:
            parts = ", ".join(f"{n} {f[f'robustness.{category}.{n}']['rate']:.0%}" for n in names)
            lines.append(f"  {category}: {parts}")
    lines.append("targets (issue 15)")
    for target in result["targets"]:
        value = "-" if target["value"] is None else f"{target['value']:.1%}"
        verdict = "PASS" if target["pass"] else "MISS"
        lines.append(f"  {target['name']:<52} {value:>7} {target['op']} {target['threshold']:.0%}  {verdict}")
    lines.append("misses (benign: false positives) per sub-class")
    for key, count in result["miss_counts"].items():
        lines.append(f"  {key}: {count}")
        if show:
            for text in result["misses"].get(key, []):
                lines.append(f"      {escape(text)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument(
        "--show-misses", type=int, default=5, metavar="N", help="dev misses printed per sub-class"
    )
    parser.add_argument(
        "--show-heldout-misses", action="store_true", help="also print held-out misses' texts"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON (no texts unless asked)"
    )
    args = parser.parse_args(argv)

    corpus = load_corpus()
    detector = Detector()
    parts = PARTS if args.part == "both" else (args.part,)
    results: dict[str, Any] = {}
    for part in parts:
        show = args.show_heldout_misses if part == "heldout" else args.show_misses > 0
        limit = args.show_misses if part == "dev" else (max(args.show_misses, 1) if show else 0)
        result = evaluate(corpus[part], detector, max_misses=limit if show else 0)
        counts: dict[str, int] = defaultdict(int)
        for item in corpus[part]:
            counts[item["category"]] += 1
        result["counts"] = dict(counts)
        if not show:
            result["misses"] = {}
        results[part] = result
    if args.json:
        print(json.dumps(results, ensure_ascii=True, indent=1, sort_keys=True))
        return 0
    for part in parts:
        counts = ", ".join(f"{c} {results[part]['counts'].get(c, 0)}" for c in CATEGORIES)
        print(f"{part}: {counts}")
        show = args.show_heldout_misses if part == "heldout" else args.show_misses > 0
        print(render(part, results[part], show))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
