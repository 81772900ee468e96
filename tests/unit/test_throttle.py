"""The growing delays of sign-in throttling (kommunkarta.auth.throttle)."""

import pytest

from kommunkarta.auth import throttle


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (3, 0), (4, 2), (5, 4), (6, 8), (12, 512), (13, 900), (1000, 900)],
)
def test_the_wait_doubles_after_the_free_failures_up_to_a_ceiling(failures, seconds):
    assert throttle.delay(failures) == seconds
