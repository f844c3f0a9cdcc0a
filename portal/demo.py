"""Imports every area's demo-data loader, in the order they depend on each other."""

from .regions import demo as regions_demo  # noqa: F401
from .staff import demo as staff_demo  # noqa: F401
