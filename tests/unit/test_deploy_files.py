"""The files in deploy/ cannot run here (no Docker): check them against the code instead.

Valid YAML/JSON; every metric a dashboard or alert names is in our ``/metrics`` output;
every ``AIPROD_*`` variable is a setting; the image installs the Makefile's packages; the
compose commands use options the CLI has.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from prometheus_client.parser import text_string_to_metric_families

from aiprod.api.db_metrics import exposition
from aiprod.cli import app as cli_app
from aiprod.config import Settings
from aiprod.db.engine import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
METRIC = re.compile(r"\baiprod_[a-z_]+\b")
SETTING_VAR = re.compile(r"\bAIPROD_[A-Z0-9_]+\b")


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((DEPLOY / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml("compose.yml")
    return loaded


@pytest.fixture(scope="module")
def exposed_metrics(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every sample name of a real ``/metrics`` answer (over a fresh SQLite database)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'jobs.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        text = exposition(engine=engine).decode()
    finally:
        engine.dispose()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {  # a labelled family with no sample yet is still declared (# TYPE)
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in suffixes[family.type]
    }


def alert_exprs() -> list[str]:
    groups = load_yaml("prometheus/alerts.yml")["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    path = DEPLOY / "grafana" / "dashboards" / "aiprod.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_every_metric_in_dashboards_and_alerts_is_exposed(exposed_metrics: set[str]) -> None:
    exprs = [t["expr"] for p in dashboard()["panels"] for t in p["targets"]] + alert_exprs()
    named = {name for expr in exprs for name in METRIC.findall(expr)}
    assert len(named) >= 10
    assert sorted(named - exposed_metrics) == []


def test_the_dashboard_and_alerts_cover_what_operators_watch() -> None:
    titles = " ".join(panel["title"].lower() for panel in dashboard()["panels"])
    for topic in ("request", "latency", "error", "jobs by state", "queue", "stage", "real-time"):
        assert topic in titles
    for topic in ("lease", "retries", "webhook"):
        assert topic in titles
    alerts = {r["alert"] for g in load_yaml("prometheus/alerts.yml")["groups"] for r in g["rules"]}
    expected = {"ApiDown", "High5xxRate", "QueueBacklogGrowing", "JobsDying", "LeaseExpirySpike"}
    assert {f"Aiprod{name}" for name in expected} | {"AiprodWebhookFailures"} <= alerts


def test_prometheus_scrapes_the_api_and_the_workers_and_loads_the_alerts(
    compose: dict[str, Any],
) -> None:
    config = load_yaml("prometheus/prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["aiprod-api"]["static_configs"][0]["targets"] == ["api:8000"]
    worker_port = jobs["aiprod-worker"]["dns_sd_configs"][0]["port"]
    assert compose["services"]["worker"]["environment"]["AIPROD_WORKER_METRICS_PORT"] == str(
        worker_port
    )
    mounts = compose["services"]["prometheus"]["volumes"]
    for rule_file in config["rule_files"]:
        assert any(mount.endswith(f":{rule_file}:ro") for mount in mounts)


def test_grafana_provisioning_points_at_the_mounted_dashboards(compose: dict[str, Any]) -> None:
    provider = load_yaml("grafana/provisioning/dashboards/aiprod.yml")["providers"][0]
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts
    datasource = load_yaml("grafana/provisioning/datasources/prometheus.yml")["datasources"][0]
    panel_sources = {p["datasource"]["uid"] for p in dashboard()["panels"]}
    assert panel_sources == {datasource["uid"]}


def test_every_aiprod_variable_is_a_setting(compose: dict[str, Any]) -> None:
    known = {f"AIPROD_{name.upper()}" for name in Settings.model_fields}
    texts = [(DEPLOY / name).read_text(encoding="utf-8") for name in ("Dockerfile", "example.env")]
    used = {var for text in texts for var in SETTING_VAR.findall(text)}
    for service in compose["services"].values():
        used |= {k for k in service.get("environment", {}) if k.startswith("AIPROD_")}
    assert len(used) >= 10
    assert sorted(used - known) == []


def test_compose_runs_the_services_of_a_scale_out_deployment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    expected = {"api", "worker", "postgres", "rabbitmq", "redis", "prometheus", "grafana"}
    assert expected <= set(services)
    assert services["api"]["command"][:1] == ["serve"]
    assert "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"][:1] == ["worker"]
    assert "management" in services["rabbitmq"]["image"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["AIPROD_BROKER_URL"].startswith("amqp://")
        assert env["AIPROD_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_compose_commands_use_options_the_cli_has(compose: dict[str, Any]) -> None:
    commands = typer.main.get_command(cli_app).commands  # type: ignore[attr-defined]
    for name in ("api", "worker", "migrate"):
        words = compose["services"][name]["command"]
        command = commands[words[0]]
        if words[0] == "db":
            command, words = command.commands[words[1]], words[1:]
        options = {opt for param in command.params for opt in param.opts}
        used = {word for word in words if word.startswith("--")}
        assert sorted(used - options) == [], name


def makefile_packages() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^DEB_PACKAGES\s*:=\s*(.+)$", text, re.MULTILINE)
    assert match is not None
    return set(match.group(1).split())


def test_the_image_installs_the_makefiles_packages_and_runs_as_a_user() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM debian:12", text, re.MULTILINE)
    instructions = text.replace("\\\n", " ").splitlines()
    (install,) = [line for line in instructions if "apt-get install" in line]
    words = set(install.split())
    packages = makefile_packages()
    assert len(packages) >= 10
    assert sorted(packages - words) == []
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK ", text, re.MULTILINE)
    entrypoint = re.search(r"^ENTRYPOINT (.+)$", text, re.MULTILINE)
    assert entrypoint is not None
    assert "aiprod" in json.loads(entrypoint.group(1))
