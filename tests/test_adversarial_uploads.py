"""Adversarial uploads through both doors (the page's checking step and the command line): each
hostile file gets a Chinese message and the store is unchanged. The page's door runs in a child
process with a memory cap, so the web server survives whatever the reader does."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from cockpit import schema as s
from cockpit.uploads import validate as V
from cockpit.uploads.messages import Rejected
from service import import_start, uploads
from service.sandbox import Sandbox, SandboxDied, run_once
from tests.conftest import ROOT
from tests.fixtures.upload_files import xlsx
from tests.hostile_files import far_cell_workbook, many_rows_workbook, padded_doctype_workbook


@pytest.fixture(scope="module")
def many_rows() -> bytes:
    return many_rows_workbook(5_000_000)


def _stored(store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(s.upload_batches)).scalar(),
                conn.execute(select(func.count()).select_from(s.observations)).scalar())


def _cli_import(store, path, *flags: str) -> subprocess.CompletedProcess:
    env = {"COCKPIT_DB_URL": store.url, "COCKPIT_DATA_DIR": str(store.cfg.data_dir),
           "COCKPIT_CONFIG": "", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "cockpit", "import", str(path), "--user", "测试", *flags],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_cell_at_xfd1048576_is_refused_by_name_and_the_caller_survives(store):
    before = _stored(store)
    checked, preview = uploads.check_file(store, far_cell_workbook(), "远处单元格.xlsx", V.Options())
    assert not checked.ok and preview is None
    reason = checked.problems.errors[0].reason
    assert "XFD1048576" in reason and "Ctrl+End" in reason, reason
    assert _stored(store) == before
    # The same warm child (or its replacement) checks the next, ordinary file.
    again, _ = uploads.check_file(store, b"\xef\xbb\xbf" + "地区,指标,时期,口径,数值\n".encode(), "x.csv", V.Options())
    assert again.problems.items  # answered, not crashed


def test_a_cell_at_xfd1048576_through_the_command_line_is_exit_1_with_the_reason(store, tmp_path):
    path = tmp_path / "远处单元格.xlsx"
    path.write_bytes(far_cell_workbook())
    before = _stored(store)
    done = _cli_import(store, path)
    assert done.returncode == 1, done.stderr
    assert "XFD1048576" in done.stdout and "Traceback" not in done.stderr + done.stdout
    assert _stored(store) == before


def test_five_million_one_cell_rows_are_refused_quickly_through_both_doors(store, many_rows, tmp_path):
    before = _stored(store)
    checked, _ = uploads.check_file(store, many_rows, "五百万行.xlsx", V.Options())
    assert not checked.ok
    assert "行数过多" in checked.problems.errors[0].reason
    path = tmp_path / "五百万行.xlsx"
    path.write_bytes(many_rows)
    done = _cli_import(store, path)
    assert done.returncode == 1 and "行数过多" in done.stdout, done.stdout + done.stderr
    assert _stored(store) == before


def test_a_child_that_aborts_runs_out_of_memory_or_time_is_reported_not_fatal():
    with pytest.raises(SandboxDied) as died:
        run_once("os:abort")
    assert died.value.returncode == -6
    with pytest.raises(SandboxDied):
        run_once("builtins:bytearray", 8 * 1024 ** 3, memory_mb=1024)  # 8 GB under a 1 GB cap
    with pytest.raises(SandboxDied) as slow:
        run_once("time:sleep", 30, timeout=1)
    assert slow.value.timed_out


def test_the_child_answers_with_the_callers_own_exception_and_keeps_serving():
    box = Sandbox()
    try:
        with pytest.raises(ValueError, match="invalid literal"):
            box.call("builtins:int", "不是数字")
        assert box.call("builtins:sum", [1, 2, 3]) == 6
        assert box.call("builtins:print", "printed text never corrupts the answer") is None
        with pytest.raises(RuntimeError, match="EntitiesForbidden"):  # cannot be rebuilt here as itself
            box.call("defusedxml.ElementTree:fromstring", '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    finally:
        box.close()


def test_work_sent_ahead_is_answered_in_order_and_a_child_it_kills_is_the_next_calls_death():
    box = Sandbox()
    try:
        box.send("builtins:int", "不是数字")  # its exception is read and dropped, not raised by the next call
        box.send("builtins:sum", [1, 2])
        assert box.call("builtins:sum", [1, 2, 3]) == 6
        box.send("os:abort")
        with pytest.raises(SandboxDied) as died:
            box.call("builtins:sum", [1])
        assert died.value.returncode == -6
        assert box.call("builtins:sum", [4, 5]) == 9  # a new child, with no answer of the old one to read
    finally:
        box.close()


def test_the_child_answers_while_its_preloaded_imports_are_still_running(tmp_path):
    """A file read ahead is read beside the child's imports, not after them (issue 14)."""
    (tmp_path / "held.py").write_text(  # an import that ends only when the test says so
        "import pathlib, time\nflag = pathlib.Path(__file__).with_name('go')\n"
        "for _ in range(600):\n    if flag.exists():\n        break\n    time.sleep(0.05)\n"
        "def ready():\n    return flag.exists()\n")
    box = Sandbox(preload=("held",), timeout=20, env={"PYTHONPATH": str(tmp_path)})
    try:
        assert box.call("builtins:sum", [1, 2]) == 3  # answered with the import still held
        (tmp_path / "go").touch()
        assert box.call("held:ready") is True  # the held import, finished by the preload
    finally:
        box.close()


