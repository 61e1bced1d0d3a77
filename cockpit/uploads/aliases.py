"""Names that learn: a name a county writes that the catalogue does not know is mapped once (stored,
audited) and read for every later file; an admin may instead add it as a new indicator.

The page (数据报送) and `python -m cockpit aliases add|list|remove` share these functions; every
refusal is a Chinese sentence (AliasRefused) and leaves the store unchanged.
"""
from __future__ import annotations

import difflib
import re

import pandas as pd
from sqlalchemy import delete, func, insert, select

from .. import schema as s
from ..store import MEASURES, Store, now
from ..exports import FORMULA_START
from .names import indicator_resolver, name_key, norm, region_resolver

KINDS = {"region": "地区", "indicator": "指标"}
MAX_NAME = 30  # the longest region or indicator name people write is well under this
_CONTROL = re.compile(r"[\x00-\x1f\x7f<>`*_\[\]{}|\\]")  # control characters, markup


class AliasRefused(ValueError):
    pass


def stored(store: Store) -> pd.DataFrame:
    a = s.name_aliases.c
    return store.frame(select(a.id, a.kind, a.written, a.alias, a.code, a.created_by, a.created_at)
                       .order_by(a.kind, a.id))


def region_code(store: Store, written: str) -> str | None:
    """A region named as a user would write it (梁园区, 梁园, 411402, or a name staff mapped), read
    as the importer reads it; None when it names none."""
    return region_resolver(store.regions(), mapping(stored(store), "region"))(written)


def mapping(frame: pd.DataFrame, kind: str) -> dict[str, str]:
    """alias key -> code, for the resolvers."""
    mine = frame[frame.kind == kind]
    return dict(zip(mine.alias, mine.code))


def _clean(text, what: str) -> tuple[str, str]:
    """(as written, key) of a name offered for mapping; refuses what cannot be a name."""
    written = "" if text is None else str(text).strip()
    key = name_key(written).upper()
    if not key:
        raise AliasRefused(f"{what}不能为空。")
    if len(norm(written)) > MAX_NAME:
        raise AliasRefused(f"{what}过长（{len(norm(written))} 个字），名称最多 {MAX_NAME} 个字。")
    if _CONTROL.search(key) or _CONTROL.search(written.replace(" ", "").replace("\u3000", "")):
        raise AliasRefused(f"{what}含有不能出现在名称中的符号（如 < > * # | 或换行），请只写名称本身。")
    if written.startswith(FORMULA_START):  # a name goes into every template: Excel would run it
        raise AliasRefused(f"{what}不能以 = + - @ 开头（Excel 会把它当作公式），请只写名称本身。")
    return written, key


def _catalogue(store: Store, kind: str):
    if kind == "region":
        regions = store.regions()
        return region_resolver(regions), dict(zip(regions.code, regions.name))
    ind = store.indicators()
    return indicator_resolver(ind), dict(zip(ind.code, ind.name))


def add(store: Store, kind: str, name: str, target: str, *, by: str) -> str:
    """Map `name` to the catalogue entry `target` (its code or its name); returns what was done."""
    if kind not in KINDS:
        raise AliasRefused(f"类别应为 {'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}。")
    word = KINDS[kind]
    written, key = _clean(name, f"{word}名称")
    resolver, names = _catalogue(store, kind)
    code = resolver(target) if target is not None else None
    if code is None:
        raise AliasRefused(f"目录中没有{word}“{str(target)[:MAX_NAME]}”，请从列表中选择。")
    known = mapping(stored(store), kind)
    already = known.get(key) or resolver(written)
    if already == code:
        return f"“{written}”已对应{word}“{names[code]}”，无需重复设置。"
    if already is not None:
        raise AliasRefused(f"“{written}”已对应{word}“{names.get(already, already)}”，不能再对应“{names[code]}”；"
                           "如需改动，请先删除原对应关系。")
    with store.begin() as conn:
        conn.execute(insert(s.name_aliases).values(kind=kind, alias=key[:64], written=written[:64], code=code,
                                                   created_by=by[:64], created_at=now()))
        store.audit(conn, by, "alias_add", f"{kind}:{written}"[:255], f"{written} → {names[code]}（{code}）")
    return f"已设置：“{written}”以后按{word}“{names[code]}”读取。"


def remove(store: Store, kind: str, name: str, *, by: str) -> str:
    word = KINDS.get(kind, "名称")
    written, key = _clean(name, f"{word}名称")
    a = s.name_aliases.c
    with store.begin() as conn:
        gone = conn.execute(delete(s.name_aliases).where(a.kind == kind, a.alias == key)).rowcount
        if not gone:
            raise AliasRefused(f"没有“{written}”的对应关系（目录中的正式名称不能删除）。")
        store.audit(conn, by, "alias_remove", f"{kind}:{written}"[:255], "")
    return f"已删除“{written}”的对应关系；以后的文件中该名称将列为未识别。"


def suggestions(store: Store, kind: str, name: str, limit: int = 8) -> list[str]:
    """Catalogue codes, the closest names first (shared characters, then containment)."""
    _, names = _catalogue(store, kind)
    key = name_key(name)

    def score(code: str) -> float:
        other = name_key(names[code])
        contained = 1.0 if other and (other in key or key in other) else 0.0
        return contained + difflib.SequenceMatcher(None, key, other).ratio()
    return sorted(names, key=score, reverse=True)[:limit]


def add_indicator(store: Store, name: str, unit: str, measures: list[str], domain: str, *, by: str) -> str:
    """An admin adds a name the catalogue lacks as a new indicator; returns its code."""
    written, key = _clean(name, "指标名称")
    unit = "" if unit is None else str(unit).strip()
    if not unit or len(unit) > 16 or _CONTROL.search(unit) or unit.startswith(FORMULA_START):
        raise AliasRefused("单位应为 1—16 个字、不以 = + - @ 开头，如 亿元、万人、%。")
    measures = [m for m in MEASURES if m in set(measures or [])]
    if not measures:
        raise AliasRefused(f"请至少选择一个发布口径（{'、'.join(MEASURES.values())}）。")
    resolver, names = _catalogue(store, "indicator")
    if (hit := resolver(written) or mapping(stored(store), "indicator").get(key)) is not None:
        raise AliasRefused(f"“{written}”已是目录中的指标“{names.get(hit, hit)}”，无需新增。")
    ind = s.indicators.c
    with store.begin() as conn:
        domains = set(conn.execute(select(ind.domain).distinct()).scalars())
        if domain not in domains:
            raise AliasRefused(f"领域应为 {'、'.join(sorted(domains))} 之一。")
        n = conn.execute(select(func.count()).where(ind.code.like("USER_%"))).scalar() + 1
        code = f"USER_{n:03d}"
        top = conn.execute(select(func.max(ind.sort))).scalar() or 0
        conn.execute(insert(s.indicators).values(
            code=code, name=written[:64], definition="", unit=unit, domain=domain, frequency="M", kind="flow",
            higher_is_better=None, source_dept="", caliber=f"{by} 于 {now():%Y-%m-%d} 在数据报送页新增",
            measures=",".join(measures), min_value=None, max_value=None, plan_target=None, sort=top + 1))
        store.audit(conn, by, "indicator_add", f"indicator:{code}", f"{written}（{unit}；{','.join(measures)}）")
    return code
