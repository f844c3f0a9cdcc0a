"""Imports every area's demo-data loader, in the order they depend on each other."""

from .regions import demo as regions_demo  # noqa: F401
from .campaigns import demo as campaigns_demo  # noqa: F401
from .staff import demo as staff_demo  # noqa: F401
from .news import demo as news_demo  # noqa: F401
from .fairs import demo as fairs_demo  # noqa: F401
from .offers import demo as offers_demo  # noqa: F401
from .needs import demo as needs_demo  # noqa: F401
from .reports import demo as reports_demo  # noqa: F401
from .prices import demo as prices_demo  # noqa: F401
from .appeals import demo as appeals_demo  # noqa: F401
from .queue import demo as queue_demo  # noqa: F401
