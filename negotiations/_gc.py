"""Pausing Python's cyclic garbage collector while a long history is built."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the length of the block, then restore it.

    Loading builds hundreds of thousands of small objects that hold no cycles. The
    collector would walk them again and again as they accumulate (a 100,000-event
    load takes about twice as long with it running) and could free nothing. This is
    what Mercurial's ``util.nogc`` does for the same reason. Reference counting still
    frees everything as usual; only the search for cycles waits. If the collector was
    already off, it is left off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
