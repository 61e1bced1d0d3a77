"""Real figures never mix with demo figures: the first real batch retires the dataset's demo rows."""
from __future__ import annotations

import pytest

from cockpit.config import Settings
from cockpit.store import Store
from cockpit.uploads import commit as C, retire as R, validate as V
from cockpit.uploads.rollback import RollbackRefused, rollback
from tests.fixtures.upload_files import TODAY, xlsx
from tests.test_upload_workbooks import _cli

REAL = [["全市", "社会消费品零售总额", "2026-10", "累计", 1500.5, "亿元"]]


@pytest.fixture
def demo(demo_copy):
    s = Store(demo_copy, Settings(demo_on_empty=False))
    yield s
    s.engine.dispose()


def _real(store, rows=REAL, name="real.xlsx"):
    data = xlsx(rows)
    checked = V.check_bytes(store, data, name, V.Options(today=TODAY))
    return checked, C.preview(store, checked), data


def test_the_first_real_batch_retires_the_demo_figures_of_its_dataset_and_says_so(demo):
    assert "observations" in demo.demo_datasets()
    demo_count = len(demo.observations())
    checked, pv, data = _real(demo)
    assert pv.counts == {"new": 1, "changed": 0, "unchanged": 0}  # compared with real figures only
    assert pv.demo_retired == {"observations": demo_count}
    result = C.commit(demo, checked, data=data, file_name="real.xlsx", created_by="统计员")
    assert f"演示数据 {demo_count:,} 个数值已停用" in result.message
    obs = demo.observations()
    assert list(obs.value) == [1500.5]  # nothing demo left beside the real figure
    assert "observations" not in demo.demo_datasets() and "hotline_tickets" in demo.demo_datasets()
    demo_batch = int(demo.batches().query("source == 'demo' and dataset == 'observations'").id.iloc[0])
    with pytest.raises(RollbackRefused, match="是演示数据，已于 .* 停用；如需恢复请用命令 python -m cockpit demo --restore"):
        rollback(demo, demo_batch, by="王五", reason="试试")
    said = rollback(demo, result.batch_ids[0], by="王五", reason="填错")
    assert demo.observations().empty  # the real batch left; the demo figures stay retired
    # every page now empty: the rollback says so, and how to bring the demo back
    assert "库中已没有生效的经济与指标数据" in said and "python -m cockpit demo --restore" in said


def test_restore_brings_back_demo_figures_except_where_a_real_figure_stands(demo):
    checked, _, data = _real(demo)
    C.commit(demo, checked, data=data, file_name="real.xlsx", created_by="统计员")
    before = demo.data_version()
    done = R.restore(demo, by="管理员")
    assert done["observations"] > 0 and demo.data_version() != before
    obs = demo.observations(indicators=["RETAIL"], regions=["411400"], measures=["ytd"])
    assert float(obs[obs.period == "2026-10"].value.iloc[0]) == 1500.5  # the real one, not the demo one
    assert "observations" in demo.demo_datasets()


def test_demo_remove_and_restore_from_the_command_line(demo_copy):
    r = _cli("demo", "--remove", db=demo_copy)
    assert r.returncode == 0 and "经济与指标数据：停用" in r.stdout and "重点任务进展：停用" in r.stdout, r.stderr
    store = Store(demo_copy, Settings(demo_on_empty=False))
    assert store.observations().empty and store.latest_task_progress().empty
    r = _cli("demo", "--remove", db=demo_copy)
    assert r.returncode == 0 and "没有需要停用的演示数据" in r.stdout
    r = _cli("demo", "--restore", db=demo_copy)
    assert r.returncode == 0 and "经济与指标数据：恢复" in r.stdout
    assert not store.observations().empty
    r = _cli("demo", "--remove", "--restore", db=demo_copy)
    assert r.returncode == 2 and "--remove（停用）与 --restore（恢复）不能同时使用" in r.stderr
