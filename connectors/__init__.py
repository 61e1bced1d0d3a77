"""Sources of data. Each kind of source is one module behind `base.Connector`."""
from .base import Connector, Dataset, Option, connector_class, registry  # noqa: F401
from . import demo  # noqa: F401  (registers the demo kind)
