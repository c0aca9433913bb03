"""A realistic demo community, French and English, seeded through the real ingest path.

`generate_events(seed)` yields the events of SPEC §2 (members, posts, bricks, comments,
messages, reports, self-assessments, questions, deletion requests, appeals, blocks);
`seed_demo(url)` creates the store and staff, ingests the first part, applies a few sanctions
the way staff would, then ingests the rest (so that ban evasion shows). Every queue ends up
populated. A few posts and handles carry hostile strings (escape sequences, Rich markup,
bidi overrides) on purpose: the console must show them literally.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from . import sanctions, staff
from .ingest import ingest_lines
from .service import Services
from .store import Store

STAFF = [("admin", "admin"), ("lea", "moderator"), ("sam", "moderator"), ("ines", "senior"), ("dr.martin", "clinical"),
         ("platform", "platform")]

FIRST = ["lune", "soleil", "chat", "brume", "orage", "tilleul", "river", "maple", "fox", "ember", "willow", "sky", "pixel",
         "coquelicot", "nuage", "harbor", "juniper", "cedar", "echo", "sable"]
LAST = ["bleu", "doux", "calme", "vert", "42", "_fr", "_uk", "ette", "ine", "92", "07", "_nord", "_sud", "wave", "light"]

ORDINARY_FR = [
    "Merci à tous pour vos messages, ça m'aide vraiment à tenir cette semaine.",
    "Quelqu'un a des conseils pour mieux dormir ? Je me réveille à 4h chaque nuit.",
    "J'ai repris la marche ce matin, 20 minutes seulement mais c'est un début.",
    "Mort de rire avec la vidéo du chat, merci pour le partage !",
    "Le groupe de parole de jeudi m'a fait du bien, je reviendrai.",
    "Je me suis fait couper les cheveux, nouvelle tête nouvelle vie haha",
    "Journée difficile au travail mais j'ai pensé à respirer comme on en parlait.",
    "Vous faites comment pour parler à votre médecin sans stresser ?",
    "Petit bilan de la semaine : deux bonnes journées, trois moyennes. Ça avance.",
    "Je pars à Bitche voir ma famille ce week-end, un peu anxieux.",
]
ORDINARY_EN = [
    "Thanks everyone, reading this thread made my evening a lot better.",
    "Does anyone have tips for social anxiety at work meetings?",
    "That film absolutely killed me, I laughed for an hour.",
    "Got a haircut today and honestly feel like a new person.",
    "Week three of journaling. It helps more than I expected.",
    "Visiting Scunthorpe next week for my cousin's wedding, wish me luck.",
    "I finally told my sister how I've been feeling. She listened.",
    "Small win: I cooked a proper meal for the first time in days.",
    "Anyone else find Sundays the hardest? Trying a walk this time.",
    "Grateful for this community, truly.",
]
RISK = [
    ("fr", "Je n'en peux plus, je veux mourir, personne ne s'en rendra compte."),
    ("fr", "J'ai recommencé à me scarifier hier soir, j'ai honte."),
    ("fr", "Je pense au suicide tous les jours en ce moment."),
    ("en", "I want to kill myself, I can't do this anymore."),
    ("en", "I've been cutting again and I don't know how to stop."),
    ("en", "thinking about s u i c i d e a lot lately"),
    ("en", "I took an overdose last month and nobody knows."),
    ("fr", "aidez-moi s'il vous plaît je ne sais plus quoi faire"),
]
OFFENSIVE = [
    ("fr", "T'es vraiment qu'un connard, dégage de ce forum."),
    ("fr", "Ferme-la espèce de salope."),
    ("en", "Shut up you stupid bitch, nobody cares."),
    ("en", "kys, seriously, the world would be better."),
    ("fr", "Je vais te tuer si je te croise."),
    ("en", "f*ck you and your whole family"),
]
PII = [
    ("fr", "Écris-moi directement : marie.dupont92@gmail.com"),
    ("fr", "Mon numéro c'est le 06 12 34 56 78, appelle-moi ce soir"),
    ("en", "add me on insta: @jake_the_snake_88"),
    ("en", "my real name is Thomas Whitfield by the way"),
    ("fr", "j'habite au 12 rue de la Paix si tu veux passer"),
    ("en", "mail me at sam dot k at outlook dot com"),
]
HOSTILE = [  # each also says something the detector flags, so that it reaches a queue
    "\x1b[31mred text\x1b[0m and \x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\ here, aidez-moi",
    "[@click=app.quit]click me[/] and [link=https://evil.example]this[/link] [bold]bold?[/bold] you bitch",
    "bidi \u202etxt.exe\u202c trick and zero\u200bwidth: mail me at evil@example.org",
]
QUESTIONS = [
    "Comment signaler un message privé qui me met mal à l'aise ?",
    "How do I change my username?",
    "Est-ce que les modérateurs peuvent voir mon adresse e-mail ?",
    "Someone keeps replying to all my posts, what can I do?",
]
APPEALS = [
    "Je conteste ma mise en muet, je ne faisais que citer une chanson.",
    "I don't think my post broke any rule, please review it again.",
]


def _t(base: datetime, minutes: float) -> str:
    return (base + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def generate_events(seed: int = 7, members: int = 240, contents: int = 2100) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """(first part, second part, facts) of a demo community's events."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    first: list[dict] = []
    ids = [f"m{i:04d}" for i in range(1, members + 1)]
    devices: dict[str, str] = {}
    for i, mid in enumerate(ids):
        lang = "fr" if rng.random() < 0.55 else "en"
        handle = f"{rng.choice(FIRST)}{rng.choice(LAST)}{i}"
        if i == 13:
            handle = "[bold red]admin[/] \x1b[2J"  # a hostile handle
        dev = f"dev-{rng.randrange(10**8):08x}"
        devices[mid] = dev
        ev: dict[str, Any] = {"type": "member", "id": mid, "handle": handle, "created_at": _t(base, -rng.randrange(10, 90000)),
                              "language": lang, "device": dev}
        if rng.random() < 0.8:
            ev["email"] = f"{handle.lower()}@example.org" if i != 13 else "hostile@example.org"
            ev["real_name"] = f"{rng.choice(['Marie', 'Julien', 'Aisha', 'Tom', 'Chloé', 'Omar', 'Emma', 'Lucas'])} " \
                              f"{rng.choice(['Martin', 'Bernard', 'Smith', 'Nguyen', 'Durand', 'Khan', 'Moreau'])}"
        if rng.random() < 0.4:
            ev["phone"] = f"+33 6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
        first.append(ev)
    posts: list[tuple[str, str]] = []
    minute = 0.0
    for n in range(contents):
        minute += rng.uniform(0.5, 4)
        author = rng.choice(ids)
        roll = rng.random()
        lang = "fr" if rng.random() < 0.55 else "en"
        if roll < 0.05:
            lang, body = rng.choice(RISK)
        elif roll < 0.09:
            lang, body = rng.choice(OFFENSIVE)
        elif roll < 0.12:
            lang, body = rng.choice(PII)
        elif roll < 0.125:
            body = rng.choice(HOSTILE)
        else:
            body = rng.choice(ORDINARY_FR if lang == "fr" else ORDINARY_EN)
        cid = f"c{n:05d}"
        kind_roll = rng.random()
        ev = {"type": "content", "id": cid, "author": author, "body": body, "created_at": _t(base, minute)}
        if kind_roll < 0.35 or not posts:
            ev["kind"] = rng.choice(["post", "brick", "post"])
            ev["thread"] = f"t{n:05d}"
            posts.append((cid, author))
        elif kind_roll < 0.75:
            parent, parent_author = rng.choice(posts[-50:])
            ev.update(kind="comment", parent=parent, thread=f"t{parent[1:]}")
        elif kind_roll < 0.97:
            other = rng.choice([m for m in ids[:40] if m != author])
            ev.update(kind="message", recipient=other)
        else:
            ev.update(kind="comment", wall_of=rng.choice(ids))
        first.append(ev)
    # Harassment: unanswered follow-ups (Meetic's rule), and a conversation that stays fine.
    harassers = [(ids[5], ids[6]), (ids[21], ids[22]), (ids[33], ids[2])]
    for k, (a, b) in enumerate(harassers):
        for j, text in enumerate(["Salut, ça va ?", "Tu m'as pas répondu…", "Allô ??", "Pourquoi tu m'ignores", "Réponds-moi"]):
            minute += 3
            first.append({"type": "content", "id": f"h{k}-{j}", "kind": "message", "author": a, "recipient": b,
                          "body": text, "created_at": _t(base, minute)})
    for j in range(6):
        minute += 2
        a, b = (ids[50], ids[51]) if j % 2 == 0 else (ids[51], ids[50])
        first.append({"type": "content", "id": f"ok{j}", "kind": "message", "author": a, "recipient": b,
                      "body": "On se parle demain ?" if j % 2 == 0 else "Oui avec plaisir", "created_at": _t(base, minute)})
    # Reports of every reason, self-assessments, questions, deletion requests, blocks.
    reasons = ["urgent_help", "offensive", "harassment", "other"]
    content_ids = [e["id"] for e in first if e["type"] == "content" and e["id"].startswith("c")]
    for n in range(60):
        minute += 1
        reason = reasons[n % 4]
        ev = {"type": "report", "id": f"r{n:03d}", "reporter": rng.choice(ids), "reason": reason,
              "note": rng.choice(["", "Je suis inquiet pour cette personne.", "This is the third time.",
                                  "Propos insultants répétés.", "Please look at this."]) or None,
              "created_at": _t(base, minute)}
        if n % 5 == 4:
            ev["member"] = rng.choice(ids)
        else:
            ev["content"] = rng.choice(content_ids)
        first.append(ev)
    for n in range(30):
        minute += 5
        suicidal = n % 6 == 0
        first.append({"type": "self_assessment", "id": f"sa{n:03d}", "member": rng.choice(ids), "instrument": "PHQ-9",
                      "score": rng.randrange(20, 27) if suicidal else rng.randrange(0, 15), "suicidal": suicidal,
                      "created_at": _t(base, minute)})
    for n, q in enumerate(QUESTIONS * 3):
        minute += 7
        first.append({"type": "ask_moderator", "id": f"q{n:03d}", "member": rng.choice(ids), "body": q, "created_at": _t(base, minute)})
    for n, scope in enumerate(["account", "data", "temporary_close", "account", "temporary_close", "data"]):
        minute += 11
        first.append({"type": "deletion_request", "id": f"d{n:03d}", "member": rng.choice(ids), "scope": scope,
                      "note": rng.choice(["Je veux tout effacer.", "I need a break from the site.", None]), "created_at": _t(base, minute)})
    for n in range(10):
        first.append({"type": "block", "blocker": rng.choice(ids), "blocked": rng.choice(ids[:40]), "created_at": _t(base, minute + n)})
    first = [e for e in first if not (e["type"] == "block" and e["blocker"] == e["blocked"])]
    # Second part, after staff have sanctioned: evasion accounts and appeals.
    banned, muted = ids[5], ids[21]
    second: list[dict] = []
    for k, (orig, new) in enumerate(((banned, "m9001"), (muted, "m9002"))):
        second.append({"type": "member", "id": new, "handle": f"nouveau_profil_{k}", "created_at": _t(base, minute + 30 + k),
                       "device": devices[orig], "language": "fr"})
    # a breach of the no-contact order seed_demo puts between members 70 and 71
    second.append({"type": "content", "id": "c9100", "kind": "message", "author": ids[70], "recipient": ids[71],
                   "body": "Pourquoi tu ne me réponds plus ? Je sais où tu habites."})  # sent now, after the order
    for n, body in enumerate(APPEALS):
        second.append({"type": "appeal", "id": f"ap{n:03d}", "member": [muted, ids[33]][n], "case": "demo", "body": body})
        # (no created_at: appeals arrive now, after the sanctions they contest)
    return first, second, {"banned": banned, "muted": muted, "warned": ids[33], "members": ids}


