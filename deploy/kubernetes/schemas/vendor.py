"""Vendors the JSON schemas that kubeconform validates the rendered overlays against.

Two sources, each written in kubeconform's layout (deploy/kubernetes/schemas/README.md):

  kubernetes  Kubernetes' own kinds, from a `vN.N.N-local-strict` folder of JSON schemas (the
              one PyPI's kubernetes-validate ships: a file per kind whose `$ref`s point into
              `_definitions.json`). Only the kinds named are kept, each made standalone (its
              `$ref`s inlined) and stripped of descriptions, into
              kubernetes/vN.N.N-standalone-strict/.
  crd         CustomResourceDefinition YAML files (the operators' own, at their release tag):
              each served version's openAPIV3Schema, made strict (an object that lists its
              properties and says nothing of others refuses unknown fields, as the API server's
              strict field validation does) and `nullable` turned into JSON Schema, into
              <group>/<kind>_<version>.json.

    python deploy/kubernetes/schemas/vendor.py kubernetes <dir>/v1.35.0-local-strict \
        ConfigMap:v1 Deployment:apps/v1 ...
    python deploy/kubernetes/schemas/vendor.py crd <file.yaml> ... [--only Kafka,KafkaTopic]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

SCHEMAS = Path(__file__).resolve().parent


def write(path: Path, schema: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(SCHEMAS)}")


def kind_file(kind: str, api_version: str) -> str:
    """kubeconform's file name for a kind: deployment-apps-v1.json, service-v1.json."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix.lower()}.json"


# The keys whose value maps field names to schemas (a field may be called "description").
MAPS = ("properties", "patternProperties", "definitions", "$defs")
# The keys whose value is data, not a schema.
DATA = ("enum", "required", "default", "example")


def walk(node: Any, each: Any) -> Any:
    """`node`, a schema, with `each` applied to it and to every schema inside it, bottom up."""
    if isinstance(node, list):
        return [walk(item, each) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description":
            continue
        if key in MAPS and isinstance(value, dict):
            out[key] = {name: walk(schema, each) for name, schema in value.items()}
        elif key in DATA:
            out[key] = value
        else:
            out[key] = walk(value, each)
    return each(out)


def inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """`node` with every `$ref` into the definitions replaced by its target, no descriptions."""

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" not in schema:
            return schema
        name = schema["$ref"].rpartition("/")[2]
        if name in seen:
            raise SystemExit(f"recursive definition {name}: cannot be made standalone")
        resolved: dict[str, Any] = inline(definitions[name], definitions, (*seen, name))
        return resolved

    return walk(node, resolve)


def vendor_kubernetes(source: Path, kinds: list[str]) -> None:
    version = source.name.removesuffix("-local-strict")
    if version == source.name:
        raise SystemExit(f"{source}: expected a vN.N.N-local-strict folder")
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = SCHEMAS / "kubernetes" / f"{version}-standalone-strict"
    for spec in kinds:
        kind, _, api_version = spec.partition(":")
        name = kind_file(kind, api_version)
        write(target / name, inline(json.loads((source / name).read_text()), definitions))


def strict(node: Any) -> Any:
    """The CRD schema as kubeconform -strict should see it (openapi2jsonschema's rules)."""

    def tighten(schema: dict[str, Any]) -> dict[str, Any]:
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        if schema.pop("nullable", False) and isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
        return schema

    return walk(node, tighten)


def vendor_crds(files: list[Path], only: set[str] | None) -> None:
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            kind = spec["names"]["kind"]
            if only is not None and kind not in only:
                continue
            for version in spec["versions"]:
                if not version.get("served", True):
                    continue
                schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
                name = f"{kind.lower()}_{version['name']}.json"
                write(SCHEMAS / spec["group"] / name, strict(schema))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="source", required=True)
    k8s = sub.add_parser("kubernetes")
    k8s.add_argument("folder", type=Path)
    k8s.add_argument("kinds", nargs="+", help="Kind:apiVersion, e.g. Deployment:apps/v1")
    crd = sub.add_parser("crd")
    crd.add_argument("files", nargs="+", type=Path)
    crd.add_argument("--only", help="comma-separated kinds to keep")
    args = parser.parse_args(argv)
    if args.source == "kubernetes":
        vendor_kubernetes(args.folder, args.kinds)
    else:
        vendor_crds(args.files, set(args.only.split(",")) if args.only else None)


if __name__ == "__main__":
    main(sys.argv[1:])
