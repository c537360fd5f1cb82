"""The Kubernetes manifests as a cluster would receive them: each overlay rendered by kustomize,
and kubeconform's verdict on them against the vendored schemas (deploy/kubernetes/schemas)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "pilot", "production")
TOOLS = ROOT / ".run" / "tools" / "bin"
SCHEMAS = KUBERNETES / "schemas"
# The Kubernetes version validated for: schemas/kubernetes/v<it>-standalone-strict.
KUBERNETES_VERSION = "1.35.0"


def tool(name: str) -> str:
    """The pinned `name` that deploy/local/k8s-tools.sh built, or $<NAME> when set.

    Never one found on the PATH (a kubectl on this machine is not on a fresh one): a missing
    install step must fail here, not pass on a tool that happens to be around.
    """
    if explicit := os.environ.get(name.upper()):
        return explicit
    pinned = TOOLS / name
    if not pinned.exists():
        raise RuntimeError(f"no {pinned}: run `make install` (deploy/local/k8s-tools.sh)")
    return str(pinned)


def kustomize_command() -> list[str]:
    """The kustomize to run: $KUSTOMIZE, else the project's pinned one."""
    return [tool("kustomize"), "build"]


@functools.cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    """Every object of `overlay`, in kustomize's order."""
    out = subprocess.run(
        [*kustomize_command(), str(KUBERNETES / "overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def of_kind(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [doc for doc in render(overlay) if doc["kind"] == kind]


def validate(objects: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """kubeconform's verdict on each object, strict, against the vendored schemas only.

    Each result has kind, name, status (statusValid, statusInvalid, statusError) and msg. A kind
    without a vendored schema is an error, not skipped.
    """
    return validate_sets({"objects": objects})["objects"]


def validate_sets(sets: dict[str, Iterable[dict[str, Any]]]) -> dict[str, list[dict[str, str]]]:
    """`validate` for several named sets of objects in one run (each schema compiled once)."""
    with tempfile.TemporaryDirectory(prefix="kubeconform-") as folder:
        files = {}
        for name, objects in sets.items():
            files[name] = Path(folder) / f"{name}.yaml"
            files[name].write_text(yaml.safe_dump_all(list(objects), sort_keys=False))
        out = subprocess.run(
            [
                tool("kubeconform"),
                "-strict",
                "-output=json",
                "-verbose",
                f"-kubernetes-version={KUBERNETES_VERSION}",
                "-schema-location",
                str(SCHEMAS / "kubernetes")
                + "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}"
                + "/{{ .ResourceKind }}{{ .KindSuffix }}.json",
                "-schema-location",
                str(SCHEMAS) + "/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
                *map(str, files.values()),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if not out.stdout.strip():
        raise RuntimeError(f"kubeconform said nothing (exit {out.returncode}): {out.stderr}")
    by_file: dict[str, list[dict[str, str]]] = {str(path): [] for path in files.values()}
    for result in json.loads(out.stdout)["resources"]:
        by_file[result["filename"]].append(result)
    return {name: by_file[str(path)] for name, path in files.items()}
