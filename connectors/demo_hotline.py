"""The demo's 12345 tickets (kind "demo", dataset hotline_tickets): two years up to `end`, weekday and
trend shape, seasonal category mix, a heating surge in 睢阳区 over the last week for the surge rule."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

HOTLINE_CATEGORIES = {  # base share, winter (+) / summer (-) seasonality
    "城市管理": (0.14, 0.0), "住房物业": (0.12, 0.0), "供暖": (0.05, 1.0),
    "供水": (0.05, -0.4), "供电": (0.05, -0.3), "交通运输": (0.08, 0.0),
    "生态环境": (0.07, -0.3), "噪音扰民": (0.05, -0.5), "劳动保障": (0.09, 0.2),
    "教育": (0.07, 0.0), "医疗卫生": (0.07, 0.1), "市场监管": (0.08, 0.0),
    "农业农村": (0.04, -0.2), "政务服务": (0.04, 0.0),
}
CHANNELS = (["电话", "网站", "微信公众号", "政务App"], [0.68, 0.08, 0.18, 0.06])


def winter(months: np.ndarray) -> np.ndarray:
    """+1 in January, -1 in July: the seasonal lean of the demo's category and event mixes."""
    return np.cos(2 * np.pi * (months - 1) / 12)


def tickets(rng: np.random.Generator, end: dt.datetime, n: int, weights: dict[str, float]) -> pd.DataFrame:
    """Tickets as whole numpy columns, texts as categoricals (one byte a cell): 5,000,000 tickets
    are generated in seconds and held in a few hundred MB (issue 14)."""
    start = end - dt.timedelta(days=730)
    days = pd.date_range(start, end - dt.timedelta(days=1), freq="D")
    weekday = np.where(days.day_of_week >= 5, 0.7, 1.0)
    trend = np.linspace(0.9, 1.1, len(days))
    p_day = weekday * trend
    day_idx = rng.choice(len(days), n, p=p_day / p_day.sum())
    created = days.values[day_idx] + (rng.beta(2.2, 2.0, n) * 86400e9 * 0.7 + 7 * 3600e9).astype("timedelta64[ns]")
    months = days.month.values[day_idx]
    cats = list(HOTLINE_CATEGORIES)
    base = np.array([v[0] for v in HOTLINE_CATEGORIES.values()])
    season = np.array([v[1] for v in HOTLINE_CATEGORIES.values()])
    category = np.empty(n, dtype=np.int8)
    for m in range(1, 13):
        idx = np.flatnonzero(months == m)
        p = base * np.exp(season * winter(np.array([m]))[0] * 0.9)
        category[idx] = rng.choice(len(cats), len(idx), p=p / p.sum())
    codes = list(weights)
    w = np.array(list(weights.values()))
    region = rng.choice(len(codes), n, p=w / w.sum())
    # A surge: heating complaints in 睢阳区 over the last week (issue: where did 供暖 surge?).
    surge_n = max(20, n // 800)
    created = np.concatenate([created, np.datetime64(end, "ns") - (rng.uniform(0, 7 * 86400, surge_n) * 1e9)
                              .astype("timedelta64[ns]")])
    category = np.concatenate([category, np.full(surge_n, cats.index("供暖"), dtype=np.int8)])
    region = np.concatenate([region, np.full(surge_n, codes.index("411403"))])
    order = np.argsort(created, kind="stable")
    created, category, region = created[order], category[order], region[order]
    n = len(created)
    channel = rng.choice(len(CHANNELS[0]), n, p=CHANNELS[1])
    hours = rng.lognormal(3.2, 0.9, n)
    hours[rng.random(n) < 0.03] *= 6  # a tail that runs past the deadline
    closed = created + (hours * 3600e9).astype("timedelta64[ns]")
    is_closed = closed < np.datetime64(end, "ns")
    sat = rng.choice(4, n, p=[0.74, 0.12, 0.05, 0.09])  # 满意, 基本满意, 不满意, not surveyed

    def seconds(a: np.ndarray) -> np.ndarray:
        return a.astype("datetime64[s]").astype("datetime64[ns]")

    def texts(at: np.ndarray, names: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(at, categories=names)

    return pd.DataFrame({
        "created_at": seconds(created),
        "region_code": texts(region, codes),
        "category": texts(category, cats),
        "channel": texts(channel, CHANNELS[0]),
        "due_at": seconds(created + np.timedelta64(5, "D")),
        "closed_at": np.where(is_closed, seconds(closed), np.datetime64("NaT", "ns")),
        "status": texts(np.where(is_closed, 0, 1), ["已办结", "办理中"]),
        "satisfaction": texts(np.where(is_closed & (sat < 3), sat, -1), ["满意", "基本满意", "不满意"]),
    })
