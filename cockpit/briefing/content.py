"""What goes into the monthly briefing (月度简报) for one month and one region, seen through the
requester's scope exactly as the pages see it: a county user's pack holds only their county.

Pure reads of the store; the files are written by cockpit.briefing.{slides,document,workbook} and the
pictures drawn by service.briefing (Chromium).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from .. import alert_store, catalog, city, charts, economy, fmt, metrics, periods, plan, reporting, rule_config, tasks
from ..auth import EVERYTHING, Scope
from ..catalog import CITY
from ..config import Settings
from ..signals import LEVEL_NAMES, LIGHT_NAMES, OUTCOME_NAMES
from ..store import Store
from ..uploads import aliases
from . import commentary, hotline_page
from .sections import ChartSection, TableSection

DOMAIN = "宏观经济"
TREND_MONTHS = 24
LEVEL_HALF_SPAN = 1.0  # a month's level (失业率 %, CPI points): its axis spans at least two units


class BriefingRefused(ValueError):
    """A request the pack cannot be made for; the message names what is wrong, in Chinese."""


@dataclass
class Pack:
    month: str
    region: str
    region_name: str
    basis: str  # 累计
    as_of: str  # 数据截至
    generated_at: dt.datetime
    demo: bool
    charts: list[ChartSection]
    tables: list[TableSection]
    notes: list[str]  # said once on the title page (e.g. why the plan indicators are absent)
    other_bases: str = ""  # 城镇调查失业率、居民消费价格指数为当月

    @property
    def title(self) -> str:
        return f"{self.region_name}经济运行月度简报"

    @property
    def subtitle(self) -> str:
        return periods.label(self.month)

    @property
    def filters(self) -> str:
        """The whole pack's: the pages of another 口径 named (居民消费价格指数为当月)."""
        return self.filters_of(self.basis) + (f"（{self.other_bases}）" if self.other_bases else "")

    def filters_of(self, basis: str) -> str:
        """basis "": a table's page, whose own note line says its 口径."""
        return f"地区：{self.region_name}　时期：{periods.label(self.month)}" + (f"　口径：{basis}" if basis else "")

    @property
    def demo_notice(self) -> str:
        """The title page's: the whole pack, or only the pages marked (a store whose figures are real
        and whose task reports are still the demo's stamped every real figure 演示数据)."""
        whole = all(x.demo for x in (*self.charts, *self.tables))
        return (f"【演示数据】本简报{'数字' if whole else '中标有“演示数据”的页面'}为系统生成的演示数据，"
                f"{city.NOT_REAL}") if self.demo else ""

    def footer(self, basis: str | None = None, as_of: str | None = None, demo: bool | None = None) -> str:
        """Printed on every slide and page, with that page's 口径 and 数据截至 (a GDP page said 2026年10月
        under its 前三季度 chart; a table of tasks said 口径：累计 and the economy's month)."""
        return (f"{self.filters_of(self.basis if basis is None else basis)}　数据截至：{as_of or self.as_of}"
                + (f"　【演示数据，非{city.NAME}实际数据】" if (self.demo if demo is None else demo) else ""))

    @property
    def file_stem(self) -> str:
        return f"月度简报-{self.region_name}-{self.month}"


def check(store: Store, month: str, region: str | None, scope: Scope, today: dt.date) -> str:
    """The region the pack is for (a code; a name or alias is read as the importer reads it), or
    BriefingRefused naming what is wrong with the request."""
    # Exactly YYYY-MM: "2026-1" parsed, then compared as text with "2026-01" and made a pack of
    # 数据暂缺 under a file name of its own.
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", month):  # \d took ２０２５-１１ and then called it 尚未到来
        raise BriefingRefused(f"--month：月份“{month}”格式不对，应为 YYYY-MM，如 {periods.last_complete_month(today)}")
    try:
        periods.parse_month(month)
    except ValueError as exc:
        raise BriefingRefused(f"--month：{exc}") from None
    if month > periods.month_key(today):
        raise BriefingRefused(f"--month：{month} 尚未到来，只能生成 {periods.month_key(today)} 及以前月份的简报")
    regions = store.regions()
    named = dict(zip(regions.code, regions.name))
    if region is None:
        region = scope.codes[0] if scope.codes and len(scope.codes) == 1 else CITY
    elif region not in named:
        written = region
        region = aliases.region_code(store, region)
        if region is None:
            raise BriefingRefused(f"--region：未知的地区“{written}”，可写名称或代码，如 {'、'.join(regions.name[:3])}")
    if not scope.allows(region):
        mine = "、".join(named.get(c, c) for c in scope.codes or ())
        raise BriefingRefused(f"--region：您的账号只能生成{mine}的简报，不能生成{named[region]}的")
    return region


