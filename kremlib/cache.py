"""The shared cache (Redis when REDIS_URL is set, so every app server sees the same values; local memory on one
machine) for what is costly to count and the same for everyone: aggregates such as the home page's figures.

Every key carries a version number kept in the cache itself. A change to a model the figures are counted from
bumps the version (`invalidate_on_change`), so every server's next read misses and counts afresh: no server
keeps serving an old figure, and nothing has to know which keys exist.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "krem:aggregates:version"
TIMEOUT = 300  # seconds; also bounds how stale a figure that depends on the clock (dialogues held by now) can be


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def cached(key_parts, compute, timeout=TIMEOUT):
    """compute(), kept in the shared cache under `key_parts` until the data it counts from changes.

    A cache that does not answer (Redis down) costs the computation, never the page."""
    try:
        key = "krem:aggregates:" + ":".join(str(part) for part in key_parts) + f":v{current_version()}"
        value = cache.get(key)
    except Exception:  # any backend's connection error
        logger.warning("cache unavailable; computing %s", key_parts, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("cache unavailable; not keeping %s", key_parts, exc_info=True)
    return value


def invalidate():
    """Every cached aggregate is stale from now on, on every server."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any new one differs from the keys in use only if it is new
        cache.add(VERSION_KEY, 2, timeout=None)
    except Exception:
        logger.warning("cache unavailable; aggregates not invalidated", exc_info=True)


def _changed(sender, **kwargs):
    # Now, and again when the transaction commits: a server counting between the two would otherwise keep the
    # figures from before the change under the new version.
    invalidate()
    transaction.on_commit(invalidate)


def invalidate_on_change(*models):
    """Bump the version whenever a row of these models (or of their many-to-many tables) is saved or deleted."""
    for model in models:
        uid = f"krem-cache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
