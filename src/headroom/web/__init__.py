"""The web dashboard: server-rendered pages with inline SVG charts, no JavaScript framework.

``headroom.web.routes.router`` goes into ``create_app(..., routers=[...])``; the pages read
the same use cases as the API (``service/dashboard.py``, ``service/charts.py``) and the
charts are drawn by ``web/svg.py``. Everything the pages need is served from the package:
nothing is fetched from a CDN or the internet.
"""

from headroom.web.routes import router

__all__ = ["router"]
