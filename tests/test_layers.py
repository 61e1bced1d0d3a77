"""The layer picture holds (docs/architecture.md): imports run one way only,

    pages/, app.py -> ui/ -> service/ -> models/, connectors/ -> cockpit/

read from the source (AST) of every module outside tests/, bench/ and scripts/, imports inside
function bodies included. Only ui/, pages/ and app.py import Streamlit. The one exception is
cockpit/__main__.py, the `python -m cockpit` entry point, a shim over service.cli.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

RANK = {"cockpit": 0, "models": 1, "connectors": 1, "service": 2, "ui": 3, "pages": 4, "app": 4}
UI_ONLY = {"streamlit"}  # third-party packages only the web layers may import
EXCEPTIONS = {("cockpit/__main__.py", "service")}
SKIPPED = {"tests", "bench", "scripts", ".venv", "data", "assets"}


def _layer_of(rel: Path) -> str | None:
    top = rel.parts[0]
    return "app" if top == "app.py" else (top if top in RANK else None)


def _imports(source: str, rel: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import; relative imports resolve inside their package."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.lineno, rel.parts[0] if node.level else (node.module or "").split(".")[0]))
    return out


def upward_imports(source: str, rel: Path) -> list[str]:
    layer = _layer_of(rel)
    bad = []
    for line, target in _imports(source, rel):
        if (rel.as_posix(), target) in EXCEPTIONS:
            continue
        if target in UI_ONLY and RANK[layer] < RANK["ui"]:
            bad.append(f"{rel}:{line} imports {target}")
        elif target in RANK and target != layer and RANK[target] >= RANK[layer]:
            bad.append(f"{rel}:{line} imports {target}")
    return bad


def _modules() -> list[Path]:
    return [p.relative_to(ROOT) for p in ROOT.rglob("*.py")
            if not SKIPPED & set(p.relative_to(ROOT).parts) and _layer_of(p.relative_to(ROOT))]


def test_no_module_imports_a_layer_above_its_own_or_beside_it():
    modules = _modules()
    assert len(modules) > 60 and Path("cockpit/store.py") in modules and Path("app.py") in modules
    bad = [b for rel in modules for b in upward_imports((ROOT / rel).read_text(encoding="utf-8"), rel)]
    assert bad == []


SEEN = [
    # module, source, what the checker must say
    ("cockpit/x.py", "import models.rules\n", ["cockpit/x.py:1 imports models"]),
    ("cockpit/x.py", "def f():\n    from service import cli\n", ["cockpit/x.py:2 imports service"]),
    ("models/x.py", "from connectors.base import Dataset\n", ["models/x.py:1 imports connectors"]),
    ("service/x.py", "import streamlit as st\n", ["service/x.py:1 imports streamlit"]),
    ("ui/x.py", "from pages import overview\n", ["ui/x.py:1 imports pages"]),
    ("cockpit/uploads/x.py", "from ..store import Store\nfrom . import names\n", []),
    ("service/x.py", "from cockpit.store import Store\nfrom models import rules\n", []),
    ("cockpit/__main__.py", "from service.cli import main\n", []),
]


def test_the_checker_sees_upward_imports_including_those_inside_functions():
    for rel, source, expected in SEEN:
        assert upward_imports(source, Path(rel)) == expected, rel