def build(store: Store, month: str, region: str | None = None, scope: Scope = EVERYTHING, *,
          today: dt.date | None = None, cfg: Settings | None = None) -> Pack:
    today = today or dt.date.today()
    region = check(store, month, region, scope, today)
    regions = store.regions(scope.regions)
    names = dict(zip(regions.code, regions.name))
    every = store.indicators(domain=DOMAIN)
    ind = every[every.measures.str.contains("ytd")]
    # Published as a month's level, never as 累计 (CPI, 城镇调查失业率): a chart of the level each.
    levels = every[~every.measures.str.contains("ytd") & every.measures.str.contains("month")]
    # The trend's months and a year before them (for 同比): enough, and far fewer rows to filter.
    obs = store.observations(indicators=list(every.code), regions=scope.regions, until=month,
                             since=periods.shift_month(month, -(TREND_MONTHS + 15)))
    demo_sets = store.demo_datasets()
    mine = obs[(obs.region_code == region) & obs.indicator_code.isin(ind.code)]
    if not any(((mine.indicator_code == row.code) & (mine.period == _period_for(row, month))).any()
               for _, row in ind.iterrows()):
        # A pack of 数据暂缺 pages said "数据截至" the month asked for (1999-01, a month still running).
        last = store.observations(indicators=list(ind.code), regions=[region]).period.max()
        since = f"最近有数据的是{periods.label(last)}" if isinstance(last, str) else "库中尚无其经济指标数据"
        raise BriefingRefused(f"--month：{names[region]}{periods.label(month)}没有经济指标数据（{since}），不生成空白简报")
    made = [_section(obs, row, region, names, regions, month) for _, row in ind.iterrows()]
    # Nothing to draw (January of a 1—2月 joint release): said once on the title page, not empty axes.
    drawable = [x.data["累计同比（%）"].notna().any() for x in made]
    sections = [x for x, ok in zip(made, drawable) if ok]
    place = "全市" if region == CITY else names[region]
    nothing = _undrawn(ind[[not ok for ok in drawable]], month, place)
    drawn = {row["name"]: _level(obs, row, region, names[region], place, month) for _, row in levels.iterrows()}
    shown = [name for name, x in drawn.items() if x is not None]
    sections += [drawn[name] for name in shown]
    as_of = periods.label(min(mine.period.max(), month))
    end = min(periods.month_end(month), today)
    calls, unsaid = hotline_page.section(store, month, scope.within(region), place)
    # Each page is marked by the data it shows: the charts and the plan's values are observations.
    for section in sections:
        section.demo = "observations" in demo_sets
    tables = [*([calls] if calls else []), _warnings(store, scope if region == CITY else Scope.of([region]), month, end, today),
              _tasks(store, end)]
    notes = [*nothing, *([unsaid] if unsaid else [])]
    absent = [name for name, x in drawn.items() if x is None]
    if absent:  # 仅全市: a county has no CPI of its own, and its pack says so rather than leave it out unsaid
        usually = "（通常仅发布全市数据）" if region != CITY else ""  # the city's own figures missing: no such reason
        notes.append(f"{'、'.join(absent)}近两年没有{names[region]}的数据{usually}，本简报不含该部分。")
    if region == CITY and scope.codes is None:
        tables.append(_plan(store, month, end, cfg))
    else:
        notes.append(f"数字政府建设主要指标是全市指标，不分县区，{names[region]}的简报不含该部分。")  # 示范区 is no 县区
    for t, used in zip(tables, [*(["hotline_tickets"] if calls else []), "*", "task_progress", "observations"]):
        t.demo = bool(demo_sets) if used == "*" else used in demo_sets  # alerts are read from every dataset
    return Pack(month=month, region=region, region_name=names[region], basis="累计", as_of=as_of,
                generated_at=dt.datetime.now().replace(microsecond=0),
                demo=any(x.demo for x in (*sections, *tables)), charts=sections, tables=tables,
                notes=notes, other_bases=f"{'、'.join(shown)}为当月" if shown else "")


