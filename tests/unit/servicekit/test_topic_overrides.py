"""The overrides sent to reconfigure a topic: its own ones kept, ours over them."""

from __future__ import annotations

import pytest
from servicekit.topics import described_configs, merged


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


def test_a_topic_the_broker_failed_to_describe_is_an_error_not_a_topic_without_overrides() -> None:
    resources = [(29, "Topic authorization failed.", 2, "surgeries.v1", [])]

    with pytest.raises(RuntimeError, match=r"surgeries\.v1.*29"):
        described_configs(1, resources)


def test_with_protocol_v0_a_non_default_value_besides_ours_refuses_the_merge() -> None:
    # v0 entries: name, value, read_only, is_default, is_sensitive. A broker's static
    # `segment.ms` and a topic's own look alike here.
    resources = [(0, None, 2, "t", [("segment.ms", "7200000", False, False, False)])]
    described = described_configs(0, resources)["t"]

    with pytest.raises(RuntimeError, match=r"segment\.ms"):
        merged(described, {"retention.ms": "1"})


def test_with_protocol_v0_ours_alone_are_set_when_nothing_else_differs_from_the_default() -> None:
    entries = [
        ("retention.ms", "3600000", False, False, False),
        ("min.insync.replicas", "1", False, True, False),
    ]
    described = described_configs(0, [(0, None, 2, "t", entries)])["t"]

    assert merged(described, {"retention.ms": "1"}) == {"retention.ms": "1"}
