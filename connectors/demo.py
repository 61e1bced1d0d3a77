"""Deterministic demo data for every county (kind "demo").

Everything here is invented, shaped like the real thing: trend, seasonality,
the 2020 shock, no January releases where China publishes 1—2月 together,
rates-only indicators, a county that drags. The same seed and end month give
the same figures, so tests can check what pages show against the store.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from cockpit import catalog, city, geo, periods
from cockpit.catalog import CITY
from cockpit.config import settings

from . import demo_hotline
from .base import Connector, Dataset, Option, register
from .demo_hotline import winter

START = "2019-01"
# Share of the city's economy per unit; sums to 1 so county figures add up to the city.
WEIGHTS = {
    "411402": 0.13, "411403": 0.12, "411421": 0.09, "411422": 0.08, "411423": 0.06,
    "411424": 0.09, "411425": 0.11, "411426": 0.10, "411481": 0.18, "411400-SFQ": 0.04,
}
# Annual city totals in 2019 (demo scale) and trend growth per year.
FLOWS = {
    # code: (annual total 2019, growth, seasonal amplitude, decimals, no January release)
    "RETAIL": (1300.0, 0.06, 0.10, 2, True),
    "REVENUE": (175.0, 0.05, 0.35, 2, False),
    "POWER": (150.0, 0.05, 0.15, 2, False),
    "TRADE": (60.0, 0.08, 0.20, 2, False),
    "GOV_CASES": (3_000_000, 0.08, 0.10, 0, False),
    # A part of GOV_CASES (全程网办 among all cases): its share grows from half to about two thirds,
    # never past the whole (at 20% a year it passed it in 2025: a 全程网办率 of 115%).
    "GOV_ONLINE_CASES": (1_500_000, 0.12, 0.10, 0, False),
    "NEW_ENTITIES": (120_000, 0.04, 0.25, 0, False),
    "ID_CASES": (24_000, -0.02, 0.35, 0, False),
    "FEVER_VISITS": (600_000, 0.00, 0.45, 0, False),
}
# Local surges in the last month: (indicator, county) -> multiplier, for surge warnings.
SURGES = {("FEVER_VISITS", "411425"): 1.7, ("ID_CASES", "411425"): 1.5}
SHOCK = {"2020-01": 0.92, "2020-02": 0.70, "2020-03": 0.84, "2020-04": 0.93,
         "2022-04": 0.94, "2022-05": 0.96}
EVENT_TYPES = {  # type: (share, winter bias)
    "火灾": (0.25, 0.6), "道路交通事故": (0.30, 0.2), "安全生产事故": (0.15, 0.0),
    "危险化学品泄漏": (0.05, 0.0), "城市内涝": (0.10, -1.0), "暴雨大风": (0.08, -1.0),
    "寒潮冰冻": (0.04, 1.5), "突发公共卫生事件": (0.03, 0.3),
}
PLACES = ["城区", "产业集聚区", "乡镇", "国道沿线", "高速公路沿线", "工业园区", "村庄", "商业区"]


def _season(months: np.ndarray, amplitude: float, phase: float = 0.0) -> np.ndarray:
    # Peak in December for phase 0: year-end pushes in retail, revenue, power.
    return 1 + amplitude * np.cos(2 * np.pi * (months - 12 + phase) / 12)


def _clock() -> dt.datetime:
    return dt.datetime.now()


@register
class DemoConnector(Connector):
    kind = "demo"
    title = "演示数据"
    options = {
        "seed": Option("随机种子", int, 20231),
        "end": Option("截至月份（YYYY-MM，默认上月）", str, None),
        "tickets": Option("12345 工单数", int, None),
        "geojson": Option("县区边界文件", str, None),
    }

    def __init__(self, **values):
        super().__init__(**values)
        self.end = self.values["end"] or periods.last_complete_month()
        self.months = periods.month_range(START, self.end)
        self.tickets = self.values["tickets"] or settings().demo_tickets
        self.geojson = Path(self.values["geojson"] or settings().geojson)
        # The demo stands 26 days after its last month (counties have reported it), never later than
        # the clock: early in a month that would put tickets, events and durations in the future.
        month_end = periods.month_end(self.end)
        reported = dt.datetime.combine(month_end + dt.timedelta(days=26), dt.time(8, 0))
        clock = max(_clock().replace(second=0, microsecond=0),
                    dt.datetime.combine(month_end + dt.timedelta(days=1), dt.time(0, 0)))
        self.now = min(reported, clock)
        self.today = self.now.date()

    def rng(self, salt: str) -> np.random.Generator:
        # One stream per dataset so adding a dataset never changes the others.
        return np.random.default_rng([self.values["seed"], *salt.encode()])

    def read(self) -> Iterable[Dataset]:
        yield Dataset("observations", self.observations(), {"title": "演示经济与指标数据"})
        yield Dataset("task_progress", self.task_progress(), {"title": "演示任务进展"})
        yield Dataset("emergency_events", self.events(), {"title": "演示应急事件"})
        yield Dataset("hotline_tickets", self.hotline(), {"title": "演示 12345 工单"})
        yield Dataset("weather_warnings", self.weather(), {"title": "演示气象预警信号"})
        yield Dataset("duty_roster", self.duty(), {"title": "演示值班表"})

    # ---- economy --------------------------------------------------------------
    def observations(self) -> pd.DataFrame:
        frames = [self._flows(), self._rate_only(), self._ratios(), self._stock(), self._plan()]
        out = pd.concat(frames, ignore_index=True)
        return out[["indicator_code", "region_code", "period", "measure", "value"]]

    def _latent(self, rng: np.random.Generator, growth: float, amplitude: float,
                drag: dict[str, float] | None = None) -> pd.DataFrame:
        """Monthly latent values per unit (index 1.0 = average 2019 month for the city)."""
        n = len(self.months)
        month_no = np.array([periods.parse_month(m)[1] for m in self.months])
        years = np.arange(n) / 12
        shock = np.array([SHOCK.get(m, 1.0) for m in self.months])
        cols = {}
        for code, w in WEIGHTS.items():
            g = growth + rng.normal(0, 0.015)
            path = np.exp(g * years + np.cumsum(rng.normal(0, 0.004, n)))
            if drag and code in drag:
                # A county whose growth turns down in the current year.
                cur = self.months.index(f"{self.end[:4]}-01") if f"{self.end[:4]}-01" in self.months else n
                path[cur:] *= np.exp(drag[code] * np.arange(1, n - cur + 1) / 12)
            noise = rng.normal(1, 0.02, n)
            cols[code] = w * path * _season(month_no, amplitude) * shock * noise
        return pd.DataFrame(cols, index=self.months)

    def _emit(self, code: str, values: pd.DataFrame, measures: list[str], decimals: int,
              skip_january: bool = False, per_year: int = 12) -> pd.DataFrame:
        """Round per county, add the city as the sum, derive 累计 and reported rates."""
        v = values.round(decimals)
        v[CITY] = v.sum(axis=1).round(decimals)
        ytd = v.groupby(v.index.str[:4]).cumsum().round(decimals)
        rows = []
        for measure in measures:
            if measure == "month":
                frame = v
            elif measure == "ytd":
                frame = ytd
            elif measure == "month_yoy":
                frame = (v / v.shift(per_year) - 1) * 100
            else:
                frame = (ytd / ytd.shift(per_year) - 1) * 100
            if measure.endswith("yoy"):
                frame = frame.round(1)
            long = frame.stack().rename("value").reset_index()
            long.columns = ["period", "region_code", "value"]
            long["measure"] = measure
            rows.append(long.dropna())
        out = pd.concat(rows, ignore_index=True)
        out["indicator_code"] = code
        if skip_january:
            jan = out["period"].str.endswith("-01")
            # China releases 1—2月 together: no January figure, no February 当月.
            feb_month = out["period"].str.endswith("-02") & out["measure"].str.startswith("month")
            out = out[~jan & ~feb_month]
        return out

    def _flows(self) -> pd.DataFrame:
        out = []
        for code, (annual, growth, amp, decimals, skip_jan) in FLOWS.items():
            rng = self.rng(code)
            latent = self._latent(rng, growth, amp) * annual / 12
            for (ind, county), factor in SURGES.items():
                if ind == code:
                    latent.loc[self.end, county] *= factor
            measures = {"RETAIL": ["month", "ytd", "month_yoy", "ytd_yoy"],
                        "POWER": ["month", "ytd", "month_yoy", "ytd_yoy"],
                        "FEVER_VISITS": ["month", "ytd", "month_yoy", "ytd_yoy"]}.get(
                            code, ["month", "ytd", "ytd_yoy"])
            out.append(self._emit(code, latent, measures, decimals, skip_jan))
        return pd.concat(out, ignore_index=True)

    def _rate_only(self) -> pd.DataFrame:
        """规上工业增加值 and 固定资产投资 are published as growth rates only; GDP quarterly."""
        ind = self._latent(self.rng("IND_VA"), 0.065, 0.05, drag={"411481": -0.09}) * 100
        fai = self._latent(self.rng("FAI"), 0.07, 0.30) * 250
        gdp_m = self._latent(self.rng("GDP"), 0.055, 0.08) * 2900 / 12
        out = [
            self._emit("IND_VA", ind, ["month_yoy", "ytd_yoy"], 4, skip_january=True),
            self._emit("FAI", fai, ["ytd_yoy"], 4, skip_january=True),
        ]
        # Quarterly: sum months into quarters, keep quarter-end rows only.
        q_end = [m for m in self.months if periods.is_quarter_end(m)]
        gdp = gdp_m.groupby(np.arange(len(gdp_m)) // 3).sum()
        gdp.index = [self.months[min(3 * i + 2, len(self.months) - 1)] for i in gdp.index]
        gdp = gdp.loc[[m for m in gdp.index if m in q_end]]
        # Nominal values carry ~2% a year of prices on top of the real series the rates use.
        deflator = np.array([1.02 ** (periods.parse_month(m)[0] - 2019) for m in gdp.index])
        real = self._emit("GDP", gdp, ["ytd_yoy"], 2, per_year=4)
        nominal = self._emit("GDP", gdp.mul(deflator, axis=0), ["ytd"], 2, per_year=4)
        out += [real, nominal]
        return pd.concat(out, ignore_index=True)

    def _ratios(self) -> pd.DataFrame:
        rng = self.rng("ratios")
        n = len(self.months)
        mno = np.array([periods.parse_month(m)[1] for m in self.months])
        years = np.arange(n) / 12
        rows = []

        def add(code: str, region: str, values: np.ndarray, measure: str = "month") -> None:
            rows.append(pd.DataFrame({"indicator_code": code, "region_code": region,
                                      "period": self.months, "measure": measure,
                                      "value": np.round(values, 1)}))
        covid = np.array([{"2020-02": 1.0, "2020-03": 0.8, "2020-04": 0.5, "2020-05": 0.3}.get(m, 0)
                          for m in self.months])
        add("UNEMP", CITY, 5.1 + 0.25 * (mno == 2) + 0.2 * (mno == 7) + 1.0 * covid + rng.normal(0, 0.05, n))
        cpi_path = np.interp(years, [0, 1, 2, 3, 4, 5, 6, 7, 8], [102.5, 102.8, 100.6, 101.6, 100.3, 100.2, 99.9, 100.6, 100.9])
        add("CPI", CITY, cpi_path + rng.normal(0, 0.25, n))
        for code in list(WEIGHTS) + [CITY]:
            good = np.clip(68 + 2.0 * years - 18 * winter(mno) + rng.normal(0, 5, n), 10, 100)
            pm = np.clip((52 - 2.2 * years) * (1 + 0.55 * winter(mno)) * rng.normal(1, 0.08, n), 8, None)
            for c, monthly in (("AQI_GOOD", good), ("PM25", pm)):
                add(c, code, monthly)
                ytd = pd.Series(monthly).groupby(pd.Series(self.months).str[:4].values).transform(
                    lambda s: s.expanding().mean()).to_numpy()
                add(c, code, ytd, "ytd")
        return pd.concat(rows, ignore_index=True)

    def _stock(self) -> pd.DataFrame:
        latent = self._latent(self.rng("ENTITIES"), 0.07, 0.0) * 70
        return self._emit("ENTITIES", latent, ["month", "month_yoy"], 2)

    def _plan(self) -> pd.DataFrame:
        """The plan's indicators, quarterly, city level, rising towards their targets (data/plan)."""
        rng = self.rng("plan")
        plan = catalog.load_plan()
        targets = pd.read_csv(plan.folder / "indicators.csv")
        quarters = [m for m in periods.month_range(periods.month_key(plan.start), self.end) if periods.is_quarter_end(m)]
        t = np.arange(len(quarters)) / 4  # years since the plan's first quarter
        span = (plan.end.year * 12 + plan.end.month - periods.parse_month(quarters[0])[0] * 12
                - periods.parse_month(quarters[0])[1]) / 12  # years from that quarter to the plan's end
        rows = []
        for _, ind in targets.iterrows():
            start = rng.uniform(45, 70)
            # Most reach their target around the plan's end; a few stall short of it.
            reach = ind[plan.target_column] + rng.choice([2.0, 3.0, 1.0, -6.0, -12.0], p=[0.3, 0.25, 0.2, 0.15, 0.1])
            values = start + (reach - start) * (1 - np.exp(-1.4 * t)) / (1 - np.exp(-1.4 * span))
            values = np.clip(np.minimum(values, reach) + rng.normal(0, 0.4, len(t)), 0, 100)
            rows.append(pd.DataFrame({"indicator_code": ind.code, "region_code": CITY,
                                      "period": quarters, "measure": "month",
                                      "value": np.round(values, 1)}))
        return pd.concat(rows, ignore_index=True)

    # ---- tasks ----------------------------------------------------------------
    def task_progress(self) -> pd.DataFrame:
        rng = self.rng("tasks")
        plan = catalog.load_plan()
        tasks = pd.read_csv(plan.folder / "tasks.csv", dtype=str)
        first = periods.shift_month(periods.month_key(plan.start), 8)  # reports begin in the plan's ninth month
        report_days = [periods.month_end(m) for m in periods.month_range(first, self.end)
                       if periods.is_quarter_end(m)]
        start = dt.date(*periods.parse_month(first), 1)
        rows = []
        for _, task in tasks.iterrows():
            deadline = dt.date.fromisoformat(task.deadline_date) if task.deadline_date == task.deadline_date else None
            late = rng.random() < 0.12  # some tasks miss their deadline
            stalled_at = rng.uniform(40, 90)
            for day in report_days:
                if deadline:
                    span = max((deadline - start).days, 1)
                    pct = 100 * min(1.0, (day - start).days / span) * rng.uniform(0.9, 1.05)
                    pct = min(pct, stalled_at) if late else pct
                else:
                    pct = min(95.0, 25 + 70 * (day - start).days / 900)
                pct = float(np.clip(round(pct, 0), 0, 100))
                status = "已完成" if pct >= 100 else ("未启动" if pct == 0 else "推进中")
                if deadline and not late and day >= deadline:
                    pct, status = 100.0, "已完成"
                rows.append({"task_number": int(task.number), "reported_on": day, "status": status,
                             "percent": pct, "note": f"第{(day.month - 1) // 3 + 1}季度工作进展（演示）",
                             "reporting_unit": task.lead_units.split("|")[0]})
        return pd.DataFrame(rows)

    # ---- emergencies --------------------------------------------------------------
    def events(self) -> pd.DataFrame:
        rng = self.rng("events")
        features = geo.features_by_code(self.geojson)
        first = dt.datetime(int(self.end[:4]) - 2, 1, 1)
        last = self.now
        days = (last - first).days
        n = days // 2
        counties = [c for c in WEIGHTS if c in features]
        w = np.array([WEIGHTS[c] for c in counties])
        region = rng.choice(counties, n, p=w / w.sum())
        offsets = np.sort(rng.uniform(0, days * 86400, n))
        occurred = [first + dt.timedelta(seconds=float(s)) for s in offsets]
        month = np.array([o.month for o in occurred])
        types, shares = list(EVENT_TYPES), np.array([v[0] for v in EVENT_TYPES.values()])
        bias = np.array([v[1] for v in EVENT_TYPES.values()])
        probs = shares * np.exp(np.outer(winter(month), bias) * 0.8)
        probs /= probs.sum(1, keepdims=True)
        etype = [types[(rng.random() > np.cumsum(p)).sum()] for p in probs]
        level = rng.choice([1, 2, 3, 4], n, p=[0.02, 0.08, 0.22, 0.68])
        lonlat = np.zeros((n, 2))
        for c in counties:
            idx = np.flatnonzero(region == c)
            if len(idx):
                lonlat[idx] = geo.random_points(features[c], len(idx), rng)
        age_h = np.array([(last - o).total_seconds() / 3600 for o in occurred])
        duration_h = rng.lognormal(1.8, 1.0, n) * (5 - level)
        open_ = age_h < duration_h
        names = {c: r for c, r in zip(WEIGHTS, ["梁园区", "睢阳区", "民权县", "睢县", "宁陵县",
                                               "柘城县", "虞城县", "夏邑县", "永城市", "示范区"])}
        place = [f"{names[r]}{PLACES[i]}" for r, i in zip(region, rng.integers(0, len(PLACES), n))]
        return pd.DataFrame({
            "event_type": etype, "level": level, "title": [f"{p}{t}" for p, t in zip(place, etype)],
            "region_code": region, "place": place, "lon": lonlat[:, 0].round(5), "lat": lonlat[:, 1].round(5),
            "occurred_at": occurred, "status": np.where(open_, "处置中", "已结束"),
            "closed_at": [None if o else oc + dt.timedelta(hours=float(d))
                          for o, oc, d in zip(open_, occurred, duration_h)],
        })

    # ---- weather and duty -------------------------------------------------------------
    def weather(self) -> pd.DataFrame:
        """Warning signals over two years; a few issued in the last day are still in force."""
        rng = self.rng("weather")
        now = self.now
        kinds = {"暴雨": [6, 7, 8], "大风": [3, 4, 5], "寒潮": [11, 12, 1], "高温": [6, 7, 8],
                 "大雾": [11, 12, 1, 2], "道路结冰": [12, 1, 2], "雷电": [6, 7, 8]}
        rows = []
        for day in pd.date_range(now - dt.timedelta(days=730), now, freq="D"):
            for kind, months in kinds.items():
                if day.month in months and rng.random() < 0.03:
                    level = int(rng.choice([2, 3, 4], p=[0.1, 0.35, 0.55]))
                    issued = day.to_pydatetime() + dt.timedelta(hours=float(rng.uniform(5, 20)))
                    for code in rng.choice(list(WEIGHTS)[:9], int(rng.integers(1, 10)), replace=False):
                        rows.append({"kind": kind, "level": level, "region_code": code,
                                     "issued_at": issued, "expires_at": issued + dt.timedelta(hours=24),
                                     "issuer": f"{city.NAME}气象台",
                                     "text": f"预计未来24小时内有{kind}天气，请注意防范（演示）"})
        # One signal in force now, whatever the season, so the command room shows one.
        for code in ("411402", "411403", "411481"):
            rows.append({"kind": "寒潮" if self.today.month in (10, 11, 12, 1, 2, 3) else "暴雨",
                         "level": 3, "region_code": code, "issued_at": now - dt.timedelta(hours=3),
                         "expires_at": now + dt.timedelta(hours=21), "issuer": f"{city.NAME}气象台",
                         "text": "预计未来24小时内气温下降8℃以上，请注意防寒保暖（演示）"})
        return pd.DataFrame(rows)

    def duty(self) -> pd.DataFrame:
        rng = self.rng("duty")
        surnames, given = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"), list("伟芳娜敏静磊军洋勇艳杰涛明超秀霞平刚")
        units = ["市政府办公室", "市应急管理局", "市公安局", "市卫生健康委", "市气象局"]
        rows = []
        for offset in range(-7, 8):
            day = self.today + dt.timedelta(days=offset)
            for role, unit in [("带班领导", "市政府办公室"), ("总值班", "市应急管理局")] + \
                    [("值班员", u) for u in units[1:]]:
                name = rng.choice(surnames) + "".join(rng.choice(given, int(rng.integers(1, 3))))
                rows.append({"duty_date": day, "role": role, "name": f"{name}（演示）", "unit": unit,
                             "phone": f"0370-{int(rng.integers(3000000, 3999999))}"})
        return pd.DataFrame(rows)

    # ---- 12345 --------------------------------------------------------------------
    def hotline(self) -> pd.DataFrame:
        end = dt.datetime.combine(self.today, dt.time(0, 0))
        return demo_hotline.tickets(self.rng("hotline"), end, self.tickets, WEIGHTS)