def _undrawn(ind: pd.DataFrame, month: str, place: str) -> list[str]:
    """The title page's word for indicators with nothing to draw, in one sentence per reason: not
    published on their own (January of a 1—2月 joint release), or missing."""
    schedule = reporting.Schedule.of()
    joint = [not schedule.published(_period_for(row, month), row.code, row.frequency) for _, row in ind.iterrows()]
    label = periods.label(month).split("年", 1)[1]
    said = {True: "不单独发布（与2月合并为1—2月发布）", False: "数据暂缺（尚未报送或未发布）"}
    return [f"{label}，{place}{'、'.join(ind['name'][[j == why for j in joint]])}{words}，本简报不含该部分。"
            for why, words in said.items() if why in joint]


def _period_for(ind: pd.Series, month: str) -> str:
    """A monthly indicator at the month itself (a missing month stays a gap); a quarterly one at the
    latest quarter not after it."""
    if ind.frequency != "Q":
        return month
    m = periods.parse_month(month)[1]
    return periods.shift_month(month, -(m % 3))


def _section(obs, ind, region, names, regions, month) -> ChartSection:
    obs = obs[obs.indicator_code == ind.code]
    period = _period_for(ind, month)
    unit = "%" if ind.kind != "ratio" else "个百分点"
    what = periods.label(period, "ytd", ind.frequency)
    # A quarterly figure is dated as released (前三季度), not by its last month (2026年9月).
    common = {"caliber": ind.caliber, "source": ind.source_dept, "as_of": what}
    schedule = reporting.Schedule.of()
    words = {"year": periods.parse_month(month)[0],
             "published": lambda p: schedule.published(p, ind.code, ind.frequency)}
    if region == CITY and len(regions) > 1:
        # Only the periods a ranking and its sentence read: every filter below runs on a few rows.
        before = commentary.previous_period(period, ind.frequency)
        wanted = {p for q in (period, before) if q for p in (q, periods.same_period_last_year(q))}
        obs = obs[obs.period.isin(wanted)]
        rank = economy.county_ranking(obs, ind, regions, period, "ytd")
        chart = charts.ranking(rank[rank.ranked.astype(bool)], city_value=rank.attrs["city_yoy"],
                               title=f"各县区{ind['name']}累计同比（{what}）", unit=unit,
                               higher_is_better=None if pd.isna(ind.higher_is_better) else bool(ind.higher_is_better),
                               **common)
        text = commentary.indicator(obs, ind, region, "全市", period, rank, **words)
        data = pd.DataFrame({"地区代码": rank.region_code, "地区": rank["name"], f"累计值（{ind.unit}）": rank.value,
                             "累计同比（%）": rank.yoy, "说明": ["推算" if e else "" for e in rank.estimated],
                             "与全市差（百分点）": rank.gap_to_city, "位次": rank["rank"].astype("float")})
        city = {"地区代码": region, "地区": names[region], f"累计值（{ind.unit}）": metrics._value(
            obs, region, period, "ytd"), "累计同比（%）": rank.attrs["city_yoy"]}
        data = pd.concat([pd.DataFrame([city]), data], ignore_index=True)
        if data[f"累计值（{ind.unit}）"].isna().all():  # a rate-only indicator (工业增加值): no empty column
            data = data.drop(columns=f"累计值（{ind.unit}）")
        formats = {f"累计值（{ind.unit}）": "#,##0.00", "累计同比（%）": "0.0", "与全市差（百分点）": "+0.0;-0.0;0.0",
                   "位次": "0"}
    else:
        values = economy.growth_series(obs, ind, region, "ytd")
        values = values[values.period > periods.shift_month(month, -TREND_MONTHS)]
        # As /economy draws it: the 累计 line breaks at each new year, quarters named as released.
        chart = charts.trend(values, title=f"{names[region]}{ind['name']}累计同比（{what}）", unit=unit, yearly=True,
                             labels=([periods.label(p, "ytd", "Q") for p in values.period]
                                     if ind.frequency == "Q" else None), **common)
        text = commentary.indicator(obs, ind, region, names[region], period, **words)
        data = pd.DataFrame({"时期": [periods.label(p, "ytd", ind.frequency) for p in values.period],
                             "累计同比（%）": values.value,
                             "说明": [("暂缺" if schedule.published(p, ind.code, ind.frequency) else "不单独发布")
                                    if pd.isna(v) else ("" if bool(r) else "推算")
                                    for p, r, v in zip(values.period, values.reported, values.value)]})
        formats = {"累计同比（%）": "0.0"}
    return ChartSection(ind.code, chart, text, data, formats, ("地区代码",))


