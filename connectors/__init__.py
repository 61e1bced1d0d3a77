"""Sources of data. Each kind of source is one module behind `base.Connector`."""
from . import cap, demo, file, folder, http, sql  # noqa: F401  (each registers its kind)
from .base import Connector, Dataset, File, Option, SourceError, connector_class, registry  # noqa: F401
