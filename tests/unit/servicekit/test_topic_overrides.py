"""The overrides sent to reconfigure a topic: its own ones kept, ours over them."""

from __future__ import annotations

import pytest
from servicekit.topics import merged


def test_the_topic_s_own_overrides_are_kept_and_ours_win_where_both_set_one() -> None:
    described = {
        "segment.ms": ("7200000", True),
        "retention.ms": ("3600000", True),
        "min.insync.replicas": ("1", False),  # a broker default: not sent
    }

    sent = merged(described, {"retention.ms": "1209600000", "cleanup.policy": "delete"})

    assert sent == {
        "segment.ms": "7200000",
        "retention.ms": "1209600000",
        "cleanup.policy": "delete",
    }


def test_an_override_whose_value_cannot_be_read_back_is_not_wiped_silently() -> None:
    described = {"some.secret": (None, True)}

    with pytest.raises(RuntimeError, match=r"some\.secret"):
        merged(described, {"retention.ms": "1"})
