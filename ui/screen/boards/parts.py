"""Pieces every board uses: a headline figure as a tile, the warnings that light the banner."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit import fmt
from cockpit.auth import View
from cockpit.metrics import Figure
from cockpit.signals import LEVEL_NAMES
from models import alerts as alert_model

from ... import emergency_panels, state
from ..model import Alarm, Row, Tile

SEVERE = (1, 2)  # 红 and 橙: the levels that light the banner


def split_unit(text: str, unit: str) -> tuple[str, str]:
    """'1,702.99 亿元' -> ('1,702.99', '亿元'): the number is drawn large, its unit small."""
    if unit and unit != "%" and text.endswith(unit):
        return text[: -len(unit)].strip(), unit
    return text, ""


def tone(change: float | None, higher_is_better) -> str:
    """good/bad follows whether higher is better, never the sign alone (DESIGN §5)."""
    if change is None or change != change or higher_is_better is None or change == 0:
        return ""
    return "good" if (change > 0) == bool(higher_is_better) else "bad"


def figure_tile(f: Figure) -> Tile:
    """A headline Figure as the wall shows it; the desktop tile's wording (ui.widgets.figure_tile)."""
    if f.value is None:  # rate-only indicators (规上工业增加值): the rate is the figure
        return Tile(f.name, fmt.pct_change(f.yoy), "", f"{f.period_label}{'累计' if f.measure == 'ytd' else '当月'}增速",
                    tone(f.yoy, f.higher_is_better))
    value, unit = split_unit(fmt.number(f.value, f.unit), f.unit)
    delta = (fmt.pp(f.yoy) if f.yoy_pp else fmt.pct_change(f.yoy)) if f.yoy is not None else fmt.NA
    estimated = "（推算）" if f.yoy is not None and not f.yoy_reported else ""
    period = f"{f.period_label}{'' if f.measure == 'month' else '累计'}"
    return Tile(f.name, value, unit, f"同比 {delta}{estimated} · {period}", tone(f.yoy, f.higher_is_better))


def alert_rows(v: View, limit: int) -> tuple[list[Row], list[dict], int]:
    """Firing alerts, most severe first, one row per indicator × region (as 最新预警 lists them); the
    merged entries and how many alerts they merge (the 条 the desktop overview and 预警中心 count)."""
    firing = state.alerts(v)
    groups = alert_model.group_by_series(firing)
    rows = [Row(g["title"], g["message"], level=int(g["level"])) for g in groups[:limit]]
    return rows, groups, len(firing)


def alarms(v: View, at: dt.datetime) -> list[Alarm]:
    """What lights the banner: firing 红/橙 alerts, one per indicator × region as the 最新预警 panel
    counts them, and 红/橙 weather warnings in force."""
    out = [Alarm(int(g["level"]), g["title"]) for g in alert_model.group_by_series(state.alerts(v))
           if int(g["level"]) in SEVERE]
    ww = weather(v, at)
    for (kind, level), grp in ww[ww.level.isin(SEVERE)].groupby(["kind", "level"], sort=True):
        out.append(Alarm(int(level), f"{kind}{LEVEL_NAMES[int(level)]}预警（{len(grp)} 个县区）"))
    return sorted(out, key=lambda a: a.level)


def weather(v: View, at: dt.datetime) -> pd.DataFrame:
    return emergency_panels.weather(v, at, state.home_region(v))  # the page's loader: one cache for both


def clock() -> dt.datetime:
    """The command room's minute (the emergency page's clock, which tests pin)."""
    return emergency_panels.now().replace(second=0)