def _level(obs, ind, region, name, place, month) -> ChartSection | None:
    """The month's level and its last two years (CPI on 上年同月=100, 城镇调查失业率 in %); None when
    the region has no figure in that time."""
    values = economy.series(obs[obs.indicator_code == ind.code], ind, region, "month")
    values = values[(values.period > periods.shift_month(month, -TREND_MONTHS)) & (values.period <= month)]
    if not values.value.notna().any():
        return None
    heading = f"{ind['name']}（{ind.unit}）"
    chart = charts.trend(values, title=f"{name}{ind['name']}（{periods.label(month)}）", unit=ind.unit,
                         caliber=ind.caliber, source=ind.source_dept, as_of=periods.label(month))
    # At least a point either side of the middle: 5.0—5.4 drew 0.1 个百分点 moves as spikes.
    lo, hi = values.value.min(), values.value.max()
    half = max((hi - lo) / 2 * 1.15, LEVEL_HALF_SPAN)
    chart.figure.update_yaxes(range=[(lo + hi) / 2 - half, (lo + hi) / 2 + half])
    text = commentary.monthly_level(obs[obs.indicator_code == ind.code], ind, region, place, month,
                                    year=periods.parse_month(month)[0])
    data = pd.DataFrame({"时期": [periods.label(p) for p in values.period], heading: values.value.astype("float"),
                         "说明": ["暂缺" if pd.isna(v) else "" for v in values.value]})
    return ChartSection(ind.code, chart, text, data, {heading: "0.0"}, basis="当月")


def _warnings(store: Store, scope: Scope, month: str, end: dt.date, today: dt.date) -> TableSection:
    """The alerts of the pack's region (a county's pack: its own and the city-wide ones, as its users
    see them) firing at the month's end, read back from their history; a month still running, or one
    the history does not reach back to, shows those firing as the pack is made, and says so (a pack
    made in December for September listed December's alerts)."""
    made = fmt.minute(dt.datetime.now())
    month_end = f"{periods.label(month)}末"
    begins = alert_store.history_begins(store)
    cutoff = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    if end == periods.month_end(month) and end < today and begins is not None and begins < cutoff:
        firing = alert_store.firing_at(store, cutoff, regions=scope.regions)
        title, when, as_of = f"预警情况（{month_end}）", month_end, month_end
        note = f"口径：{month_end}预警中心正在触发的预警（按预警记录回溯；级别和内容为最近一次评估所见）"
    else:
        firing = alert_store.alerts(store, ("firing",), regions=scope.regions)
        title, when, as_of = "预警情况（生成简报时）", f"{made}（生成简报时）", made
        note = "口径：生成简报时预警中心正在触发的预警（按级别排列）"
        if end < today:  # a past month the history does not reach
            since = f"始于{fmt.day(begins)}" if begins is not None else "尚无记录"
            note += f"；预警记录{since}，无法回溯到{month_end}"
    frame = pd.DataFrame({"级别": [LEVEL_NAMES.get(int(x), "—") if pd.notna(x) else "—" for x in firing.level],
                          "预警": firing.title, "规则": firing.rule.map(lambda r: rule_config.RULE_TITLES.get(r, r)),
                          "开始时间": pd.to_datetime(firing.started_at).dt.floor("min")})
    return TableSection(title, commentary.warnings_sentence(firing, LEVEL_NAMES, when), frame,
                        f"{note}　来源：驾驶舱预警规则", as_of)


