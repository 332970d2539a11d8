"""How far behind a replica is, from the primary's polled WAL positions."""

from app.replicas import _History


def test_a_replica_that_has_replayed_everything_has_no_lag() -> None:
    history = _History()
    history.add(10.0, 100, keep_s=5)
    history.add(10.1, 200, keep_s=5)
    assert history.lag_ms(200, now=10.2) == 0.0
    assert history.lag_ms(250, now=10.2) == 0.0


def test_lag_is_the_time_since_the_primary_first_had_unreplayed_wal() -> None:
    history = _History()
    for n in range(10):
        history.add(10.0 + n / 10, 100 + n, keep_s=5)
    assert round(history.lag_ms(104, now=11.0)) == 500
    assert round(history.lag_ms(99, now=11.0)) == 1000


def test_an_idle_primary_means_no_lag_however_long_ago_it_wrote() -> None:
    history = _History()
    history.add(10.0, 100, keep_s=5)
    for n in range(100):
        history.add(10.0 + n, 100, keep_s=5)
    assert history.lag_ms(100, now=110.0) == 0.0


def test_a_stuck_replica_stays_far_behind_when_old_positions_are_dropped() -> None:
    history = _History()
    history.add(0.0, 100, keep_s=5)
    for n in range(1, 200):
        history.add(n / 10, 100 + n, keep_s=5)
    assert len(history.samples) < 100
    # Stuck before every position still kept: behind by at least the time kept.
    assert history.lag_ms(50, now=20.0) >= 5000


def test_a_replica_missing_a_write_made_before_a_quiet_spell_is_behind_since_then() -> None:
    history = _History()
    history.add(0.0, 100, keep_s=5)
    for n in range(1, 100):  # ten quiet seconds
        history.add(n / 10, 100, keep_s=5)
    history.add(10.0, 200, keep_s=5)
    assert round(history.lag_ms(50, now=10.1)) == 10100
    assert round(history.lag_ms(150, now=10.1)) == 100
