"""The Kubernetes manifests as the cluster would receive them: each overlay rendered by kustomize."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "pilot", "production")


def kustomize_command() -> list[str]:
    """The kustomize to run: $KUSTOMIZE, else the project's pinned one, else kubectl's."""
    if explicit := os.environ.get("KUSTOMIZE"):
        return [explicit, "build"]
    pinned = ROOT / ".run" / "tools" / "bin" / "kustomize"
    if pinned.exists():
        return [str(pinned), "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    raise RuntimeError("no kustomize: run `make install`")


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
