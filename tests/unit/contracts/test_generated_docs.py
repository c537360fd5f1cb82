"""docs/asyncapi.yaml and docs/events/ are generated from the models and kept in step with them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from contracts import EVENTS, parse_envelope
from contracts.asyncapi import DLQ_HEADERS, build_document, main, message_id
from contracts.dataflow import CONSUMERS, PRODUCERS, SERVICES
from contracts.examples import EXAMPLES
from contracts.generated_docs import ASYNCAPI_FILE, check, expected_files, write
from contracts.schemas import event_schema_document
from contracts.topics import ALL_TOPICS

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.fixture(scope="module")
def document():
    return build_document()


@pytest.fixture(scope="module")
def files(document):
    return expected_files(document)


def _walk(node, path=""):
    """Every (path, mapping) in a JSON-like tree."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def _resolve(document, ref):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_asyncapi_document_matches_models(files):
    assert check(DOCS, files) == "", "run: .venv/bin/python -m contracts.asyncapi --write"


def test_generation_is_deterministic(files):
    assert expected_files(build_document()) == files


def test_check_reports_missing_extra_and_changed_files(tmp_path, files):
    list(write(tmp_path, files))
    schema = next(name for name in files if name.endswith(".schema.json"))
    (tmp_path / schema).unlink()
    (tmp_path / "events" / "auth.users.v1" / "UserTeleported.v1.schema.json").write_text("{}")
    (tmp_path / ASYNCAPI_FILE).write_text(files[ASYNCAPI_FILE].replace("3.0.0", "2.6.0"))

    report = check(tmp_path, files)

    assert f"missing: {tmp_path / schema}" in report
    assert "extra (no such event): " in report and "UserTeleported.v1.schema.json" in report
    assert f"differs: {tmp_path / ASYNCAPI_FILE}" in report
    assert "-asyncapi: 2.6.0\n+asyncapi: 3.0.0" in report


def test_write_makes_the_docs_match_and_removes_stale_schemas(tmp_path, files):
    stale = tmp_path / "events" / "auth.users.v1" / "UserTeleported.v1.schema.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")

    list(write(tmp_path, files))

    assert not stale.exists()
    assert check(tmp_path, files) == ""
    assert list(write(tmp_path, files)) == []


def test_check_command_exits_non_zero_when_docs_are_stale(tmp_path, capsys):
    assert main(["--check", "--docs", str(tmp_path)]) == 1
    assert "missing:" in capsys.readouterr().err
    assert main(["--write", "--docs", str(tmp_path)]) == 0
    assert main(["--check", "--docs", str(tmp_path)]) == 0


def test_document_is_asyncapi_3_and_reads_back_as_yaml(document, files):
    assert yaml.safe_load(files[ASYNCAPI_FILE]) == document
    assert document["asyncapi"] == "3.0.0"


def test_every_reference_in_the_document_resolves(document):
    refs = [node["$ref"] for _, node in _walk(document) if "$ref" in node]
    assert refs
    for ref in refs:
        assert _resolve(document, ref) is not None, ref


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=str)
def test_every_topic_has_a_channel_with_its_events_and_a_dlq(document, topic):
    channel = document["channels"][topic.name]
    assert channel["address"] == topic.name
    assert channel["bindings"]["kafka"]["partitions"] == topic.partitions
    assert set(channel["messages"]) == {
        message_id(cls) for cls in EVENTS.values() if cls.topic == topic
    }
    assert document["channels"][topic.dlq]["address"] == topic.dlq


def test_compacted_topics_say_so(document):
    for topic in ALL_TOPICS:
        policy = document["channels"][topic.name]["bindings"]["kafka"]["topicConfiguration"]
        assert policy["cleanup.policy"] == ["compact" if topic.compacted else "delete"]


def test_operations_follow_who_produces_and_consumes_each_topic(document):
    operations = document["operations"]
    assert operations["scheduling.send.scheduling.surgeries.v1"]["action"] == "send"
    assert (
        operations["optimizer.receive.scheduling.optimization-requests.v1"]["action"] == "receive"
    )
    assert operations["scheduling.send.optimizer.schedules.v1.dlq"]["action"] == "send"
    assert {f"{s}.send.audit.events.v1" for s in SERVICES} <= set(operations)
    expected = sum(len(PRODUCERS[t.name]) + 2 * len(CONSUMERS[t.name]) for t in ALL_TOPICS)
    assert len(operations) == expected


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_messages_declare_headers_key_and_an_example_that_parses(document, cls):
    message = document["components"]["messages"][message_id(cls)]
    assert message["headers"]["required"] == ["event_type", "event_id"]
    assert message["headers"]["properties"]["event_type"]["const"] == cls.event_type
    assert cls.key_field in message["bindings"]["kafka"]["key"]["description"]
    payload = message["examples"][0]["payload"]
    _, event = parse_envelope(json.dumps(payload).encode())
    assert event == EXAMPLES[cls]


def test_dead_letters_carry_the_error_in_headers(document):
    headers = document["components"]["messages"]["DeadLetter"]["headers"]
    assert set(headers["required"]) == set(DLQ_HEADERS)
    assert set(DLQ_HEADERS) == {
        "dlq-error-type",
        "dlq-error-message",
        "dlq-original-topic",
        "dlq-original-partition",
        "dlq-original-offset",
        "dlq-attempts",
        "dlq-consumer-group",
    }


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_schema_file_is_the_envelope_with_the_event_as_data(cls):
    schema = event_schema_document(cls)
    assert schema["properties"]["event_type"]["const"] == cls.event_type
    assert schema["properties"]["event_version"]["const"] == cls.event_version
    assert _resolve(schema, schema["properties"]["data"]["$ref"])["title"] == cls.__name__
    assert set(schema["required"]) >= {"event_id", "event_type", "event_version", "data"}


def test_published_schemas_tolerate_properties_added_later(document, files):
    documents = [document, *(yaml.safe_load(text) for text in files.values())]
    for doc in documents:
        assert not [p for p, node in _walk(doc) if node.get("additionalProperties") is False]


def test_array_limits_are_published_as_item_counts(document):
    for path, node in _walk(document["components"]["schemas"]):
        if node.get("type") == "array":
            assert "minLength" not in node and "maxLength" not in node, path
