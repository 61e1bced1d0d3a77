"""Surges of counts: 12345 tickets by category and county, and public-health surveillance, each
by the one definition its page shows (cockpit.hotline, cockpit.emergency)."""
from __future__ import annotations

import pandas as pd

from cockpit import emergency, fmt, hotline, periods, rule_config

from .base import Context, Finding, _line


def hotline_surge(ctx: Context, rc: dict) -> list[Finding]:
    """Tickets in the last `days` against the rate of the `baseline_days` before them, by the one
    definition the 社情民意 page uses (cockpit.hotline.flag_surges).

    A cell (category x county) that explains most of a category's or a county's excess is
    reported once, as the cell, not three times."""
    t = ctx.tickets
    if t is None or t.empty:
        return []
    rule = hotline.SurgeRule.of(rc)
    groups = {"category_region": ("category", "region_code"), "category": ("category",), "region": ("region_code",)}
    hits = {by: hotline.flag_surges(t, rule, groups[by]).query("surge")
            for by in rule_config.rule("hotline_surge", rc)["by"]}
    cells = hits.get("category_region", pd.DataFrame(columns=["category", "region_code", "excess"]))
    out = []
    for by in ("category_region", "category", "region"):
        for h in hits.get(by, pd.DataFrame()).to_dict("records"):
            category, region = h.get("category"), h.get("region_code")
            if by != "category_region":
                key, value = ("category", category) if by == "category" else ("region_code", region)
                if cells[cells[key] == value].excess.sum() >= 0.5 * h["excess"]:
                    continue
            where = ctx.region_name(region) if region else "全市"
            what = f"“{category}”类" if category else ""
            window, expected = int(h["window"]), float(h["expected"])
            if pd.isna(h["ratio"]):
                times, usual = f"此前 {rule.baseline_days} 日没有此类工单", "此前没有"
            else:
                times, usual = f"为常态 {h['ratio']:.1f} 倍", f"是常态的 {h['ratio']:.1f} 倍"
            daily = ctx.ticket_daily(category, region) if ctx.ticket_daily else pd.DataFrame()
            out.append(Finding(
                rule="hotline_surge", subject=f"hotline|{category or '*'}|{region or '*'}", level=int(h["level"]),
                region_code=region, value=float(window), threshold=round(expected, 1),
                title=f"{where}{what}12345 工单激增（近 {rule.days} 日 {window} 件，{times}）",
                message=(f"{where}{what}工单近 {rule.days} 日（截至 {ctx.ticket_end:%m月%d日}）{window} 件，按此前 "
                         f"{rule.baseline_days} 日的水平应约 {fmt.usual(expected)} 件，{usual}。"),
                evidence={"kind": "bar", "x": [str(d)[:10] for d in daily.get("day", [])],
                          "y": [int(v) for v in daily.get("tickets", [])], "unit": "件",
                          "window_days": rule.days,
                          "numbers": {"近期工单": f"{window} 件", "常态水平": f"{fmt.usual(expected)} 件",
                                      "倍数": "—" if pd.isna(h["ratio"]) else f"{h['ratio']:.1f}"}}))
    return out


def health_surge(ctx: Context, rc: dict) -> list[Finding]:
    """法定传染病 and 发热门诊 by county in the newest month reported, flagged by the definition the
    应急指挥 page's 公共卫生监测 shows (cockpit.emergency.surveillance): one alert per county and
    indicator, level 2 when both signals hold, else 3."""
    rule = emergency.HealthRule.of(rc)
    obs = ctx.obs[ctx.obs.indicator_code.isin(emergency.HEALTH)]
    months = emergency.health_months(obs)
    if not months:
        return []
    period = months[-1]
    surv = emergency.surveillance(obs, ctx.regions, period, rule)
    out = []
    for r in surv[surv.surge].itertuples():
        what = emergency.HEALTH_NAMES[r.indicator_code]
        unit = ctx.ind(r.indicator_code).unit
        history = emergency.health_series(obs, r.indicator_code, r.region_code, months=36)
        out.append(Finding(
            rule="health_surge", subject=f"{r.indicator_code}|{r.region_code}", level=int(r.level),
            indicator_code=r.indicator_code, region_code=r.region_code, value=r.value, threshold=rule.yoy_pct,
            title=f"{r.name}{what}异常升高",
            message=f"{periods.label(period)}{r.name}{what} {r.value:,.0f}{unit}：{r.reason}。",
            evidence=_line(list(history.period), list(history.value), unit, mark=len(history) - 1,
                           numbers={"当月": f"{r.value:,.0f}{unit}",
                                    "同比": "—" if r.yoy is None or pd.isna(r.yoy) else f"{r.yoy:+.1f}%",
                                    f"近 {rule.history_years} 年同月最高": "—" if r.max3 is None or pd.isna(r.max3)
                                    else f"{r.max3:,.0f}{unit}"})))
    return out

