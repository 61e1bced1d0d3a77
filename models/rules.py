"""Early-warning rules: pure functions from a `Context` of frames to `Finding`s.

Each rule explains itself: a title and a message with the numbers, and `evidence` (JSON) that
holds the series behind it so the 预警中心 can draw the chart. Settings come from rules.toml in
the project root, overridden key by key by <data_dir>/rules.local.toml (the admin page writes
that file, never the shipped one). Levels are 1..4 = 红橙黄蓝.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cockpit import metrics, periods
from cockpit.config import ROOT, Settings

RULES_FILE = ROOT / "rules.toml"
LOCAL_NAME = "rules.local.toml"
RULE_TITLES = {
    "threshold": "超出阈值", "plan_lag": "规划指标落后序时进度", "target_lag": "年度目标落后序时进度",
    "yoy_swing": "同比大幅波动", "forecast_interval": "超出预测区间", "stl_anomaly": "异常值（STL 残差）",
    "stale": "数据缺报或逾期", "task_overdue": "重点任务逾期", "task_stalled": "重点任务停滞",
    "hotline_surge": "12345 工单激增",
}
Z_OF = {80: 1.2815515655446004, 95: 1.959963984540054, 99: 2.5758293035489004}


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    level: int | None
    title: str
    message: str
    value: float | None = None
    threshold: float | None = None
    indicator_code: str | None = None
    region_code: str | None = None
    task_number: int | None = None
    evidence: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Context:
    """Everything the rules read, gathered once per evaluation (see models.warnings.gather)."""
    today: dt.date
    indicators: pd.DataFrame
    regions: pd.DataFrame
    obs: pd.DataFrame
    settings: Settings
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)  # every active report
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)  # category, region_code, window, base
    ticket_daily: Callable[[str | None, str | None], pd.DataFrame] | None = None
    ticket_end: dt.datetime | None = None
    forecasts: dict[str, dict] | None = None
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: list | None = None  # models.forecast.Series, built lazily

    def region_name(self, code: str | None) -> str:
        if code is None:
            return ""
        hit = self.regions[self.regions.code == code]
        return str(hit.name.iloc[0]) if len(hit) else code

    def ind(self, code: str) -> pd.Series:
        return self.indicators.set_index("code", drop=False).loc[code]


# ---- configuration ---------------------------------------------------------------------------
def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def local_file(cfg: Settings) -> Path:
    return Path(cfg.data_dir) / LOCAL_NAME


def load_config(cfg: Settings | None = None, path: Path | None = None) -> dict:
    """rules.toml, then the local overrides; unknown rule names are refused by name."""
    with (path or RULES_FILE).open("rb") as fh:
        doc = tomllib.load(fh)
    if cfg is not None and local_file(cfg).is_file():
        with local_file(cfg).open("rb") as fh:
            doc = _merge(doc, tomllib.load(fh))
    unknown = sorted(set(doc.get("rules", {})) - set(RULES))
    if unknown:
        raise ValueError(f"预警规则配置中有未知的规则：{', '.join(unknown)}")
    return doc


def dump_toml(doc: dict) -> str:
    """A small TOML writer for the override file (tables of scalars, lists and inline tables)."""
    def val(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")

    lines: list[str] = []

    def table(prefix: str, d: dict) -> None:
        scalars = {k: v for k, v in d.items() if not isinstance(v, dict)}
        if scalars:
            lines.append(f"[{prefix}]")
            lines.extend(f"{k} = {val(v)}" for k, v in scalars.items())
            lines.append("")
        for k, v in d.items():
            if isinstance(v, dict):
                table(f"{prefix}.{k}" if prefix else k, v)
    table("", doc)
    return "\n".join(lines)


# ---- helpers ---------------------------------------------------------------------------------
def _level_by(value: float, orange: float, yellow: float) -> int | None:
    if value >= orange:
        return 2
    if value >= yellow:
        return 3
    return None


def _fmt(v: float | None, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:,.{digits}f}"


def _line(periods_: list[str], values: list[float], unit: str, **extra) -> dict:
    return {"kind": "line", "x": list(periods_), "y": [None if pd.isna(v) else round(float(v), 4) for v in values],
            "unit": unit, **extra}


def _measure_series(obs: pd.DataFrame, code: str, region: str, measure: str) -> pd.Series:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.measure == measure)]
    return rows.set_index("period").value.astype(float).sort_index()


# ---- rules -----------------------------------------------------------------------------------
def threshold(ctx: Context, rc: dict) -> list[Finding]:
    out = []
    measure_names = {"month": "当月", "ytd": "累计", "month_yoy": "当月同比", "ytd_yoy": "累计同比"}
    for item in rc.get("items", []):
        code, measure = item["indicator"], item.get("measure", "month")
        if code not in set(ctx.indicators.code):
            continue
        ind = ctx.ind(code)
        regions = [item["region"]] if item.get("region") else sorted(
            ctx.obs[ctx.obs.indicator_code == code].region_code.unique())
        for region in regions:
            s = _measure_series(ctx.obs, code, region, measure)
            if s.empty:
                continue
            value, period = float(s.iloc[-1]), s.index[-1]
            for side, word in (("above", "高于"), ("below", "低于")):
                line = item.get(side)
                if line is None or not (value > line if side == "above" else value < line):
                    continue
                unit = "%" if measure.endswith("yoy") else ind.unit
                out.append(Finding(
                    rule="threshold", subject=f"{code}|{region}|{measure}|{side}", level=int(item.get("level", 3)),
                    indicator_code=code, region_code=region, value=value, threshold=float(line),
                    title=f"{ctx.region_name(region)}{ind['name']}{word}警戒线",
                    message=(f"{periods.label(period, measure)}{measure_names.get(measure, '')} {_fmt(value)}{unit}，"
                             f"{word}设定的警戒线 {_fmt(line)}{unit}。"),
                    evidence=_line(list(s.index[-24:]), list(s.values[-24:]), unit, hline=float(line),
                                   hline_label="警戒线", mark=len(s.values[-24:]) - 1)))
    return out


def plan_lag(ctx: Context, rc: dict) -> list[Finding]:
    from dataclasses import replace
    cfg = replace(ctx.settings, lag_red_pp=float(rc.get("red_pp", ctx.settings.lag_red_pp)),
                  lag_yellow_pp=float(rc.get("yellow_pp", ctx.settings.lag_yellow_pp)))
    plan = ctx.indicators[ctx.indicators.target_2025.notna()]
    status = metrics.plan_status(plan, ctx.obs[ctx.obs.indicator_code.isin(plan.code)], ctx.today, cfg)
    out = []
    for r in status.itertuples():
        if r.light not in ("red", "yellow"):
            continue
        s = _measure_series(ctx.obs, r.code, "411400", "month")
        out.append(Finding(
            rule="plan_lag", subject=r.code, level=2 if r.light == "red" else 3,
            indicator_code=r.code, region_code="411400", value=r.gap_pp, threshold=r.schedule,
            title=f"{r.name}落后序时进度 {abs(r.gap_pp):.1f} 个百分点（{'红灯' if r.light == 'red' else '黄灯'}）",
            message=(f"{periods.label(r.period, frequency='Q')} 实际 {r.value:.1f}{r.unit}，2025 年目标 "
                     f"{r.target:.0f}{r.unit}，完成 {r.completion:.1f}%，序时进度 {r.schedule:.1f}%；"
                     f"落后超过 {cfg.lag_yellow_pp:.0f} 个百分点为黄灯、超过 {cfg.lag_red_pp:.0f} 个百分点为红灯。"),
            evidence=_line(list(s.index), list(s.values), r.unit, hline=float(r.target), hline_label="2025 年目标",
                           numbers={"完成率": f"{r.completion:.1f}%", "序时进度": f"{r.schedule:.1f}%",
                                    "差距": f"{r.gap_pp:+.1f} 个百分点"})))
    return out


def target_lag(ctx: Context, rc: dict) -> list[Finding]:
    from . import projection
    out = []
    for p in projection.targets_status(ctx):
        if p.gap_pp is None:
            continue
        if p.growth:
            level = _level_by(-p.gap_pp, rc.get("growth_red_pp", 1.5), rc.get("growth_yellow_pp", 0.5))
            behind = f"低于目标 {abs(p.gap_pp):.1f} 个百分点"
        else:
            level = _level_by(-p.gap_pp, rc.get("red_pp", 15.0), rc.get("yellow_pp", 5.0))
            behind = f"落后序时进度 {abs(p.gap_pp):.1f} 个百分点"
        if level is None:
            continue
        out.append(Finding(
            rule="target_lag", subject=f"{p.indicator}|{p.region}|{p.year}|{p.measure}", level=level,
            indicator_code=p.indicator, region_code=p.region, value=p.gap_pp, threshold=p.target,
            title=f"{ctx.region_name(p.region)}{p.name}{'增速' if p.growth else ''}{behind}",
            message=f"{p.status_text} {p.sentence}",
            evidence=p.evidence))
    return out


def _yoy(obs: pd.DataFrame, ind, region: str) -> tuple[pd.Series, str]:
    """同比 by period for the indicator's base measure, by the one definition the pages use
    (cockpit.metrics.yoy_table: published rates preferred). `obs` holds one indicator and region."""
    measures = ind.measures.split(",")
    base, name = ("month", "当月同比") if "month" in measures or "month_yoy" in measures else ("ytd", "累计同比")
    table = metrics.yoy_table(obs, ind.kind, base)
    return table.set_index("period").value, name


def yoy_swing(ctx: Context, rc: dict) -> list[Finding]:
    points = float(rc.get("points", 15.0))
    kinds = set(rc.get("kinds", ["flow", "stock"]))
    out = []
    chosen = ctx.indicators[ctx.indicators.kind.isin(kinds) & ctx.indicators.target_2025.isna()]
    chosen = chosen.set_index("code", drop=False)
    obs = ctx.obs[ctx.obs.indicator_code.isin(chosen.code)]
    for (code, region), mine in obs.groupby(["indicator_code", "region_code"]):
        ind = chosen.loc[code]
        yoy, name = _yoy(mine, ind, region)
        if len(yoy) < 2:
            continue
        now_p, prev_p = yoy.index[-1], yoy.index[-2]
        swing = float(yoy.iloc[-1] - yoy.iloc[-2])
        level = _level_by(abs(swing), 2 * points, points)
        if level is None:
            continue
        word = "跳升" if swing > 0 else "回落"
        out.append(Finding(
            rule="yoy_swing", subject=f"{ind.code}|{region}", level=level, indicator_code=ind.code,
            region_code=region, value=round(swing, 1), threshold=points,
            title=f"{ctx.region_name(region)}{ind['name']}{name}{word} {abs(swing):.1f} 个百分点",
            message=(f"{periods.label(now_p)}{name} {yoy.iloc[-1]:+.1f}%，{periods.label(prev_p)} "
                     f"{yoy.iloc[-2]:+.1f}%，变动 {swing:+.1f} 个百分点，超过设定的 {points:.0f} 个百分点。"),
            evidence=_line(list(yoy.index[-24:]), list(yoy.values[-24:]), "%", mark=len(yoy.values[-24:]) - 1,
                           numbers={"本期同比": f"{yoy.iloc[-1]:+.1f}%", "上期同比": f"{yoy.iloc[-2]:+.1f}%",
                                    "变动": f"{swing:+.1f} 个百分点"})))
    return out


def _adverse(ind, above: bool) -> bool | None:
    """True when a deviation in this direction is bad for the indicator; None when neutral."""
    hib = ind.higher_is_better
    if hib is None or (isinstance(hib, float) and math.isnan(hib)):
        return None
    return above != bool(hib)


def forecast_interval(ctx: Context, rc: dict) -> list[Finding]:
    if not ctx.forecasts:
        return []
    z = Z_OF.get(int(rc.get("level_pct", 99)), Z_OF[99])
    adverse_only = rc.get("adverse_only", True)
    out = []
    for rec in ctx.forecasts.values():
        chk = rec.get("check")
        if not chk or chk.get("sd") is None or not chk["sd"] > 0:
            continue
        lo, hi = chk["mean"] - z * chk["sd"], chk["mean"] + z * chk["sd"]
        actual = chk["actual"]
        if lo <= actual <= hi:
            continue
        ind = ctx.ind(rec["indicator"])
        above = actual > hi
        bad = _adverse(ind, above)
        if adverse_only and bad is False:
            continue
        half = z * chk["sd"]
        level = 2 if abs(actual - chk["mean"]) > 2 * half else 3
        unit = "%" if rec["measure"].endswith("yoy") else ind.unit
        pct = int(rc.get("level_pct", 99))
        hist = rec["history"]
        out.append(Finding(
            rule="forecast_interval", subject=f"{rec['indicator']}|{rec['region']}", level=level,
            indicator_code=rec["indicator"], region_code=rec["region"], value=actual,
            threshold=hi if above else lo,
            title=f"{ctx.region_name(rec['region'])}{ind['name']}{'高于' if above else '低于'}预测区间",
            message=(f"{periods.label(chk['period'], frequency=ind.frequency)}实际 {_fmt(actual)}{unit}，按此前数据"
                     f"（{rec['label']}）预测 {_fmt(chk['mean'])}{unit}，{pct}% 区间 {_fmt(lo)}—{_fmt(hi)}{unit}。"),
            evidence=_line(hist["periods"][-24:], hist["values"][-24:], unit, mark=len(hist["values"][-24:]) - 1,
                           band={"x": chk["period"], "lo": lo, "hi": hi, "mean": chk["mean"], "pct": pct})))
    return out


def _series(ctx: Context) -> list:
    if ctx.series is None:
        from . import forecast
        codes = ctx.obs.region_code.unique()
        ctx.series = forecast.all_series(ctx.obs, ctx.indicators, sorted(codes))
    return ctx.series


def stl_anomaly(ctx: Context, rc: dict) -> list[Finding]:
    import warnings as _w

    from statsmodels.tsa.seasonal import STL
    z_thr, min_points = float(rc.get("z", 4.0)), int(rc.get("min_points", 36))
    out = []
    for spec in _series(ctx):
        y = spec.values.dropna().iloc[-72:]  # six years are plenty; older shocks only slow STL
        if len(y) < min_points or np.ptp(y.to_numpy()) == 0 or spec.period < 2:
            continue
        with _w.catch_warnings():
            _w.simplefilter("ignore")
            resid = STL(y.to_numpy(float), period=spec.period, robust=True).fit(inner_iter=2, outer_iter=5).resid
        scale = 1.4826 * float(np.median(np.abs(resid[:-1] - np.median(resid[:-1]))))
        if not scale > 0:
            continue
        z = float(resid[-1] / scale)
        if abs(z) < z_thr:
            continue
        ind = ctx.ind(spec.indicator)
        bad = _adverse(ind, z > 0)
        if bad is False and rc.get("adverse_only", True):
            continue
        level = 4 if bad is False else (2 if abs(z) >= 1.5 * z_thr else 3)
        unit = "%" if spec.measure.endswith("yoy") else ind.unit
        last = y.index[-1]
        out.append(Finding(
            rule="stl_anomaly", subject=f"{spec.indicator}|{spec.region}", level=level,
            indicator_code=spec.indicator, region_code=spec.region, value=round(z, 2), threshold=z_thr,
            title=f"{ctx.region_name(spec.region)}{ind['name']}出现{'异常偏高' if z > 0 else '异常偏低'}",
            message=(f"{periods.label(last, frequency=ind.frequency)} {_fmt(float(y.iloc[-1]))}{unit}，剔除趋势和季节后的残差"
                     f"为稳健标准差的 {z:+.1f} 倍（阈值 ±{z_thr:.0f} 倍）。"),
            evidence=_line(list(y.index[-36:]), list(y.values[-36:]), unit, mark=len(y.values[-36:]) - 1,
                           numbers={"残差": f"{resid[-1]:,.1f}", "稳健标准差": f"{scale:,.1f}", "倍数": f"{z:+.1f}"})))
    return out


def expected_period(today: dt.date, frequency: str, due_day: int, skip_january: bool = False) -> str:
    """The newest period whose figures should have arrived by `today`."""
    key = periods.month_key(today)
    if frequency == "Q":
        cand = periods.shift_month(key, -1)
        while not (periods.is_quarter_end(cand) and _due(cand, due_day) <= today):
            cand = periods.shift_month(cand, -1)
        return cand
    cand = periods.shift_month(key, -1)
    if _due(cand, due_day) > today:
        cand = periods.shift_month(cand, -1)
    if skip_january and cand.endswith("-01"):
        cand = periods.shift_month(cand, -1)
    return cand


def _due(period: str, day: int) -> dt.date:
    nxt = periods.month_end(periods.shift_month(period, 1))
    return nxt.replace(day=min(day, nxt.day))


def _periods_between(a: str, b: str, frequency: str) -> int:
    ya, ma = periods.parse_month(a)
    yb, mb = periods.parse_month(b)
    months = (yb - ya) * 12 + (mb - ma)
    return months // 3 if frequency == "Q" else months


def stale(ctx: Context, rc: dict) -> list[Finding]:
    skip = set(rc.get("skip_january", []))
    latest = ctx.obs.groupby(["indicator_code", "region_code"]).period.max()
    out = []
    for _, ind in ctx.indicators.iterrows():
        if ind.code not in latest.index.get_level_values(0):
            continue
        due_day = int(rc.get("quarterly_due_day" if ind.frequency == "Q" else "monthly_due_day", 20))
        want = expected_period(ctx.today, ind.frequency, due_day, ind.code in skip)
        mine = latest.loc[ind.code]
        late = mine[mine < want]
        if late.empty:
            continue
        behind = max(_periods_between(p, want, ind.frequency) for p in late.values)
        names = "、".join(ctx.region_name(r) for r in late.index)
        out.append(Finding(
            rule="stale", subject=ind.code, level=4 if behind <= 1 else 3, indicator_code=ind.code,
            value=float(behind), threshold=float(due_day),
            title=f"{ind['name']}数据未按时报送（{len(late)} 个地区）",
            message=(f"按报送时间表，{periods.label(want, frequency=ind.frequency)}数据应于 "
                     f"{_due(want, due_day):%m月%d日} 前报送；{names} 最新仅到 "
                     f"{periods.label(min(late.values), frequency=ind.frequency)}，落后 {behind} 期。"),
            evidence={"kind": "table", "rows": [{"地区": ctx.region_name(r), "最新期": p} for r, p in late.items()],
                      "numbers": {"应报期": want, "报送截止": _due(want, due_day).isoformat()}}))
    return out


def task_overdue(ctx: Context, rc: dict) -> list[Finding]:
    if ctx.tasks.empty:
        return []
    latest = _latest_progress(ctx.progress)
    merged = ctx.tasks.merge(latest, left_on="number", right_on="task_number", how="left")
    due = merged[merged.deadline_date.notna() & (merged.status != "已完成")]
    orange = int(rc.get("orange_after_days", 180))
    out = []
    for r in due.itertuples():
        late = (ctx.today - r.deadline_date).days
        if late <= 0:
            continue
        pct = "未报送进展" if pd.isna(r.percent) else f"最新进展 {r.percent:.0f}%（{r.reported_on}）"
        out.append(Finding(
            rule="task_overdue", subject=f"task:{r.number}", level=2 if late > orange else 3,
            task_number=int(r.number), value=float(late), threshold=float(orange),
            title=f"任务 {r.number} 逾期 {late} 天（{r.lead_units.split('|')[0]}）",
            message=f"时限 {r.deadline_text.strip()}，{pct}：{r.text[:60]}",
            evidence=_task_evidence(ctx.progress, int(r.number), r.deadline_date)))
    return out


def _latest_progress(progress: pd.DataFrame) -> pd.DataFrame:
    if progress.empty:
        return pd.DataFrame(columns=["task_number", "reported_on", "status", "percent"])
    return progress.sort_values(["task_number", "reported_on"]).groupby("task_number").tail(1)


def _task_evidence(progress: pd.DataFrame, number: int, deadline) -> dict:
    mine = progress[progress.task_number == number].sort_values("reported_on") if len(progress) else progress
    return {"kind": "line", "x": [str(d) for d in mine.get("reported_on", [])],
            "y": [float(p) for p in mine.get("percent", [])], "unit": "%", "hline": 100.0,
            "hline_label": f"时限 {deadline}" if deadline is not None else "完成"}


def task_stalled(ctx: Context, rc: dict) -> list[Finding]:
    if ctx.tasks.empty or ctx.progress.empty:
        return []
    n = int(rc.get("reports", 3))
    open_tasks = ctx.tasks[(ctx.tasks.deadline_kind == "date") & ctx.tasks.deadline_date.notna()]
    open_tasks = open_tasks[open_tasks.deadline_date >= ctx.today]  # past deadlines are task_overdue's
    out = []
    prog = ctx.progress.sort_values(["task_number", "reported_on"])
    for t in open_tasks.itertuples():
        mine = prog[prog.task_number == t.number].tail(n)
        if len(mine) < n or mine.status.iloc[-1] == "已完成" or mine.percent.nunique() != 1:
            continue
        pct = float(mine.percent.iloc[-1])
        out.append(Finding(
            rule="task_stalled", subject=f"task:{t.number}", level=int(rc.get("level", 4)),
            task_number=int(t.number), value=pct, threshold=float(n),
            title=f"任务 {t.number} 进展停滞在 {pct:.0f}%（{t.lead_units.split('|')[0]}）",
            message=(f"最近 {n} 次报送（{mine.reported_on.iloc[0]} 至 {mine.reported_on.iloc[-1]}）进度均为 {pct:.0f}%，"
                     f"时限 {t.deadline_text.strip()}：{t.text[:60]}"),
            evidence=_task_evidence(ctx.progress, int(t.number), t.deadline_date)))
    return out


def hotline_surge(ctx: Context, rc: dict) -> list[Finding]:
    """Tickets in the last `days` against the rate of the `baseline_days` before them.

    A cell (category x county) that explains most of a category's or a county's excess is
    reported once, as the cell, not three times."""
    from scipy.stats import poisson
    t = ctx.tickets
    if t is None or t.empty:
        return []
    days, base_days = int(rc.get("days", 7)), int(rc.get("baseline_days", 28))
    min_count = int(rc.get("min_count", 20))
    ry, ro = float(rc.get("ratio_yellow", 1.8)), float(rc.get("ratio_orange", 3.0))
    groups = {"category_region": ["category", "region_code"], "category": ["category"], "region": ["region_code"]}
    hits: dict[str, list[dict]] = {}
    for by in rc.get("by", list(groups)):
        g = t.groupby(groups[by], as_index=False)[["window", "base"]].sum()
        g["expected"] = g["base"] * days / base_days
        for r in g.itertuples(index=False):
            expected = max(float(r.expected), 0.5)
            ratio = r.window / expected
            if r.window < min_count or ratio < ry or poisson.sf(r.window - 1, expected) > 1e-3:
                continue
            hits.setdefault(by, []).append({"category": getattr(r, "category", None),
                                            "region": getattr(r, "region_code", None),
                                            "window": int(r.window), "expected": expected, "ratio": ratio})
    cells = hits.get("category_region", [])
    out = []
    for by in ("category_region", "category", "region"):
        for h in hits.get(by, []):
            if by != "category_region":
                key = "category" if by == "category" else "region"
                explained = sum(c["window"] - c["expected"] for c in cells if c[key] == h[key])
                if explained >= 0.5 * (h["window"] - h["expected"]):
                    continue
            where = ctx.region_name(h["region"]) if h["region"] else "全市"
            what = f"“{h['category']}”类" if h["category"] else ""
            level = 2 if h["ratio"] >= ro else 3
            daily = ctx.ticket_daily(h["category"], h["region"]) if ctx.ticket_daily else pd.DataFrame()
            end = ctx.ticket_end
            out.append(Finding(
                rule="hotline_surge", subject=f"hotline|{h['category'] or '*'}|{h['region'] or '*'}", level=level,
                region_code=h["region"], value=float(h["window"]), threshold=round(h["expected"], 1),
                title=f"{where}{what}12345 工单激增（近 {days} 日 {h['window']} 件，为常态 {h['ratio']:.1f} 倍）",
                message=(f"{where}{what}工单近 {days} 日（截至 {end:%m月%d日}）{h['window']} 件，按此前 {base_days} 日"
                         f"的水平应约 {h['expected']:.1f} 件，是常态的 {h['ratio']:.1f} 倍。"),
                evidence={"kind": "bar", "x": [str(d)[:10] for d in daily.get("day", [])],
                          "y": [int(v) for v in daily.get("tickets", [])], "unit": "件",
                          "window_days": days,
                          "numbers": {"近期工单": f"{h['window']} 件", "常态水平": f"{h['expected']:.1f} 件",
                                      "倍数": f"{h['ratio']:.1f}"}}))
    return out


RULES: dict[str, Callable[[Context, dict], list[Finding]]] = {
    "threshold": threshold, "plan_lag": plan_lag, "target_lag": target_lag, "yoy_swing": yoy_swing,
    "forecast_interval": forecast_interval, "stl_anomaly": stl_anomaly, "stale": stale,
    "task_overdue": task_overdue, "task_stalled": task_stalled, "hotline_surge": hotline_surge,
}
NEEDS = {"forecast_interval": "forecasts"}  # a rule with missing inputs is skipped, not resolved


def run(ctx: Context, config: dict) -> tuple[list[Finding], set[str], dict[str, str]]:
    """Run every enabled rule. Returns findings, the rules that ran, and why others did not."""
    findings: list[Finding] = []
    ran: set[str] = set()
    skipped: dict[str, str] = {}
    for name, fn in RULES.items():
        rc = config.get("rules", {}).get(name, {})
        if not rc.get("enabled", True):
            ran.add(name)  # switched off: its alerts resolve
            continue
        need = NEEDS.get(name)
        if need and not getattr(ctx, need):
            skipped[name] = "预测尚未计算（后台任务完成后自动评估）"
            continue
        findings += fn(ctx, rc)
        ran.add(name)
    return findings, ran, skipped