def test_the_reader_and_the_read_ahead_import_nothing_heavy():
    code = ("import sys, json, cockpit.uploads.parse, service.import_start\n"
            "print(json.dumps([m for m in ('pandas', 'sqlalchemy', 'openpyxl', 'cockpit.store') if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_checking_child_imports_neither_alembic_nor_the_orm():
    """What the child imports is on every import's critical path (issue 14): Alembic (with Mako and
    Pygments) is for the process that migrates, and the core writes no ORM (0.12 s of import).
    Migrating still works (the store fixture)."""
    code = ("import sys, json\nfrom service.sandbox import UPLOADS\nfrom cockpit.store import Store\n"
            "[__import__(m) for m in (*UPLOADS, 'service.uploads', 'cockpit.uploads.history')]\n"
            "Store('sqlite://').observations\n"
            "print(json.dumps([m for m in ('alembic', 'mako', 'pygments', 'sqlalchemy.orm') if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_file_read_ahead_is_handed_to_its_own_check_only():
    good = xlsx([["商丘市", "社会消费品零售总额", "2026-10", "当月", 50.0, "亿元"]])
    import_start.read(good, "甲.xlsx", None)
    book = import_start._read[(good, "甲.xlsx", None)]
    assert import_start.reader(None)(good, "甲.xlsx", 10**7) is book  # the read done ahead, once
    assert import_start.reader(None)(good, "甲.xlsx", 10**7) is not book
    import_start.read(good, "甲.xlsx", None)
    other = import_start.reader(None)(good, "乙.xlsx", 10**7)  # another file name: read again, and the ahead is gone
    assert other is not book and other.sheets[0].rows == book.sheets[0].rows and not import_start._read
    import_start.read(b"", "空.xlsx", None)
    with pytest.raises(Rejected, match="0 字节"):  # a refusal found ahead is the check's refusal
        import_start.reader(None)(b"", "空.xlsx", 10**7)


def test_a_folder_with_a_hostile_file_before_and_after_a_good_one_imports_the_good_one(store, tmp_path):
    for i in range(2):
        good = xlsx([["商丘市", "社会消费品零售总额", "2026-10", "当月", 50.0 + i, "亿元"]])  # a new figure each time
        first, second = (far_cell_workbook(), good) if i == 0 else (good, far_cell_workbook())
        folder = tmp_path / f"f{i}"
        folder.mkdir()
        (folder / "1.xlsx").write_bytes(first)  # imported in name order; the second is read while the first is written
        (folder / "2.xlsx").write_bytes(second)
        batches, _ = _stored(store)
        done = _cli_import(store, folder)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "XFD1048576" in done.stdout and "共 2 个文件，1 个通过，1 个未通过。" in done.stdout, done.stdout
        hostile = done.stdout.split("== ")[1 if first is not good else 2]
        assert "XFD1048576" in hostile and "Traceback" not in done.stdout + done.stderr
        assert _stored(store)[0] == batches + 1


def test_a_file_over_the_command_lines_size_limit_is_refused_by_its_size(store, tmp_path):
    path = tmp_path / "大文件.xlsx"
    path.write_bytes(xlsx([["商丘市", "社会消费品零售总额", "2026-10", "当月", 50.0, "亿元"]] * 200))
    before = _stored(store)
    done = _cli_import(store, path, "--max-mb", "0.001")
    assert done.returncode == 1 and "超过上限 1 KB" in done.stdout, done.stdout + done.stderr
    assert _stored(store) == before


def test_a_reader_that_dies_is_explained_as_a_memory_limit_when_no_far_cell_explains_it():
    reason = uploads.died_reason(b"not a zip", SandboxDied(-6))
    assert "内存上限" in reason
    assert "超时" in uploads.died_reason(b"", SandboxDied(-9, timed_out=True))


def test_a_doctype_hidden_behind_70_kb_of_whitespace_is_refused_in_chinese_through_both_doors(store, tmp_path):
    data = padded_doctype_workbook()
    checked, _ = uploads.check_file(store, data, "填充.xlsx", V.Options())
    assert not checked.ok and "开头异常" in checked.problems.errors[0].reason
    path = tmp_path / "填充.xlsx"
    path.write_bytes(data)
    done = _cli_import(store, path)
    assert done.returncode == 1 and "开头异常" in done.stdout, done.stdout + done.stderr
    assert "Forbidden" not in done.stdout + done.stderr
