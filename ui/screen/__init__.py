"""The wall display (大屏): `?screen=1` on the overview and each decision page. See shell.py."""
from .shell import outage, requested, run

__all__ = ["outage", "requested", "run"]
