"""数据报送 page in AppTest: upload, see problems or the preview, confirm, history, rollback."""
from __future__ import annotations

import pytest

from cockpit.config import Settings
from cockpit.store import Store
from tests.conftest import open_app, table as _table
from tests.fixtures.upload_files import xlsx


@pytest.fixture
def db(demo_copy):
    return demo_copy


@pytest.fixture
def app(db, monkeypatch):
    return open_app(monkeypatch, db, "pages/upload.py")


def _text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "text", "error", "success", "info", "warning")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_bad_file_lists_every_problem_and_offers_no_confirm(app, db):
    rows = [["开封", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"],
            ["梁园区", "社会消费品零售总额", "2026-10", "累计", "N/A", "亿元"]]
    app.file_uploader(key="upload_file").set_value(("坏.xlsx", xlsx(rows), "application/octet-stream")).run()
    assert "发现 2 个错误" in _text(app)
    problems = _table(app, "工作表", "原因")
    assert list(problems["行"]) == [2, 3] and list(problems["值"]) == ["开封", "N/A"]
    assert not [b for b in app.button if b.key == "upload_confirm"]


def test_upload_preview_confirm_then_history_and_rollback(app, db, monkeypatch):
    refits = []  # the warnings are re-evaluated by a background process after each change
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda store, **k: refits.append(k) or True)
    store = Store(db, Settings(demo_on_empty=False))
    before = store.observations(indicators=["RETAIL"], regions=["411402"], measures=["ytd"])
    old = float(before[before.period == "2026-10"].value.iloc[0])
    rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", old + 10, "亿元"],
            ["梁园区", "社会消费品零售总额", "2026-09", "累计", None, "亿元"]]
    note = "<b>加粗</b>"
    app.text_input(key="upload_user").set_value(note)
    app.file_uploader(key="upload_file").set_value(("更正.xlsx", xlsx(rows), "application/octet-stream")).run()
    preview = _table(app, "状态", "原值", "新值")
    assert list(preview["状态"]) == ["修改"] and preview["原值"].iloc[0] == old and preview["新值"].iloc[0] == old + 10
    assert [m.value for m in app.metric if m.label == "修改"] == ["1 个"]
    app.button(key="upload_confirm").click().run()
    assert "已写入批次" in _text(app) and "正在后台按新数据重新计算" in _text(app)
    assert refits == [{"queue": True}]
    assert not [m for m in app.metric if m.label == "不变"]  # no preview that calls the written value unchanged
    now = store.observations(indicators=["RETAIL"], regions=["411402"], measures=["ytd"])
    assert float(now[now.period == "2026-10"].value.iloc[0]) == old + 10
    history = _table(app, "批次", "报送人")
    assert history["报送人"].iloc[0] == note  # shown as text in a table, never as HTML
    bid = int(history["批次"].iloc[0])
    app.selectbox(key="history_batch").set_value(bid).run()
    app.text_input(key="rollback_user").set_value("王五")
    app.text_input(key="rollback_reason").set_value("数值有误")  # a form: values go with the submit
    app.button[[b.label for b in app.button].index("回滚此批次")].click().run()
    assert f"已回滚批次 #{bid}" in _text(app) and len(refits) == 2
    now = store.observations(indicators=["RETAIL"], regions=["411402"], measures=["ytd"])
    assert float(now[now.period == "2026-10"].value.iloc[0]) == old


def test_reporting_status_tab_lists_late_units(app, db, monkeypatch):
    import datetime as dt

    from ui import state
    monkeypatch.setattr(state, "today", lambda: dt.date(2027, 1, 15))
    app.run()
    table = _table(app, "应报月份", "逾期天数")
    assert set(table["应报月份"]) >= {"2026-12"} and (table["最近已报"] <= "2026-10").all()
    assert any(m.label == "未报送（指标×地区）" for m in app.metric)
