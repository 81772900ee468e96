"""glibc's malloc set up for a serving worker, whose large numpy arrays come and go.

numpy allocates its arrays with malloc. glibc gives a block above a threshold a mapping of
its own, returned to the system when freed, but it raises that threshold to the size of each
such block freed, up to 32 MiB. After the first build in a worker, then, the similarity
index, the in-memory counts and every build's temporaries came from the heap, which keeps
what is freed in it: at 100,000 initiatives some 80 MiB more of each worker was resident. A
fixed threshold keeps every array of a mebibyte or more in a mapping of its own.

A build that reads the whole register also leaves freed memory inside the heap, which glibc
gives back only from its top: `give_back()` returns the free pages wherever they are (15 of
the 34 MiB that reading the in-memory counts added to a worker at 100,000 initiatives).

Set where the app is served (`wsgi.py`), and only where the C library is glibc: elsewhere
nothing changes.
"""

from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
MMAP_THRESHOLD = 2**20  # bytes from which a block gets a mapping of its own


def _glibc() -> ctypes.CDLL | None:
    return ctypes.CDLL(None) if platform.libc_ver()[0] == "glibc" else None


def keep_large_blocks_apart() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD; False where it could not be set."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def give_back() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim), after a build."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
