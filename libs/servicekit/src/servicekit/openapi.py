"""Writes each service's OpenAPI document to docs/openapi/, or checks the committed ones."""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import sys
from pathlib import Path

from servicekit.app import create_app

SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")


def render(name: str) -> str:
    service = importlib.import_module(f"{name}_service.bootstrap").service
    document = create_app(service).openapi()
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("docs/openapi"))
    args = parser.parse_args()
    stale = []
    for name in SERVICES:
        path = args.out / f"{name}.json"
        text = render(name)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            old = path.read_text().splitlines() if path.exists() else []
            diff = difflib.unified_diff(old, text.splitlines(), str(path), "generated", lineterm="")
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            stale.append(str(path))
    if stale:
        sys.exit(f"OpenAPI documents out of date (run `make openapi`): {', '.join(stale)}")


if __name__ == "__main__":
    main()
