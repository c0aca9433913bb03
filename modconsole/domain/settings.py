"""Reading and changing policy settings (admin), audited like any action."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from . import policy as policy_mod
from .auth import Actor
from .models import PolicySetting
from .service import Services


def show(svc: Services, actor: Actor) -> dict[str, int | str]:
    svc.check(actor, "queue.list")
    svc.invalidate()
    return policy_mod.as_dict(svc.policy())


def set_value(svc: Services, actor: Actor, key: str, value: str) -> dict[str, int | str]:
    """Change one setting; returns every setting after the change. Raises InvalidInput, Forbidden."""
    number = policy_mod.validate(key, value)

    def change(s: Session) -> tuple[None, dict[str, Any]]:
        row = s.get(PolicySetting, key)
        old = row.value if row else policy_mod.as_dict(policy_mod.Policy())[key]
        if row is None:
            row = PolicySetting(key=key, value=number)
        else:
            row.value = number
        s.add(row)
        return None, {"key": key, "from": old, "to": number}

    svc.perform(actor, "policy.set", change, target_type="policy", target_id=key)
    svc.invalidate()
    return policy_mod.as_dict(svc.policy())
