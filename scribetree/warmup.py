"""Pay a web process's one-off costs before it serves anyone.

A new gunicorn worker (at start, and each time --max-requests recycles one) used to meet them on its
first requests: importing every view module through the URLconfs, building the URL resolvers, and
compiling the templates into the cached loader: ~0.5 s of one request, then more on the next few
(`bench/profile_request.py --cold 8`). Under load, requests queued behind that worker waited 1-2 s
(bench/coursework_load.py's worst rounds). With gunicorn --preload (the README's production
command) this runs once in the master and every forked worker inherits the result; without it,
each worker runs it before it accepts a connection.

Nothing here touches the database or the cache (a connection opened before the fork would be
shared by every worker).

Then `freeze_heap`: the ~200,000 objects a set-up process holds (modules, URL patterns, compiled
templates, model metadata) live as long as it does, yet Python's cyclic garbage collector walks all
of them in each full collection: ~120 ms, inside whichever request triggered it, every few hundred
requests -- the slowest requests of the load bench. `gc.freeze()` moves them out of the collector's
sight (Python's documented use: before forking, so the children also stop touching -- and
copying -- those pages). A full collection then walks only what requests left behind.
"""

import gc
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def warm_up():
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        resolver = get_resolver(urlconf)
        resolver.reverse_dict  # noqa: B018 - imports every view and builds the lookup tables
    compiled = 0
    ours = Path(settings.BASE_DIR).resolve()
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            folder = Path(folder).resolve()
            if not folder.is_relative_to(ours) or "site-packages" in folder.parts:
                continue  # our own templates (and our overrides of allauth's), not all of admin's
            for path in sorted(Path(folder).rglob("*.html")):
                try:
                    engine.get_template(path.relative_to(folder).as_posix())
                    compiled += 1
                except TemplateSyntaxError:
                    logger.exception("Template %s does not compile", path)
    return compiled


def freeze_heap():
    """Exempt everything alive now from the cyclic collector; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
