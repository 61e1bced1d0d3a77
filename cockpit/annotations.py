"""Notes pinned to an indicator, region and period: the reason for a dip, a leader's instruction.

They show on charts and travel into exports. Deleting only hides a note.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import insert, select, update

from . import periods, schema as s
from .store import Store, now

MAX_LEN = 500


def add(store: Store, *, indicator_code: str, region_code: str, period: str, text: str,
        author: str) -> int:
    text = (text or "").strip()
    if not text:
        raise ValueError("批注内容不能为空")
    if len(text) > MAX_LEN:
        raise ValueError(f"批注最长 {MAX_LEN} 字，当前 {len(text)} 字")
    periods.parse_month(period)
    with store.begin() as conn:
        res = conn.execute(insert(s.annotations).values(
            indicator_code=indicator_code, region_code=region_code, period=period, text=text,
            author=author, created_at=now(), deleted=False))
        new_id = int(res.inserted_primary_key[0])
        store.audit(conn, author, "annotate", f"annotation:{new_id}", f"{indicator_code} {region_code} {period}")
    return new_id


def hide(store: Store, annotation_id: int, actor: str) -> None:
    with store.begin() as conn:
        conn.execute(update(s.annotations).where(s.annotations.c.id == annotation_id).values(deleted=True))
        store.audit(conn, actor, "annotation_hide", f"annotation:{annotation_id}")


def for_indicator(store: Store, indicator_code: str, region_code: str | None = None) -> pd.DataFrame:
    a = s.annotations.c
    stmt = (select(a.id, a.indicator_code, a.region_code, a.period, a.text, a.author, a.created_at)
            .where(a.indicator_code == indicator_code, a.deleted.is_(False)).order_by(a.period, a.id))
    if region_code:
        stmt = stmt.where(a.region_code == region_code)
    return store.frame(stmt)
