"""The audit log: who did what, when. Writes inside a caller's transaction go through
Store.audit; an action with nothing else to write (an export) is recorded with record()."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from . import schema as s
from .store import Store

a = s.audit_log.c


def record(store: Store, actor: str, action: str, target: str = "", detail: str = "") -> None:
    with store.begin() as conn:
        store.audit(conn, actor, action, target, detail)


def recent(store: Store, limit: int = 5000) -> pd.DataFrame:
    """The newest entries first: at, actor, action, target, detail."""
    return store.frame(select(a.at, a.actor, a.action, a.target, a.detail).order_by(a.id.desc()).limit(limit))
