"""The web server: Streamlit started in this process with app.py, its v1 "pages/ folder" mode
switched off before the first request. Otherwise a direct link such as /economy runs
pages/economy.py without app.py (docs/architecture.md, "Direct links").

`python -m cockpit serve` hands its process over to `python -m ui.server`, so the command line
never imports Streamlit and the web server is started in one place.
"""
from __future__ import annotations

import argparse
import os

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap

from cockpit.config import ROOT


def serve(port: int | None = None, address: str | None = None) -> None:
    PagesManager.uses_pages_directory = False
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    flags = {k: v for k, v in {"server_port": port, "server_address": address}.items() if v}
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(ROOT / "app.py"), False, [], flags)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ui.server", description="驾驶舱网页服务")
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--address", default=None)
    a = ap.parse_args(argv)
    serve(a.port, a.address)


if __name__ == "__main__":
    main()
