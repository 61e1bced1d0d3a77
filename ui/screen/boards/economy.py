"""经济运行 on the wall: the headline figures, how the counties rank, the trend, who leads and who drags."""
from __future__ import annotations

import pandas as pd

from cockpit import charts, economy, fmt, periods
from cockpit.auth import View

from ... import panels, state
from ..model import Board, Panel, Row
from . import parts

RANKED = "RETAIL"  # the county ranking in the centre
TREND = "IND_VA"  # the trend on the left
SENTENCES = ("RETAIL", "IND_VA", "FAI", "REVENUE")  # 拉动 and 拖后腿, by indicator


def load(v: View) -> Board:
    region = state.home_region(v)
    ind = state.indicators(v)
    ind = ind[ind.domain == "宏观经济"].set_index("code", drop=False)
    obs = state.observations(v, tuple(ind.code))
    figures = panels.headline_figures(v, region)
    months = obs.period[obs.region_code == region]
    period = months.max() if len(months) else None
    if period is None:
        return Board("economy", fmt.NA, [parts.figure_tile(f) for f in figures],
                     {"main": Panel("经济运行", message="尚无经济运行数据：请在“数据报送”中导入统计月报")})
    return Board("economy", periods.label(period), [parts.figure_tile(f) for f in figures],
                 {"main": ranking(v, obs, ind.loc[RANKED], period), "left": trend(obs, ind.loc[TREND], region),
                  "right": table(obs, ind, region, period), "side": leaders(v, obs, ind, period)},
                 caliber="口径：市统计局、市财政局月度快报；标“推算”的增速由本系统按上年同期数计算")


def _ranking(v: View, obs: pd.DataFrame, ind: pd.Series, period: str) -> tuple[pd.DataFrame, str]:
    """The ranking at the indicator's own latest period (a quarterly one ends on its quarter)."""
    period = economy.latest_at_or_before(obs, ind.code, state.home_region(v), period) or period
    return economy.county_ranking(obs, ind, state.regions(v), period, "ytd"), period


def ranking(v: View, obs: pd.DataFrame, ind: pd.Series, period: str) -> Panel:
    rank, period = _ranking(v, obs, ind, period)
    label = periods.label(period, "ytd", ind.frequency)
    chart = charts.ranking(rank[rank.ranked.astype(bool)], city_value=rank.attrs["city_yoy"],
                           title=f"各县区{ind['name']}同比（{label}）", unit="%", caliber=ind.caliber,
                           source=ind.source_dept, as_of=periods.label(period),
                           higher_is_better=None if pd.isna(ind.higher_is_better) else bool(ind.higher_is_better))
    return Panel(f"县区排位：{ind['name']}累计同比", chart=chart, caption="绿色高于全市，红色低于全市；示范区不排位")


def trend(obs: pd.DataFrame, ind: pd.Series, region: str) -> Panel:
    values = economy.growth_series(obs, ind, region, "ytd").tail(24)
    last = values.dropna(subset=["value"]).period.max() if len(values) else None
    chart = charts.trend(values, title=f"{ind['name']}累计增速", unit="%", caliber=ind.caliber,
                         source=ind.source_dept, as_of=periods.label(last) if last else fmt.NA)
    return Panel(f"{ind['name']}累计增速走势", chart=chart)


def table(obs: pd.DataFrame, ind: pd.DataFrame, region: str, period: str) -> Panel:
    shown = economy.display_table(economy.indicator_table(obs, ind, region, period))
    rows = []
    for r in shown.itertuples(index=False):
        value, growth = (r.累计, r.累计同比) if r.累计 != fmt.NA or r.累计同比 != fmt.NA else (r.当月, r.当月同比)
        own = "" if r.时期 in (periods.label(period), periods.label(period, "ytd")) else f" · {r.时期}"
        rows.append(Row(r.指标, f"{value if value != fmt.NA else ''} 同比 {growth}{own}".strip()))
    return Panel(f"主要经济指标（{len(rows)} 项）", rows=rows, caption="累计值与累计同比；只按月发布的指标为当月")


def leaders(v: View, obs: pd.DataFrame, ind: pd.DataFrame, period: str) -> Panel:
    """The county that leads and the one that drags, per indicator: the ends of the same ranking the
    经济运行 page words as sentences (cockpit.economy.lead_sentence, drag_sentence)."""
    rows = []
    for code in SENTENCES:
        i = ind.loc[code]
        rank, at = _ranking(v, obs, i, period)
        city, ranked = rank.attrs.get("city_yoy"), rank[rank["rank"].notna()]
        if city is None or ranked["rank"].nunique() < 2 or pd.isna(i.higher_is_better):
            continue
        for at_rank, place, light in ((1, "首位", "green"), (ranked["rank"].max(), "末位", "red")):
            tied = ranked[ranked["rank"] == at_rank]  # equal rates share the place (并列)
            row, gap = tied.iloc[0], tied.iloc[0].gap_to_city
            against = f"{'高于' if gap > 0 else '低于'}全市 {abs(gap):.1f} 个百分点" if gap else "与全市持平"
            rows.append(Row(f"{'、'.join(tied['name'])} {i['name']} {fmt.pct_change(row.yoy)}",
                            f"{'并列' if len(tied) > 1 else '居'}{place}，{against}", light=light))
    # 末位 first: a side panel too short for all eight leaves out 首位 rows (and says so), not the drags.
    rows.sort(key=lambda r: r.light != "red")
    return Panel("拉动与拖后腿的县区", rows=rows, message="" if rows else "县区数据不足，暂无排位",
                 caption=f"累计同比，{periods.label(period)}")
