"""First-run preparation shared by the web app and the command line."""
from __future__ import annotations

import logging

from cockpit import hotline_daily, ingest, schema as s
from cockpit.store import Store
from connectors.demo import DemoConnector

from . import warnings

log = logging.getLogger(__name__)


def load_demo(store: Store, tickets: int | None = None, progress=None, evaluate: bool = True,
              **options) -> list[int]:
    """Generate and commit the demo data, then (unless told not to) evaluate the warning rules on
    it. Nothing is fitted here: forecasts come from the background refit."""
    connector = DemoConnector(tickets=tickets, **options) if tickets else DemoConnector(**options)
    if progress:
        progress(0.0, "生成演示数据")
    ids = ingest.load(store, connector.read(), source="demo", created_by="system",
                      progress=progress)
    if evaluate:
        warnings.evaluate(store)
    return ids


def never_evaluated(store: Store) -> bool:
    """True until the warning rules have run on this store once (they leave alerts and events)."""
    return store.count(s.alerts) == 0 and store.count(s.alert_events) == 0


def catch_up(store: Store) -> None:
    """On the web server's first look at a store: rules a first run left unevaluated are evaluated
    in the background (with the forecasts), so the first page never waits for them."""
    if never_evaluated(store):
        warnings.refresh_in_background(store)


def needs_setup(store: Store) -> bool:
    """True when a first run or an upgrade has work to do (worth showing progress for)."""
    if store.schema_revision() != store.head_revision():
        return True
    return store.cfg.demo_on_empty and store.count(s.upload_batches) == 0


def prepare(store: Store, progress=None) -> bool:
    """Migrate, load the plan, and fill an empty store with demo data. True if demo was loaded.
    The warning rules are not evaluated here (40 s on the demo data): the web server does it in
    the background (catch_up), after the first page is up."""
    store.init()
    # After the upgrade to 0007 the 12345 daily aggregate is counted here once, not on a leader's page.
    hotline_daily.ensure(store)
    if store.cfg.demo_on_empty and store.count(s.upload_batches) == 0:
        log.info("empty store: loading demo data")
        load_demo(store, progress=progress, evaluate=False)
        return True
    return False
