"""The registry of demo-data loaders: each area's ``demo.py`` adds its loader with ``@demo_loader``.

Apart from ``portal/cli.py`` (which runs them) and ``portal/demo.py`` (which imports every area's
loader in order), so an area's demo module never imports the command line that imports it.
"""

from __future__ import annotations

# Functions that add demo rows idempotently and return a count, in the order portal/demo.py imports them.
DEMO_LOADERS = []


def demo_loader(func):
    DEMO_LOADERS.append(func)
    return func
