"""The served app's malloc setting (services.heap), in a process of its own: it lasts for the
process."""

import json
import platform
import subprocess
import sys

import pytest

PROGRAM = """
import ctypes, json, sys
import numpy as np
from kommunkarta.services import heap

class Info(ctypes.Structure):
    names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
    _fields_ = [(name, ctypes.c_size_t) for name in names.split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "set":
    assert heap.keep_large_blocks_apart()
np.ones(16 * 2**20, dtype=np.uint8).sum()  # freed at once: glibc alone would raise its threshold
before = libc.mallinfo2().hblkhd
block = np.ones(4 * 2**20, dtype=np.uint8)
print(json.dumps(libc.mallinfo2().hblkhd - before >= block.nbytes))
"""


def mapped_apart(how):
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, how], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc setting")
def test_a_large_array_keeps_a_mapping_of_its_own_after_a_larger_one_was_freed():
    assert mapped_apart("unset") is False  # what the setting is for
    assert mapped_apart("set") is True


GIVING_BACK = """
import json
from pathlib import Path
from kommunkarta.services import heap

def resident():
    status = Path("/proc/self/status").read_text().split("VmRSS:")[1]
    return int(status.split()[0]) * 1024

blocks = [bytearray(1024) for _ in range(40_000)]  # 40 MiB of the heap
above = bytearray(1024)  # keeps the heap's top in use: glibc alone returns nothing below it
del blocks
before = resident()
heap.give_back()
print(json.dumps(before - resident()))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc setting")
def test_the_free_pages_inside_the_heap_are_given_back():
    done = subprocess.run(
        [sys.executable, "-c", GIVING_BACK], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) > 20 * 2**20
