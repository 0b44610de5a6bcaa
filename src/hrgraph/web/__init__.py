"""hrgraph on the web: a SPARQL endpoint, linked-data pages, a saved-query API and pages for people.

The web layer is a view over the library (:mod:`hrgraph.query`, :mod:`hrgraph.validate`,
:mod:`hrgraph.sources`); it computes nothing the library cannot. Build the app with
:func:`create_app` and serve it with any ASGI server (``hrgraph serve`` uses uvicorn).
"""

from hrgraph.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
