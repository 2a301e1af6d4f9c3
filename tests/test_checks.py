from normalise.checks import drift_problem

KW = dict(min_listings_ratio=0.5, max_unreadable_share=0.2)


def test_a_healthy_result_passes():
    assert drift_problem(84, 0, 84, **KW) is None
    assert drift_problem(42, 0, 84, **KW) is None  # exactly half is still fine
    assert drift_problem(80, 20, None, **KW) is None  # exactly 20 % unreadable is still fine


def test_drift_is_named():
    assert "no listings" in drift_problem(0, 3, 84, **KW)
    assert "21 of 100 blocks could not be read (more than 20%)" in drift_problem(79, 21, None, **KW)
    assert "41 listings, fewer than 50% of the 84 of the last good run" in drift_problem(41, 0, 84, **KW)
