"""Open data as outside tools read it: the licence, absolute addresses, data packages, the DCAT catalogue.

Every dataset the portal publishes (report versions, school-goods prices) is under CC BY 4.0,
the usual licence of government open data: anyone may reuse it, citing the portal. Addresses in
data packages and the catalogue are absolute: ``PUBLIC_URL`` (the site's public origin) when set,
else the host of the request; outside a request (the CLI, demo data) they stay paths, and a
package stored so is completed when it is served (``portal/reports/publish.py``).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("opendata", __name__)


from . import routes, tables  # noqa: E402,F401
