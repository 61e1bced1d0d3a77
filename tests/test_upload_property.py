"""Property: figures written into any 统计月报 layout a county office might use come back unchanged.

Hypothesis draws the layout (every variation of issue 9, point 3: preamble order, header rows and
merges, column wording, 位次, name styles, "not published" marks, numbers as text, footnotes, blank
and hidden rows, several sheets) and the figures; the workbook is written with openpyxl, checked by
the importer, and the figures it would write must be exactly those put in.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cockpit.uploads import validate as V
from cockpit.uploads.names import ZONE_NAMES
from tests.conftest import make_store
from tests.fixtures import workbooks as W
from tests.fixtures.upload_files import TODAY

LIMITS = {"RETAIL": 2000, "IND_VA": 2000, "FAI": 2000, "REVENUE": 1000, "TAX": 1000, "POWER": 500}


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory):
    s = make_store("sqlite", tmp_path_factory.mktemp("property"))
    s.init()
    yield s
    s.engine.dispose()


preambles = st.lists(st.sampled_from(["unit", "date", "blank"]), max_size=3).flatmap(
    lambda rest: st.permutations(["title", *rest]).map(tuple))
variants = st.builds(
    W.Variant, preamble=preambles, two_rows=st.booleans(), merges=st.booleans(),
    month_word=st.sampled_from(["10月", "本月", "当月"]),
    ytd_word=st.sampled_from(["1—10月", "1-10月", "1～10月", "本年累计", "自年初累计"]),
    yoy_word=st.sampled_from(["同比±%", "比上年同期增长%", "增长%", "增速(%)", "同比增长（%）"]),
    value_word=st.sampled_from(["绝对值", "绝对额", "总量"]), rank=st.booleans(),
    names=st.sampled_from(["full", "short", "padded", "numbered"]), na=st.sampled_from(["—", "－", "…", "/", "x", ""]),
    numbers=st.sampled_from(["plain", "thousands", "fullwidth", "percent", "spaces"]), blank_rows=st.booleans(),
    footnote=st.sampled_from(["end", "middle", "none"]), hidden=st.booleans(), county_sheet=st.booleans(),
    county_bare_rate=st.booleans(), zone_name=st.sampled_from(ZONE_NAMES), sheets_by_county=st.booleans())


@st.composite
def stored_figures(draw) -> dict:
    out = {}
    for key in W.figures(0):
        code, measure = key[0], key[3]
        if measure.endswith("yoy"):
            out[key] = round(draw(st.floats(-99.9, 300, allow_nan=False)), 1)
        else:
            out[key] = round(draw(st.floats(0, LIMITS[code] / 10 if key[1] != W.CITY else LIMITS[code],
                                            allow_nan=False)), 2)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variant=variants, figs=stored_figures())
def test_figures_written_into_any_statistics_report_layout_come_back_unchanged(empty_store, variant, figs):
    written = W.book(variant, figs)
    checked = V.check_bytes(empty_store, written.data, "月报.xlsx", V.Options(today=TODAY))
    assert checked.ok, checked.problems.frame().to_string()
    got = {tuple(r[:4]): r[4] for r in checked.dataset("observations").frame.itertuples(index=False)}
    assert got == pytest.approx(written.expected, abs=1e-9)
    assert {u["text"].replace("其中：", "") for u in checked.unknown} == written.skipped_names
