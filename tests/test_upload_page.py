"""数据报送 page in AppTest: upload, see problems or the preview, confirm, history, rollback."""
from __future__ import annotations

import pytest

from cockpit.config import Settings
from cockpit.store import Store
from cockpit.uploads import commit as C, validate as V
from tests.conftest import open_app, shown_cells, table as _table, table_element, tables
from tests.fixtures.upload_files import TODAY, xlsx


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
    assert "发现 1 个错误" in _text(app)
    problems = _table(app, "级别", "原因")
    assert list(problems["行"]) == [3] and list(problems["值"]) == ["N/A"]
    skipped = next(t for t in tables(app, "工作表", "原因") if "级别" not in t.columns)  # apart from the errors
    assert list(skipped["原因"]) == ["未识别的地区名称“开封”，不导入"]
    assert not [b for b in app.button if b.key == "upload_confirm"]


def test_upload_preview_confirm_then_history_and_rollback(app, db, monkeypatch):
    refits = []  # the warnings are re-evaluated by a background process after each change
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda store, **k: refits.append(k) or True)
    store = Store(db, Settings(demo_on_empty=False))

    def ytd():
        now = store.observations(indicators=["RETAIL"], regions=["411402"], measures=["ytd"])
        hit = now[now.period == "2026-10"]
        return float(hit.value.iloc[0]) if len(hit) else None
    demo_value = ytd()

    def send(value, name):
        rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", value, "亿元"],
                ["梁园区", "社会消费品零售总额", "2026-09", "累计", None, "亿元"]]
        app.file_uploader(key="upload_file").set_value((name, xlsx(rows), "application/octet-stream")).run()

    note = "<b>加粗</b>"
    app.text_input(key="upload_user").set_value(note)
    send(demo_value + 10, "首报.xlsx")
    preview = shown_cells(table_element(app, "状态", "原值", "新值"))  # the first real figure: new, not a change
    assert list(preview["状态"]) == ["新增"] and list(preview["原值"]) == ["—"]
    assert "写入后，库中演示数据" in _text(app) and "停用" in _text(app)
    app.button(key="upload_confirm").click().run()
    assert "已写入批次" in _text(app) and "正在后台按新数据重新计算" in _text(app)
    assert refits == [{"queue": True}]
    assert not [m for m in app.metric if m.label == "不变"]  # no preview that calls the written value unchanged
    assert ytd() == demo_value + 10 and "observations" not in store.demo_datasets()

    send(demo_value + 20, "更正.xlsx")
    preview = shown_cells(table_element(app, "状态", "原值", "新值"))
    assert list(preview["状态"]) == ["修改"] and list(preview["原值"]) == [f"{demo_value + 10:.10g}"]
    assert [m.value for m in app.metric if m.label == "修改"] == ["1 个"]
    app.button(key="upload_confirm").click().run()
    assert ytd() == demo_value + 20
    history = _table(app, "批次", "报送人")
    assert history["报送人"].iloc[0] == note  # shown as text in a table, never as HTML
    bid = int(history["批次"].iloc[0])
    app.selectbox(key="history_batch").set_value(bid).run()
    app.text_input(key="rollback_user").set_value("王五")
    app.text_input(key="rollback_reason").set_value("数值有误")  # a form: values go with the submit
    app.button[[b.label for b in app.button].index("回滚此批次")].click().run()
    assert f"已回滚批次 #{bid}" in _text(app) and len(refits) == 3
    assert ytd() == demo_value + 10


def test_an_unknown_name_is_mapped_on_the_page_and_the_file_then_imports_it(app, db):
    from cockpit.uploads import aliases
    rows = [["梁园区", "社零", "2026-10", "累计", 12.5, "亿元"], ["梁园区", "全社会用电量", "2026-10", "当月", 3.5, "亿千瓦时"]]
    app.text_input(key="upload_user").set_value("统计员")
    app.file_uploader(key="upload_file").set_value(("社零.xlsx", xlsx(rows), "application/octet-stream")).run()
    pick = app.selectbox(key="alias_pick_0")
    assert pick.label.startswith("指标“社零”（1 处") and pick.options[1] == "社会消费品零售总额"  # closest first
    pick.set_value("RETAIL")
    next(b for b in app.button if b.label == "保存对应并重新校验").click().run()
    assert not app.exception
    assert aliases.mapping(aliases.stored(Store(db, Settings(demo_on_empty=False))), "indicator") == {"社零": "RETAIL"}
    preview = _table(app, "状态", "原值", "新值")
    assert set(preview["指标"]) == {"社会消费品零售总额", "全社会用电量"}
    assert not [s for s in app.selectbox if s.key == "alias_pick_0"]  # nothing left to map


def test_reporting_status_tab_lists_late_units(app, db, monkeypatch):
    import datetime as dt

    from ui import state
    monkeypatch.setattr(state, "today", lambda: dt.date(2027, 1, 15))
    app.run()
    table = _table(app, "应报月份", "逾期天数")
    assert set(table["应报月份"]) >= {"2026-12"} and (table["最近已报"] <= "2026-10").all()
    assert any(m.label == "未报送（指标×地区）" for m in app.metric)


def test_a_clean_file_offers_no_problem_list_and_counties_that_stop_adding_up_are_a_warning(app, db):
    store = Store(db, Settings(demo_on_empty=False))
    # The city's real figures first: demo ones leave with the first upload and are never summed.
    demo = store.observations(indicators=["RETAIL"], measures=["ytd"], since="2026-10", until="2026-10")
    names = store.regions().set_index("code").name
    real = xlsx([[names[r.region_code], "社会消费品零售总额", "2026-10", "累计", r.value, "亿元"] for r in demo.itertuples()])
    C.commit(store, V.check_bytes(store, real, "全市.xlsx", V.Options(today=TODAY)), data=real, file_name="全市.xlsx",
             created_by="甲")
    demo_value = float(demo[demo.region_code == "411402"].value.iloc[0])

    def send(value, name, *more):
        rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", value, "亿元"], *more]
        app.file_uploader(key="upload_file").set_value((name, xlsx(rows), "application/octet-stream")).run()
        return [b.label for b in app.get("download_button")]

    assert not any("问题清单" in label for label in send(demo_value, "原样.xlsx"))  # passed: nothing to correct
    assert not tables(app, "级别", "原因")
    # Passed with a cell left out: its list is offered as what it is, not as problems to correct.
    labels = send(demo_value, "含外地.xlsx", ["开封", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"])
    assert "下载未导入清单（Excel）" in labels and not any("问题清单" in label for label in labels)
    labels = send(demo_value + 50, "改大.xlsx")
    warning = _table(app, "级别", "原因")
    assert list(warning["级别"]) == ["提醒"]
    assert warning["原因"].iloc[0].startswith("社会消费品零售总额2026年1—10月：各县（市、区）合计 ")
    assert "多 50 亿元" in warning["原因"].iloc[0]
    assert "下载问题清单（Excel）" in labels and [b for b in app.button if b.key == "upload_confirm"]


def test_the_history_counts_rows_with_thousands_separators_in_every_row(app, db):
    """The demo's batches hold 38,417 figures and 4,020 tickets: one column, one way of writing them."""
    store = Store(db, Settings(demo_on_empty=False))
    counts = store.batches().row_count
    assert counts.max() >= 10_000 and counts.between(1_000, 9_999).any()  # the case this is about
    shown = shown_cells(table_element(app, "批次", "写入行数"))
    assert sorted(shown["写入行数"]) == sorted(f"{n:,}" for n in counts)
