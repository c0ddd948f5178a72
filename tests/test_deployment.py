"""Production configuration: Django's deployment checklist, the SECRET_KEY guard, and the compose file."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"


def production_env(**overrides: str) -> dict[str, str]:
    """A clean environment like a production host's, inheriting nothing from the tests or the shell:
    test_settings.py turns the HTTPS settings off in os.environ, and DJANGO_DEBUG or DATABASE_URL may be set.
    """
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="charters.example.org",
        # Production sends email: without an SMTP host, Django 6.1's checklist flags the console backend.
        EMAIL_HOST="smtp.example.org",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deployment_checklist_passes_with_production_settings():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 60

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env(SECRET_KEY=None)
    assert "SECRET_KEY" not in env and "DJANGO_DEBUG" not in env

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def load_compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def environment_names(service: dict) -> set[str]:
    environment = service.get("environment") or {}
    if isinstance(environment, dict):
        return set(environment)
    return {item.split("=", 1)[0] for item in environment}


def test_the_compose_file_defines_the_services():
    compose = load_compose()
    services = compose["services"]

    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= environment_names(services[name]), name
    assert "8000:8000" in [str(port) for port in services["web"]["ports"]]
    assert "migrate" in str(services["web"]["command"])
    assert "celery -A config worker" in str(services["worker"]["command"])
    assert "celery -A config beat" in str(services["beat"]["command"])


def docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed; CI must validate the compose file (.ci/run installs it)")
        pytest.skip("docker-compose is not installed")
    return binary


def compose_config(env_file: Path, **env: str) -> subprocess.CompletedProcess:
    """`docker-compose config` parses and interpolates the file without a Docker engine."""
    return subprocess.run(
        [docker_compose(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        # Only these variables, so a developer's .env or shell cannot make the test pass or fail.
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_docker_compose_accepts_the_file(tmp_path):
    env_file = tmp_path / "compose.env"
    env_file.write_text("")

    result = compose_config(env_file, SECRET_KEY=secrets.token_urlsafe(45))

    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_needs_a_secret_key(tmp_path):
    env_file = tmp_path / "compose.env"
    env_file.write_text("")

    result = compose_config(env_file)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
