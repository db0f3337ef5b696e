"""Time-ordered ids (apps/core/ids.uuid7) for the rows many writers append to."""

import time
import uuid

from apps.core.ids import uuid7


def test_a_uuid7_is_a_valid_version_7_uuid_that_starts_with_the_time():
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert uuid.UUID(str(made)) == made
    assert before <= made.int >> 80 <= after


def test_ids_made_a_millisecond_apart_sort_in_the_order_they_were_made():
    made = []
    for _ in range(5):
        made.append(uuid7())
        time.sleep(0.002)
    assert sorted(made) == made
    assert len({u.int & ((1 << 74) - 1) for u in made}) == 5  # random tails differ
