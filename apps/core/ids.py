"""Identifiers: time-ordered UUIDs for rows that many writers append to."""

from __future__ import annotations

import os
import time
import uuid

_new, _set = object.__new__, object.__setattr__


def uuid7() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random
    bits. Keys made one after the other sort one after the other, so a new row's primary
    key (and every index holding it or its text) goes to the right edge of the B-tree:
    the same few pages stay in memory and in the WAL, where a random uuid4 touches a
    random page of a million-entry index per insert (a read, often a full-page image in
    the WAL). The random part keeps them unguessable and distinct across processes."""
    rand = int.from_bytes(os.urandom(10))  # 80 bits: 12 for rand_a, 62 for rand_b
    value = (
        (time.time_ns() // 1_000_000) << 80
        | 0x7 << 76  # version
        | (rand >> 68) << 64  # rand_a: 12 bits
        | 0b10 << 62  # variant (RFC 9562)
        | rand & ((1 << 62) - 1)  # rand_b: 62 bits
    )
    # what uuid.UUID(int=value) stores, without its range check (in range by construction)
    made = _new(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", uuid.SafeUUID.unknown)
    return made
