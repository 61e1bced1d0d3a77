"""Rules over the indicator figures: fixed lines, plan and target lag, 同比 swings, the forecast
interval, STL anomalies, and figures missing against the reporting schedule."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cockpit import catalog, fmt, metrics, periods, reporting
from cockpit.catalog import CITY
from cockpit.store import MEASURES
from models import projection, series

from .base import Z_OF, Context, Finding, _adverse, _fmt, _level_by, _line, _measure_series


def _places(unit: str) -> int:
    """Decimals of a figure in an alert's text: a count is whole ("330例", not "330.0例"), as the
    pages print it (cockpit.fmt); money and rates keep one."""
    return 0 if fmt.decimals(unit) == 0 else 1


def _amount(value: float | None, unit: str) -> str:
    return f"{_fmt(value, _places(unit))}{unit}"


def threshold(ctx: Context, rc: dict) -> list[Finding]:
    out = []
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
                    message=(f"{periods.label(period, measure)}{MEASURES.get(measure, '')} {_amount(value, unit)}，"
                             f"{word}设定的警戒线 {_amount(line, unit)}。"),
                    evidence=_line(list(s.index[-24:]), list(s.values[-24:]), unit, hline=float(line),
                                   hline_label="警戒线", mark=len(s.values[-24:]) - 1)))
    return out


def plan_lag(ctx: Context, rc: dict) -> list[Finding]:
    """Plan indicators with a 红/黄 light: the bands are the settings' lag_red_pp/lag_yellow_pp,
    the very bands the pages colour their lights with (metrics.plan_status)."""
    cfg = ctx.settings
    plan = catalog.load_plan(cfg.plan_dir)  # after its period there are no lights: nothing lags 序时进度
    mine = catalog.plan_indicators(ctx.indicators, plan)
    status = metrics.plan_status(mine, ctx.obs[ctx.obs.indicator_code.isin(mine.code)], ctx.today, cfg)
    out = []
    for r in status.itertuples():
        if r.light not in ("red", "yellow"):
            continue
        s = _measure_series(ctx.obs, r.code, CITY, "month")
        out.append(Finding(
            rule="plan_lag", subject=r.code, level=2 if r.light == "red" else 3,
            indicator_code=r.code, region_code=CITY, value=r.gap_pp, threshold=r.schedule,
            title=f"{r.name}落后序时进度 {abs(r.gap_pp):.1f} 个百分点（{'红灯' if r.light == 'red' else '黄灯'}）",
            message=(f"{periods.label(r.period, frequency='Q')} 实际 {r.value:.1f}{r.unit}，期初（{periods.label(r.base_period, frequency='Q')}）"
                     f"{r.base:.1f}{r.unit}，{plan.target_label} {r.target:.0f}{r.unit}，进度 {r.progress:.1f}%，"
                     f"序时进度 {r.schedule:.1f}%；落后超过 {cfg.lag_yellow_pp:.0f} 个百分点为黄灯、"
                     f"超过 {cfg.lag_red_pp:.0f} 个百分点为红灯。"),
            evidence=_line(list(s.index), list(s.values), r.unit, hline=float(r.target), hline_label=plan.target_label,
                           numbers={"进度": f"{r.progress:.1f}%", "序时进度": f"{r.schedule:.1f}%",
                                    "差距": f"{r.gap_pp:+.1f} 个百分点"})))
    return out


def target_lag(ctx: Context, rc: dict) -> list[Finding]:
    out = []
    for p in projection.targets_status(ctx.indicators, ctx.obs, ctx.targets, ctx.forecasts):
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
    table = metrics.yoy_table(obs, metrics.change_kind(ind), base)
    return table.set_index("period").value, name


def yoy_swing(ctx: Context, rc: dict) -> list[Finding]:
    points = float(rc.get("points", 15.0))
    kinds = set(rc.get("kinds", ["flow", "stock"]))
    out = []
    chosen = ctx.indicators[ctx.indicators.kind.isin(kinds) & ctx.indicators.plan_target.isna()]
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
            message=(f"{periods.label(chk['period'], frequency=ind.frequency)}实际 {_amount(actual, unit)}，按此前数据"
                     f"（{rec['label']}）预测 {_amount(chk['mean'], unit)}，{pct}% 区间 "
                     f"{_fmt(lo, _places(unit))}—{_amount(hi, unit)}。"),
            evidence=_line(hist["periods"][-24:], hist["values"][-24:], unit, mark=len(hist["values"][-24:]) - 1,
                           band={"x": chk["period"], "lo": lo, "hi": hi, "mean": chk["mean"], "pct": pct})))
    return out


def _series(ctx: Context) -> list:
    if ctx.series is None:
        codes = ctx.obs.region_code.unique()
        ctx.series = series.all_series(ctx.obs, ctx.indicators, sorted(codes))
    return ctx.series


def stl_anomaly(ctx: Context, rc: dict) -> list[Finding]:
    from statsmodels.tsa.seasonal import STL  # statsmodels is imported where a fit needs it (see models.forecast)
    z_thr, min_points = float(rc.get("z", 4.0)), int(rc.get("min_points", 36))
    out = []
    for spec in _series(ctx):
        y = spec.values.dropna().iloc[-72:]  # six years are plenty; older shocks only slow STL
        if len(y) < min_points or np.ptp(y.to_numpy()) == 0 or spec.period < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
            message=(f"{periods.label(last, frequency=ind.frequency)} {_amount(float(y.iloc[-1]), unit)}，剔除趋势和季节后的残差"
                     f"为稳健标准差的 {z:+.1f} 倍（阈值 ±{z_thr:.0f} 倍）。"),
            evidence=_line(list(y.index[-36:]), list(y.values[-36:]), unit, mark=len(y.values[-36:]) - 1,
                           numbers={"残差": f"{resid[-1]:,.1f}", "稳健标准差": f"{scale:,.1f}", "倍数": f"{z:+.1f}"})))
    return out


def stale(ctx: Context, rc: dict) -> list[Finding]:
    """Figures missing against the reporting schedule, by the definition 报送情况 shows
    (cockpit.reporting): one alert per indicator, naming the regions behind."""
    schedule = reporting.Schedule.of(rc)
    latest = ctx.obs.groupby(["indicator_code", "region_code"], as_index=False).period.max()
    behind = reporting.late(latest.rename(columns={"period": "last"}), ctx.indicators, ctx.today, schedule)
    out = []
    for code, late in behind.groupby("indicator_code", sort=False):
        ind = ctx.ind(code)
        want, worst = late.expected.iloc[0], int(late.missing.max())
        due = schedule.due_date(want, ind.frequency)
        names = "、".join(ctx.region_name(r) for r in late.region_code)
        out.append(Finding(
            rule="stale", subject=code, level=4 if worst <= 1 else 3, indicator_code=code,
            value=float(worst), threshold=float(due.day),
            title=f"{ind['name']}数据未按时报送（{len(late)} 个地区）",
            message=(f"按报送时间表，{periods.label(want, frequency=ind.frequency)}数据应于 {due:%m月%d日} 前报送；"
                     f"{names} 最新仅到 {periods.label(late['last'].min(), frequency=ind.frequency)}，落后 {worst} 期。"),
            evidence={"kind": "table", "rows": [{"地区": ctx.region_name(r.region_code), "最新期": r.last}
                                                for r in late.itertuples()],
                      "numbers": {"应报期": want, "报送截止": due.isoformat()}}))
    return out
