"""A Kafka connection handed to a subprocess through the environment comes back the same."""

from __future__ import annotations

import dataclasses

import pytest
from servicekit.kafka import KafkaConnection

SIGNED_IN = KafkaConnection(
    "broker:9092",
    "SASL_SSL",
    username="scheduling",
    password="dev-only-kafka-scheduling-password",
    ca_file="/run/tls/ca.crt",
)


@pytest.mark.parametrize("connection", [SIGNED_IN, KafkaConnection("broker:9092")])
def test_a_connection_written_to_the_environment_is_read_back_unchanged(monkeypatch, connection):
    for name, value in connection.environment("TEST_").items():
        monkeypatch.setenv(name, value)
    assert KafkaConnection.from_env("TEST_") == connection


def test_the_password_never_shows_in_a_connections_repr():
    assert "dev-only-kafka-scheduling-password" not in repr(SIGNED_IN)


def test_a_sasl_ssl_connection_verifies_the_brokers_certificate_and_name_and_signs_in():
    # No CA file here (a unit test reads no files): the system's CAs; verification is the same.
    options = dataclasses.replace(SIGNED_IN, ca_file=None).client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["ssl_context"].verify_mode.name == "CERT_REQUIRED"
    assert options["ssl_context"].check_hostname
    assert (options["sasl_mechanism"], options["sasl_plain_username"]) == (
        "SCRAM-SHA-512",
        "scheduling",
    )