def _latest_by(store: Store, end: dt.date) -> pd.DataFrame:
    """Each task's newest report on or before `end`, so a past month's pack shows that month."""
    h = tasks.progress_history(store)
    h = h[pd.to_datetime(h.reported_on) <= pd.Timestamp(end)]
    return h.sort_values(["task_number", "reported_on"]).drop_duplicates("task_number", keep="last")


def _tasks(store: Store, end: dt.date) -> TableSection:
    reports = _latest_by(store, end)
    b = tasks.board(store.plan_tasks(), reports, end)
    late = tasks.overdue_list(b)
    frame = pd.DataFrame({"序号": late.number.astype(int), "任务内容": late.text, "任务时限": late.deadline_text,
                          "牵头单位": late.lead, "最新状态": late.status,
                          "逾期天数": late.overdue_days.astype("float")})
    # A month still running is counted to today: "截至12月末" on 7 December promised what is not yet known.
    label = (f"{periods.label(periods.month_key(end))}末" if end == periods.month_end(periods.month_key(end))
             else fmt.day(end))
    # The reports' date, as the 督查督办 page says it: the month's end promised reports never sent.
    as_of = (f"{fmt.day(pd.Timestamp(reports.reported_on.max()))}报送（逾期天数按{label}计）" if len(reports)
             else "尚无报送")
    return TableSection("逾期未完成的重点任务", commentary.tasks_sentence(len(late), len(b), label), frame,
                        "口径：有明确时限、时限已过且最近一次报送未完成的重点任务（全市任务）　来源：各牵头单位报送", as_of)


def _plan(store: Store, month: str, end: dt.date, cfg: Settings | None) -> TableSection:
    """The plan's indicators: against 序时进度 during its period, the final assessment after it."""
    cfg = cfg or store.cfg
    p = catalog.load_plan(cfg.plan_dir)
    ind = store.indicators()
    obs = store.observations(indicators=list(catalog.plan_indicators(ind, p).code), until=month)
    if end == p.end:  # the plan's last month, whole: assessed, as January's pack assesses the same figures
        end += dt.timedelta(days=1)  # (it showed 黄灯 against a 序时进度 of 100%)
    status = plan.board(ind, obs, end, cfg)
    ended = p.ended(end)
    frame = pd.DataFrame({"指标": status["name"], "单位": status.unit, "期末值" if ended else "最新值": status.value,
                          p.target_label: status.target,
                          **({"完成率（%）": status.completion, "差距": status.shortfall} if ended else
                             {"期初值": status.base, "进度（%）": status.progress, "序时进度（%）": status.schedule,
                              "较序时进度（百分点）": status.gap_pp}),
                          "状态": [OUTCOME_NAMES.get(a) or LIGHT_NAMES.get(x, "—")
                                 for a, x in zip(status.assessment, status.light)]})
    sentence = (commentary.plan_sentence(status.assessment, OUTCOME_NAMES) if ended else
                commentary.plan_sentence(status.light, {k: LIGHT_NAMES[k] for k in ("green", "yellow", "red")}))
    basis = (f"规划期 {p.years}已结束，按期末数据对{p.target_label}评估" if ended
             else f"自期初值到{p.target_label}的进度与序时进度之差（{plan.basis(p, status, end)}）")
    return TableSection("数字政府建设主要指标", sentence, frame, f"口径：{basis}　来源：{p.caliber}", plan.as_of(status))
