"""glibc's malloc set up for a serving worker, whose large numpy arrays come and go.

numpy allocates its arrays with malloc. glibc gives a block above a threshold a mapping of
its own, returned to the system when freed, but it raises that threshold to the size of each
such block freed, up to 32 MiB. After the first build in a worker, then, the similarity
index, the in-memory counts and every build's temporaries came from the heap, which keeps
what is freed in it: at 100,000 initiatives some 80 MiB more of each worker was resident. A
fixed threshold keeps every array of a mebibyte or more in a mapping of its own.

Done where the app is served (`wsgi.py`), and only where the C library is glibc: elsewhere
nothing changes.
"""

from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
MMAP_THRESHOLD = 2**20  # bytes from which a block gets a mapping of its own


def keep_large_blocks_apart() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD; False where it could not be set."""
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
