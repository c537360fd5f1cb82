"""The files generated from the contracts under `docs/`, and writing or checking them on disk."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from contracts.registry import EVENTS
from contracts.schemas import event_schema_document, schema_path

ASYNCAPI_FILE = "asyncapi.yaml"
EVENTS_DIR = "events"
SCHEMA_GLOB = "*/*.schema.json"
_DIFF_LINES_PER_FILE = 40


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so descriptions read as they were written."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def as_yaml(document: Mapping[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def as_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected_files(asyncapi_document: Mapping[str, Any]) -> dict[str, str]:
    """Path relative to `docs/` -> content, for the AsyncAPI document and every event schema."""
    files = {ASYNCAPI_FILE: as_yaml(asyncapi_document)}
    for event_class in EVENTS.values():
        files[f"{EVENTS_DIR}/{schema_path(event_class)}"] = as_json(
            event_schema_document(event_class)
        )
    return files


def _present(docs: Path) -> set[str]:
    schemas = {p.relative_to(docs).as_posix() for p in (docs / EVENTS_DIR).glob(SCHEMA_GLOB)}
    return schemas | ({ASYNCAPI_FILE} if (docs / ASYNCAPI_FILE).is_file() else set())


def write(docs: Path, files: Mapping[str, str]) -> Iterator[str]:
    """Writes what changed and removes stale schemas; yields one line per file touched."""
    for stale in sorted(_present(docs) - set(files)):
        (docs / stale).unlink()
        yield f"removed {docs / stale}"
    for relative, content in sorted(files.items()):
        path = docs / relative
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        yield f"wrote {path}"


def check(docs: Path, files: Mapping[str, str]) -> str:
    """What differs between `docs` and `files`, as a summary with diffs; empty when equal."""
    present = _present(docs)
    lines = [f"missing: {docs / p}" for p in sorted(set(files) - present)]
    lines += [f"extra (no such event): {docs / p}" for p in sorted(present - set(files))]
    for relative in sorted(present & set(files)):
        actual = (docs / relative).read_text(encoding="utf-8")
        if actual != files[relative]:
            lines.append(f"differs: {docs / relative}")
            lines += _diff(actual, files[relative], relative)
    return "\n".join(lines)


def _diff(actual: str, expected: str, name: str) -> list[str]:
    diff = list(
        difflib.unified_diff(
            actual.splitlines(),
            expected.splitlines(),
            f"committed/{name}",
            f"generated/{name}",
            lineterm="",
        )
    )
    hidden = len(diff) - _DIFF_LINES_PER_FILE
    return diff[:_DIFF_LINES_PER_FILE] + ([f"... {hidden} more diff lines"] if hidden > 0 else [])
