"""First-run preparation shared by the web app and the command line."""
from __future__ import annotations

import logging

from cockpit import ingest, schema as s
from cockpit.store import Store
from connectors.demo import DemoConnector

from . import warnings

log = logging.getLogger(__name__)


def load_demo(store: Store, tickets: int | None = None, progress=None, **options) -> list[int]:
    """Generate and commit the demo data, then evaluate the warning rules on it. Nothing is
    fitted here: forecasts come from the background refit the first 预警中心 view starts."""
    connector = DemoConnector(tickets=tickets, **options) if tickets else DemoConnector(**options)
    if progress:
        progress(0.0, "生成演示数据")
    ids = ingest.load(store, connector.read(), source="demo", created_by="system",
                      progress=progress)
    warnings.evaluate(store)
    return ids


def needs_setup(store: Store) -> bool:
    """True when a first run or an upgrade has work to do (worth showing progress for)."""
    if store.schema_revision() != store.head_revision():
        return True
    return store.cfg.demo_on_empty and store.count(s.upload_batches) == 0


def prepare(store: Store, progress=None) -> bool:
    """Migrate, load the plan, and fill an empty store with demo data. True if demo was loaded."""
    store.init()
    if store.cfg.demo_on_empty and store.count(s.upload_batches) == 0:
        log.info("empty store: loading demo data")
        load_demo(store, progress=progress)
        return True
    return False
