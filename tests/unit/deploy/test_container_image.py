"""The container images as their Dockerfiles build them (no Docker daemon runs here: the files are
read): multi-stage, a numeric non-root user, base images pinned by tag, the web app built in a
Node stage and served by the gateway, no secret in a layer; and the image names that
docker-compose.yml builds are those the Kubernetes manifests run."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.unit.deploy.kube import ROOT, render

DOCKER = ROOT / "deploy" / "docker"
SERVICE = DOCKER / "Dockerfile"
GATEWAY = DOCKER / "gateway.Dockerfile"


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: comments dropped, continued lines joined."""
    logical: list[str] = []
    current = ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") and not current:
            continue
        if line.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    out = []
    for text in logical:
        keyword, _, args = text.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def stages(path: Path) -> list[Stage]:
    """The build stages, each FROM's image with the global ARGs' defaults substituted."""
    defaults: dict[str, str] = {}
    found: list[Stage] = []
    for keyword, args in instructions(path):
        if keyword == "ARG" and not found:
            name, _, value = args.partition("=")
            defaults[name] = value
        elif keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            image = re.sub(r"\$\{(\w+)\}", lambda m: defaults.get(m.group(1), m.group(0)), words[0])
            alias = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(image, alias))
        elif found:
            found[-1].instructions.append((keyword, args))
    return found


@pytest.mark.parametrize("dockerfile", [SERVICE, GATEWAY], ids=["service", "gateway"])
def test_the_image_is_built_in_stages_and_runs_as_a_numeric_non_root_user(dockerfile: Path) -> None:
    built = stages(dockerfile)
    assert len(built) >= 2, "multi-stage: the build tools stay in a stage that is not shipped"
    final = built[-1]
    users = final.all("USER")
    assert users, "the final stage names its user"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0, users[-1]
    assert not gid or (gid.isdigit() and int(gid) != 0), users[-1]
    # What ships is copied from an earlier stage, not built in the final one.
    assert any(copy.startswith("--from=") for copy in final.all("COPY"))


@pytest.mark.parametrize("dockerfile", [SERVICE, GATEWAY], ids=["service", "gateway"])
def test_every_base_image_is_pinned_by_a_version_tag(dockerfile: Path) -> None:
    for stage in stages(dockerfile):
        if stage.image in {s.name for s in stages(dockerfile)}:
            continue  # FROM an earlier stage
        name, _, tag = stage.image.rpartition(":")
        assert name and "$" not in stage.image, f"{stage.image}: unpinned"
        assert tag != "latest" and re.search(r"\d", tag), f"{stage.image}: not a version tag"


def test_the_gateway_image_serves_the_web_app_built_in_a_node_stage() -> None:
    built = stages(GATEWAY)
    [web] = [s for s in built if s.image.startswith("node:")]
    runs = " && ".join(web.all("RUN"))
    assert "npm ci" in runs and "npm run build" in runs
    final = built[-1]
    assert final.image.startswith("nginx:")
    assert f"--from={web.name} /src/web/dist /usr/share/nginx/html" in final.all("COPY")


def test_the_service_image_checks_its_health_and_fails_on_an_unknown_service() -> None:
    [build, runtime] = stages(SERVICE)
    [check] = runtime.all("HEALTHCHECK")
    # The exec form is a JSON array: anything else Docker would run through a shell instead.
    command = json.loads(check.partition("CMD ")[2])
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2]
    assert any("auth|resources|scheduling|optimizer|interop" in run for run in build.all("RUN"))


SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|_KEY\b|CREDENTIAL", re.IGNORECASE)


@pytest.mark.parametrize("dockerfile", [SERVICE, GATEWAY], ids=["service", "gateway"])
def test_no_secret_is_built_into_a_layer(dockerfile: Path) -> None:
    for stage in stages(dockerfile):
        for keyword, args in stage.instructions:
            if keyword in {"ENV", "ARG", "LABEL"}:
                assert not SECRET_NAME.search(args), f"{keyword} {args}"
            if keyword in {"COPY", "ADD"}:
                assert ".run" not in args and ".key" not in args and ".env" not in args, args
    # The build context leaves the local state (keys, databases) and the venvs out.
    ignored = (DOCKER / f"{dockerfile.name}.dockerignore").read_text().splitlines()
    assert "**/.run" in ignored or "**" in ignored


def test_compose_builds_the_images_that_the_kubernetes_manifests_run() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    built = {
        spec["image"].rpartition(":")[0] for spec in compose["services"].values() if "build" in spec
    }
    run = {
        container["image"].rpartition(":")[0]
        for doc in render("production")
        if doc["kind"] in {"Deployment", "Job"}
        for container in [
            *doc["spec"]["template"]["spec"]["containers"],
            *doc["spec"]["template"]["spec"].get("initContainers", []),
        ]
        if container["image"].startswith("surgery/")
    }
    assert run, "the manifests run the project's images"
    assert run <= built, f"run but not built by compose: {run - built}"