def seed_demo(url: str, seed: int = 7, fresh: bool = True) -> dict[str, Any]:
    """Create (or refill) a demo store at `url`. Returns where it is and what it holds."""
    parsed = make_url(url)
    if fresh and parsed.get_backend_name() == "sqlite" and parsed.database:
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    store = Store(url)
    store.upgrade()
    svc = Services(store)
    admin, _ = staff.ensure_admin(svc, "admin")
    admin_actor = svc.actor("admin")
    existing = {s.name for s in staff.list_all(svc, admin_actor)}
    for name, role in STAFF:
        if name not in existing:
            staff.add(svc, admin_actor, name, role)
    first, second, facts = generate_events(seed)
    result = ingest_lines(svc, svc.actor("platform"), ((i, json.dumps(e)) for i, e in enumerate(first, 1)))
    senior, moderator = svc.actor("ines"), svc.actor("lea")
    if fresh:
        sanctions.apply(svc, senior, member=facts["banned"], kind="ban", duration="permanent",
                        reason="harassment: repeated unanswered messages after a warning")
        mute = sanctions.apply(svc, moderator, member=facts["muted"], kind="mute", duration="7d",
                               reason="respect: offensive language in comments")
        warning = sanctions.apply(svc, moderator, member=facts["warned"], kind="warning", duration=None,
                                  reason="harassment: repeated messages without reply")
        appeals_made = [e for e in second if e["type"] == "appeal"]
        for event, contested in zip(appeals_made, (mute, warning), strict=False):  # appeals name real sanctions
            event.pop("case", None)
            event["sanction"] = str(contested.id)
        sanctions.apply(svc, moderator, member=facts["members"][60], kind="comment_mute", duration="72h",
                        reason="spam: off-topic comments flooding threads")
        sanctions.apply(svc, senior, member=facts["members"][70], kind="no_contact", duration=None,
                        other=facts["members"][71], reason="no_contact: mutual harassment across walls")
    result2 = ingest_lines(svc, svc.actor("platform"), ((i, json.dumps(e)) for i, e in enumerate(second, 1)))
    from . import cases as casework
    from .cases import queue_counts

    if fresh:  # a shift under way: claims, notes, an escalation each way, a few resolved cases
        sam = svc.actor("sam")
        board = casework.list_queue(svc, sam, limit=40)
        for c in board[:3]:
            casework.claim(svc, sam, c.id)
        casework.note(svc, sam, board[0].id, "Message envoyé au membre, j'attends sa réponse.")
        risk = [c for c in board if c.queue in ("urgent", "self_harm")]
        if risk:
            casework.escalate(svc, moderator, risk[-1].id, "clinical", "mentions a plan and a date")
        offensive = casework.list_queue(svc, moderator, queue="offensive", limit=6)
        if offensive:
            casework.escalate(svc, moderator, offensive[0].id, "senior", "threat of violence, needs a senior decision")
        for c in offensive[1:4]:
            casework.resolve(svc, moderator, c.id, "remove", reason="house rule: no insults")
        if offensive[1:2]:  # and an appeal against one of those removals
            removed = offensive[1]
            ingest_lines(svc, svc.actor("platform"), [(1, json.dumps({
                "type": "appeal", "id": "ap900", "member": removed.member, "case": str(removed.id),
                "body": "Mon message a été retiré alors que je parlais de moi, pas d'un autre membre."}))])

    counts = queue_counts(svc, admin_actor)
    lines = [
        f"{len(facts['members']) + 2} members, {result.by_type.get('content', 0)} content items, "
        f"{result.cases_opened + result2.cases_opened} cases",
        "queues: " + ", ".join(f"{c.queue} {c.open}" for c in counts),
        "staff: " + ", ".join(f"{n} ({r})" for n, r in STAFF),
        "sanctions in force: a permanent ban, a 7-day mute, a 72-hour comment-mute, a warning, a no-contact order",
    ]
    store.dispose()
    return {"url": store.display_url(), "lines": lines, "moderator": "lea", "counts": {c.queue: c.open for c in counts}}
