"""Commentary in the voice of a statistics bulletin, generated from the figures and nothing else:
"1—10月，全市社会消费品零售总额1702.99亿元，同比增长7.2%，增速比1—9月回落0.3个百分点；分县区看，
永城市增长最快……". A figure that is missing is said to be missing; a 同比 the cockpit computed
(not published) is marked 推算 (cockpit.metrics decides which, by its one definition).
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .. import economy, metrics, periods

ESTIMATED = f"（{economy.ESTIMATED}）"


def short_period(period: str, frequency: str, year: int | None = None) -> str:
    """The period as a bulletin names it once the year is in the title: 1—10月, 前三季度; with its
    year when that is not the bulletin's (`year`): February's bulletin reads GDP for 2025年全年."""
    label = periods.label(period, "ytd", frequency)
    return label if year is not None and periods.parse_month(period)[0] != year else label.split("年", 1)[1]


def growth_words(value: float, reported: bool = True) -> str:
    """同比增长7.2% / 同比下降3.1% / 与上年同期持平, with （推算） for a computed rate."""
    tag = "" if reported else ESTIMATED
    if value > 0:
        return f"同比增长{value:.1f}%{tag}"
    if value < 0:
        return f"同比下降{-value:.1f}%{tag}"
    return f"与上年同期持平{tag}"


def _rate(value: float, reported: bool) -> str:
    """Inside a county's brackets: 增长9.1% / 下降3.2% / 持平, and 推算 after a comma (not nested)."""
    tag = "" if reported else f"，{economy.ESTIMATED}"
    if round(value, 1) == 0:
        return "持平" + tag  # "增长0.0%" said a rate that did not move was growth
    return f"{'增长' if value > 0 else '下降'}{abs(value):.1f}%{tag}"


def _change(now: float, then: float, ref: str) -> str:
    """How the 累计 rate moved since `ref`, as a bulletin words it: 增速比1—9月提高/回落, and between
    two falls 降幅扩大/收窄 ("增速比1月回落11.6个百分点" said of −4.3 → −15.9)."""
    diff = round(now - then, 1)
    if now < 0 and then < 0:
        return f"，降幅与{ref}持平" if diff == 0 else f"，降幅比{ref}{'扩大' if diff < 0 else '收窄'}{abs(diff):.1f}个百分点"
    return f"，增速与{ref}持平" if diff == 0 else f"，增速比{ref}{'提高' if diff > 0 else '回落'}{abs(diff):.1f}个百分点"


def previous_period(period: str, frequency: str) -> str | None:
    """The 累计 period a bulletin compares with: the month (quarter) before, within the year; none
    for the year's first release (January, or 1—2月 where January is not published; the first quarter)."""
    month = periods.parse_month(period)[1]
    step = 3 if frequency == "Q" else 1
    if month - step < 1:
        return None
    return periods.shift_month(period, -step)


def indicator(obs: pd.DataFrame, ind: pd.Series, region: str, place: str, period: str,
              ranking: pd.DataFrame | None = None, *, year: int | None = None,
              published: Callable[[str], bool] = lambda _: True) -> str:
    """One bulletin sentence for an indicator's 累计 figure at `period` in `region` (named `place`,
    e.g. 全市); with `ranking` (economy.county_ranking), the counties that grew fastest and slowest.
    `year`: the bulletin's; `published(period)`: whether the indicator has a figure of its own then
    (reporting.Schedule.published: no January for a 1—2月 joint release)."""
    mine = obs[obs.indicator_code == ind.code]
    label = short_period(period, ind.frequency, year)
    value = metrics._value(mine, region, period, "ytd")
    yoy, reported = metrics.growth_for(mine, ind, region, period, "ytd")
    if value is None and yoy is None:
        if not published(period):
            return f"{label}，{place}{ind['name']}不单独发布，与2月合并为1—2月发布。"
        return f"{label}，{place}{ind['name']}数据暂缺（尚未报送或未发布）。"
    text = f"{label}，{place}{ind['name']}"
    if value is not None:
        text += f"{value:.2f}{ind.unit}"
    # 总额1702.99亿元，同比增长…; a rate-only indicator reads 增加值同比增长…
    text += ("，" if value is not None else "") + (growth_words(yoy, reported) if yoy is not None else "同比增速暂缺")
    before = previous_period(period, ind.frequency)
    if yoy is not None and before is not None and published(before):
        prev, _ = metrics.growth_for(mine, ind, region, before, "ytd")
        ref = short_period(before, ind.frequency, year)
        if prev is None:
            text += f"，{ref}增速暂缺，无法比较"
        else:
            text += _change(yoy, prev, ref)
    if ranking is not None:
        text += counties(ranking)
    return text + "。"


def _month(period: str, year: int | None) -> str:
    """10月, or 2025年12月 outside the bulletin's year: a month's own figure, never 1—10月."""
    label = periods.label(period)
    return label if year is not None and periods.parse_month(period)[0] != year else label.split("年", 1)[1]


def _index_words(value: float) -> str:
    """An index on 上年同月=100 as the bulletin reads it: 101.2 is 同比上涨1.2%."""
    change = round(value - 100, 1)
    return "与上年同月持平" if change == 0 else f"同比{'上涨' if change > 0 else '下降'}{abs(change):.1f}%"


