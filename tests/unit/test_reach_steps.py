"""The reach's search intervals (docs/reach.md#coarse-search): the narrow step around 0 and the nearest placed
delays, the wide step over the rest of ±reach."""

from __future__ import annotations

from vsg_core.analysis.coarse import search_delays


def test_narrow_step_around_0_and_a_neighbour_delay() -> None:
    assert search_delays([0.0], 120.0, 600.0) == [(-120.0, 120.0)]
    # a second ad break is searched around the delay after the first; overlapping intervals merge
    assert search_delays([0.0, -200.0], 120.0, 600.0) == [(-320.0, 120.0)]
    assert search_delays([0.0, 400.0], 120.0, 600.0) == [(-120.0, 120.0), (280.0, 520.0)]


def test_intervals_stay_within_the_reach() -> None:
    assert search_delays([0.0], 120.0, 20.0) == [(-20.0, 20.0)]
    assert search_delays([0.0, 550.0], 120.0, 600.0) == [(-120.0, 120.0), (430.0, 600.0)]


def test_wide_step_is_the_rest_of_the_reach() -> None:
    narrow = search_delays([0.0, 300.0], 120.0, 600.0)
    assert search_delays([0.0], 600.0, 600.0, narrow) == [(-600.0, -120.0), (120.0, 180.0), (420.0, 600.0)]
    assert search_delays([0.0], 600.0, 600.0, [(-600.0, 600.0)]) == []
