"""The web server answers before it imports the store, imports the first page's modules right after,
and the other pages' once that first page has run.

Each check runs in a fresh interpreter: what a module imports is only visible in a process that has
not imported it yet. Timings are in bench/ (cold start, issue 14); here, the causes.
"""
from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

from streamlit.web import bootstrap

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "cockpit.store", "pydeck")  # Streamlit itself imports plotly lazily


def _run(code: str) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COCKPIT_CONFIG": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_server_module_imports_nothing_heavy_before_it_listens():
    got, _ = _run(f"import sys, json, ui.server; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert got == []


def test_the_pages_modules_are_imported_once_the_server_listens_the_first_pages_first():
    got, err = _run(f"""
import json, sys, threading
import ui.server as S
calls = []
S.bootstrap._on_server_start = lambda server: calls.append(server)
S.warm_after_start()
before = [m for m in {HEAVY!r} if m in sys.modules]
from ui import state
waiting = threading.Event()
class Seen(threading.Event):  # tells the test when the warm-up waits for the first page
    def wait(self, timeout=None):
        waiting.set()
        return super().wait(timeout)
state.FIRST_PAGE_DONE = Seen()
S.bootstrap._on_server_start("server")
waiting.wait(60)
first = {{m: m in sys.modules for m in ("ui.panels", "ui.economy_panels", "ui.briefing_panels", "fpdf")}}
state.FIRST_PAGE_DONE.set()  # what app.py does when its first run ends
for t in threading.enumerate():
    if t.name == "warm":
        t.join(60)
import gc
gc.collect(2)  # what Streamlit does after every script run
print(json.dumps({{"calls": calls, "before": before, "after": [m for m in {HEAVY!r} if m in sys.modules],
                  "first": first,
                  "panels": all(m in sys.modules for m in ("ui.panels", "ui.economy_panels", "ui.briefing_panels")),
                  "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}}))
""")
    assert got["calls"] == ["server"]  # Streamlit's own start-up work still runs, first
    assert got["before"] == []
    # While the first page runs: its own modules, not the other pages' (nor the briefing's PDF library).
    assert got["first"] == {"ui.panels": True, "ui.economy_panels": False, "ui.briefing_panels": False, "fpdf": False}
    assert got["after"] == [m for m in HEAVY if m != "alembic"]  # Alembic only where a schema changes
    assert got["panels"]
    assert "warming" not in err  # every ui module imported without an error
    # What was loaded is out of the collector's sight: the full collection after each script run
    # walks what the run made, not the 200,000 objects of the modules.
    assert got["frozen"] > 100_000 and got["tracked"] < 10_000


def test_streamlit_still_calls_the_hook_the_warm_start_wraps():
    """A Streamlit upgrade that renames it would leave the pages cold, silently: this says so."""
    assert "_on_server_start(server)" in inspect.getsource(bootstrap.run)
