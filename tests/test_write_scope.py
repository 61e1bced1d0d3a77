"""What a scoped reporter may write and roll back, enforced by the core: a county's reporter its
county's figures, a department's reporter its department's indicators (the catalogue's
source_dept); history, preview and rollback follow the same scope."""
from __future__ import annotations

import pandas as pd
import pytest

from cockpit import auth, ingest
from cockpit import schema as s
from cockpit.uploads import commit as C
from cockpit.uploads import history as H
from cockpit.uploads.messages import Problems
from cockpit.uploads.rollback import RollbackRefused, rollback
from cockpit.uploads.validate import Checked, Options
from cockpit.datasets import Dataset
from service import uploads
from tests.fixtures.upload_files import csv_bytes

PW = "correct horse battery"


def _obs(*rows) -> Dataset:
    return Dataset("observations", pd.DataFrame([{"indicator_code": c, "region_code": r, "period": "2026-09",
                                                   "measure": "month", "value": v} for c, r, v in rows]))


def _user(store, name, **kw) -> auth.User:
    auth.add_user(store, name, "reporter", PW, **kw)
    return auth.authenticate(store, name, PW)


@pytest.fixture
def batches(store):
    """A city-wide batch (like the demo's) and one batch of Yongcheng's own figures."""
    city = ingest.load(store, [_obs(("RETAIL", "411402", 1.0), ("RETAIL", "411481", 2.0))],
                       source="excel", created_by="市统计局")[0]
    own = ingest.load(store, [_obs(("RETAIL", "411481", 3.0))], source="excel", created_by="永城填报员")[0]
    return city, own


def test_a_department_reporter_cannot_commit_another_departments_indicator(store):
    reporter = _user(store, "统计局填报员", department="市统计局")
    scope = auth.write_scope(store, reporter)
    assert "RETAIL" in scope.indicators and "FEVER_VISITS" not in scope.indicators
    checked = Checked(Problems(), [_obs(("FEVER_VISITS", "411400", 120.0))])
    before = store.count(s.observations)
    result = C.commit(store, checked, created_by=reporter.name, scope=scope)
    assert result.status == "rejected" and "发热门诊就诊人次" in result.message and "其他部门" in result.message
    assert store.count(s.observations) == before


def test_an_unknown_department_is_refused_with_the_known_ones(store):
    with pytest.raises(auth.AuthError, match="未知的部门“统计局”.*市统计局"):
        auth.add_user(store, "乙", "reporter", PW, department="统计局")


def test_a_county_reporter_sees_only_batches_with_their_figures_and_only_those_rows(store, batches):
    city, own = batches
    scope = auth.write_scope(store, _user(store, "永城填报员", region_code="411481"))
    assert set(H.batches(store, scope=scope).id) == {city, own}
    rows = H.batch_rows(store, city, scope=scope)
    assert rows.region.tolist() == ["永城市"]  # the other county's figure is not shown
    assert set(H.batches(store).id) == {city, own}  # an admin sees everything


def test_a_county_reporter_cannot_roll_back_a_batch_holding_other_counties(store, batches):
    city, own = batches
    scope = auth.write_scope(store, _user(store, "永城填报员", region_code="411481"))
    active = store.count(s.observations)
    with pytest.raises(RollbackRefused, match="权限以外"):
        rollback(store, city, by="永城填报员", reason="试图回滚全市批次", scope=scope)
    assert store.batches().set_index("id").status[city] == "committed"
    assert store.count(s.observations) == active and len(store.observations()) == 2
    assert "已回滚批次" in rollback(store, own, by="永城填报员", reason="填错了", scope=scope)


def test_the_preview_of_a_file_outside_the_uploaders_county_is_an_error_not_a_preview(store):
    scope = auth.write_scope(store, _user(store, "永城填报员", region_code="411481"))
    data = csv_bytes([["梁园区", "社会消费品零售总额", "2026-09", "当月", 12.5, "亿元"]])
    checked, preview = uploads.check_file(store, data, "梁园.csv", Options(), scope=scope)
    assert preview is None and not checked.ok
    assert any("其他地区：梁园区" in p.reason for p in checked.problems.errors)
    assert store.count(s.upload_batches) == 0


def test_a_county_reporter_s_ticket_list_holding_another_county_is_refused(store):
    """Tickets, events and warnings name their region too: a county's reporter sends its own only."""
    scope = auth.write_scope(store, _user(store, "永城填报员", region_code="411481"))
    header = ["工单编号", "受理时间", "地区", "诉求类别", "受理渠道", "办理状态", "办理时限", "办结时间", "满意度"]
    row = ["SQ1", "2026-11-28 09:12", "永城市", "供暖", "电话", "办理中", "2026-12-03 09:12", "", ""]
    own, other = csv_bytes([row], header=header), csv_bytes([row, ["SQ2", *row[1:2], "梁园区", *row[3:]]], header=header)
    checked, preview = uploads.check_file(store, own, "永城工单.csv", Options(), scope=scope)
    assert checked.ok and preview is not None
    checked, preview = uploads.check_file(store, other, "工单.csv", Options(), scope=scope)
    assert preview is None and any("只能报送所属地区（永城市）的数据，文件中含其他地区：梁园区" in p.reason
                                   for p in checked.problems.errors)
    assert store.count(s.hotline_tickets) == 0
