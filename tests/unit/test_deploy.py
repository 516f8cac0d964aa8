"""deploy/: the Kubernetes manifests parse, every Deployment has probes and resources, and every
environment variable they set is a setting that bot/settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# KEY=value lines of an env file; a commented-out `# KEY=value` is an offered setting too.
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
REQUIRED_SECRETS = {
    "DATABASE_URL",
    "REDIS_URL",
    "AMQP_URL",
    "WAKALA_APP_SECRET",
    "WAKALA_VERIFY_TOKEN",
    "WAKALA_ACTIONS_TOKEN",
    "WAKALA_ADMIN_SECRET",
}
KINDS = {"gateway", "worker", "sender", "actions", "nlu", "admin"}

Doc = dict[str, Any]


def manifests() -> list[Doc]:
    docs: list[Doc] = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc)
    return docs


def of_kind(kind: str) -> list[Doc]:
    return [doc for doc in manifests() if doc["kind"] == kind]


def labels_of(deployment: Doc) -> dict[str, str]:
    """The pod labels of a Deployment (what Services and budgets select)."""
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def pod_specs() -> list[tuple[str, Doc]]:
    found = [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in of_kind("Deployment")]
    found += [(j["metadata"]["name"], j["spec"]["template"]["spec"]) for j in of_kind("Job")]
    return found


def env_file_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text("utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            names.add(match.group(1))
    return names


def setting_names() -> dict[str, str]:
    """Environment variable -> Settings field, as pydantic-settings reads them."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names: dict[str, str] = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            for choice in alias.choices:
                assert isinstance(choice, str)
                names[choice.upper()] = field_name
        elif isinstance(alias, str):
            names[alias.upper()] = field_name
        else:
            names[f"{prefix}{field_name}".upper()] = field_name
    return names


def unknown_settings(names: set[str]) -> set[str]:
    known = setting_names()
    return {name for name in names if name.upper() not in known}


def manifest_env_names() -> dict[str, set[str]]:
    """Every variable the deployment sets, by where it is set."""
    sources = {
        "config.env": env_file_names(DEPLOY / "config.env"),
        "secrets.env.example": env_file_names(DEPLOY / "secrets.env.example"),
        "migrate.env.example": env_file_names(DEPLOY / "migrate.env.example"),
    }
    for name, spec in pod_specs():
        for container in spec["containers"]:
            sources[f"{name}/{container['name']}"] = {e["name"] for e in container.get("env", [])}
    return sources


def test_every_manifest_parses_and_is_listed_in_the_kustomization() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text("utf-8"))
    listed = set(kustomization["resources"])
    files = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert files == listed
    for doc in manifests():
        assert doc.keys() >= {"apiVersion", "kind", "metadata"}, doc
    generated = kustomization["configMapGenerator"] + kustomization["secretGenerator"]
    for generator in generated:
        for env_file in generator["envs"]:
            # secrets.env and migrate.env are filled in by the operator from their templates
            template = DEPLOY / (env_file if env_file == "config.env" else f"{env_file}.example")
            assert template.is_file(), template


def test_there_is_a_deployment_for_every_kind_of_process() -> None:
    components = {labels_of(d)["app.kubernetes.io/component"] for d in of_kind("Deployment")}
    assert components == KINDS


@pytest.mark.parametrize("deployment", of_kind("Deployment"), ids=lambda d: d["metadata"]["name"])
def test_every_deployment_has_probes_resources_and_time_to_stop(deployment: Doc) -> None:
    spec = deployment["spec"]["template"]["spec"]
    # a stop finishes the turns in hand within 30 s
    assert spec["terminationGracePeriodSeconds"] >= 35
    for container in spec["containers"]:
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if probe in container:
                assert container[probe]["httpGet"]["port"] in ports, (probe, ports)
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= container["resources"][bound].keys(), bound
        assert container["image"] in {"wakala-app", "wakala-nlu"}  # set by kustomize `images`


def test_every_variable_the_manifests_set_is_a_setting() -> None:
    for source, names in manifest_env_names().items():
        assert not unknown_settings(names), f"{source} sets {sorted(unknown_settings(names))}"


def test_the_env_check_catches_a_misspelt_name() -> None:
    assert unknown_settings({"WAKALA_APP_SECRETS", "WAKALA_VERIFY_TOKEN"}) == {"WAKALA_APP_SECRETS"}
    assert unknown_settings({"DATABASE_URL", "WAKALA_DATABASE_URL", "AMQP_URL"}) == set()


def test_secrets_live_in_the_secret_template_not_in_the_config_map() -> None:
    secret_fields = {
        name
        for name, field in Settings.model_fields.items()
        if field.annotation in {SecretStr, SecretStr | None}
    }
    fields = setting_names()
    in_config = {fields[name] for name in env_file_names(DEPLOY / "config.env") if name in fields}
    assert not in_config & secret_fields
    assert env_file_names(DEPLOY / "secrets.env.example") >= REQUIRED_SECRETS
    for line in (DEPLOY / "secrets.env.example").read_text("utf-8").splitlines():
        if ENV_LINE.match(line) and not line.startswith("#"):
            assert "CHANGE-ME" in line, f"not a placeholder in the template: {line}"


def test_services_autoscalers_and_budgets_point_at_deployments() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    for hpa in of_kind("HorizontalPodAutoscaler"):
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert hpa["spec"]["minReplicas"] >= 2
    selectors = [s["spec"]["selector"] for s in of_kind("Service")]
    selectors += [b["spec"]["selector"]["matchLabels"] for b in of_kind("PodDisruptionBudget")]
    for selector in selectors:
        matched = [d for d in deployments.values() if selector.items() <= labels_of(d).items()]
        assert len(matched) == 1, selector
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        [target] = [d for d in deployments.values() if selector.items() <= labels_of(d).items()]
        containers = target["spec"]["template"]["spec"]["containers"]
        names = {port["name"] for container in containers for port in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, (service["metadata"]["name"], port)


def test_the_worker_reaches_the_nlu_and_action_services() -> None:
    services = {
        (service["metadata"]["name"], port["port"])
        for service in of_kind("Service")
        for port in service["spec"]["ports"]
    }
    [worker] = [d for d in of_kind("Deployment") if d["metadata"]["name"] == "wakala-worker"]
    [container] = worker["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    for name in ("WAKALA_NLU_URL", "WAKALA_ACTIONS_URL"):
        match = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", env[name])
        assert match, env[name]
        assert (match.group(1), int(match.group(2))) in services, env[name]


def test_the_images_build_from_the_lock_files() -> None:
    app = (DEPLOY / "docker" / "app.Dockerfile").read_text("utf-8")
    nlu = (DEPLOY / "docker" / "nlu.Dockerfile").read_text("utf-8")
    assert "FROM python:3.11" in app
    assert "pip install -r requirements/app.lock" in app
    assert "FROM python:3.10" in nlu
    assert "pip install -r requirements/rasa.lock" in nlu
    for name in ("app", "nlu"):
        ignored = (DEPLOY / "docker" / f"{name}.Dockerfile.dockerignore").read_text("utf-8")
        for secret in (".env", "deploy/secrets.env", "deploy/migrate.env"):
            assert secret in ignored.splitlines(), (name, secret)