def _pp(diff: float, than: str) -> str:
    diff = round(diff, 1)
    return f"与{than}持平" if diff == 0 else f"比{than}{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def monthly_level(obs: pd.DataFrame, ind: pd.Series, region: str, place: str, period: str, *,
                  year: int | None = None) -> str:
    """One sentence for an indicator published as a month's level, not as 累计 (CPI on 上年同月=100,
    城镇调查失业率 in %): "10月，全市居民消费价格指数（上年同月=100）为101.2，同比上涨1.2%，涨幅比9月
    扩大0.3个百分点。" / "…城镇调查失业率为5.1%，比9月下降0.1个百分点，与上年同月持平。" """
    label = _month(period, year)
    value = metrics._value(obs, region, period, "month")
    if value is None:
        return f"{label}，{place}{ind['name']}数据暂缺（尚未报送或未发布）。"
    before = periods.shift_month(period, -1)
    prev = metrics._value(obs, region, before, "month")
    ref = _month(before, year)
    if ind.kind == "index":
        text = f"{label}，{place}{ind['name']}（{ind.unit}）为{value:.1f}，{_index_words(value)}"
        if prev is None:
            return text + f"，{ref}数据暂缺，无法比较。"
        now, then = round(value - 100, 1), round(prev - 100, 1)
        if now == then:  # 涨幅与9月持平, as a bulletin says it (not 涨跌幅与9月相同)
            return text + (f"，与{ref}持平。" if now == 0 else f"，{'涨' if now > 0 else '降'}幅与{ref}持平。")
        if now > 0 and then > 0:
            return text + f"，涨幅比{ref}{'扩大' if now > then else '回落'}{abs(now - then):.1f}个百分点。"
        if now < 0 and then < 0:
            return text + f"，降幅比{ref}{'扩大' if now < then else '收窄'}{abs(now - then):.1f}个百分点。"
        return text + f"，{ref}{_index_words(prev)}。"  # "9月为同比上涨1.1%" read oddly
    text = f"{label}，{place}{ind['name']}为{value:.1f}{ind.unit}"
    text += f"，{ref}数据暂缺" if prev is None else f"，{_pp(value - prev, ref)}"
    last_year = metrics._value(obs, region, periods.same_period_last_year(period), "month")
    return text + ("，上年同月数据暂缺。" if last_year is None else f"，{_pp(value - last_year, '上年同月')}。")


def counties(ranking: pd.DataFrame) -> str:
    """；分县区看，A增长最快（增长9.1%），B增长最慢（增长3.2%）；C暂缺 — over the ranked county-level units."""
    ranked = ranking[ranking.ranked.astype(bool)]
    have = ranked[ranked.yoy.notna()].sort_values("yoy", ascending=False)
    missing = ranked[ranked.yoy.isna()]
    if have.empty:
        return "；分县区数据暂缺"
    shown = have.yoy.round(1)

    def who(value: float, word: str) -> str:
        # Counties that print the same rate share the place, as the page's sentences say (并列).
        tied = have[shown == value]
        first = tied.iloc[0]
        names = "、".join(tied["name"])
        return f"{names}{'并列' if len(tied) > 1 else ''}{word}（{_rate(first.yoy, not tied.estimated.any())}）"
    # 永城市增长最快（下降11.0%）: where the fastest fell, it fell least (降幅最小); the slowest that fell, most.
    top, bottom = shown.iloc[0], shown.iloc[-1]
    # 增长最快 among three of nine read as a ranking of all nine: say among whom.
    among = f"已有数据的{len(have)}个县区中，" if len(missing) else ""
    text = f"；分县区看，{among}{who(top, '增长最快' if top > 0 else '增速最高' if top == 0 else '降幅最小')}"
    if top != bottom:
        text += f"，{who(bottom, '增长最慢' if bottom > 0 else '增速最低' if bottom == 0 else '降幅最大')}"
    if len(missing):
        text += f"；{'、'.join(missing['name'])}数据暂缺"
    return text


def warnings_sentence(alerts: pd.DataFrame, level_names: dict[int, str], when: str) -> str:
    """when: the month's end, or the time the pack was made with "（生成简报时）"."""
    if alerts.empty:
        return f"截至{when}，没有正在触发的预警。"
    parts = [f"{level_names[int(lv)]}{n}条" for lv, n in alerts.level.dropna().astype(int).value_counts()
             .sort_index().items()]
    unlevelled = int(alerts.level.isna().sum())
    if unlevelled:
        parts.append(f"未分级{unlevelled}条")
    return f"截至{when}，正在触发的预警{len(alerts)}条，其中" + "、".join(parts) + "。"


def tasks_sentence(overdue: int, total: int, as_of: str) -> str:
    """as_of: 2026年10月末, or the day for a month still running."""
    if not overdue:
        return f"截至{as_of}，重点任务中没有逾期未完成的任务。"
    return f"截至{as_of}，{total}项重点任务中逾期未完成{overdue}项，请牵头单位加快推进。"


def plan_sentence(states: pd.Series, names: dict[str, str]) -> str:
    """How many indicators are in each state (lights, or the final assessment), in `names`' order."""
    counts = states.value_counts()
    parts = [f"{name}{int(counts[k])}项" for k, name in names.items() if counts.get(k, 0)]
    gaps = int(states.isna().sum())
    text = f"{len(states)}项主要指标中，" + "、".join(parts) if parts else f"{len(states)}项主要指标均暂无数据"
    return text + (f"，{gaps}项暂无数据" if gaps and parts else "") + "。"
