"""The Python lock files (requirements/*.txt, written by `make lock`) agree with pyproject.toml, and the
environment the tests run in was installed from them."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# "name==version ; marker \" opens each pin; its "--hash=sha256:..." lines follow.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?:\s*;\s*(?P<marker>[^\\]+))?")


def read_lock(name: str) -> dict[str, tuple[str, str | None, int]]:
    """Each pinned package: (version, environment marker, number of hashes)."""
    pins: dict[str, tuple[str, str | None, int]] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match["name"])
            marker = match["marker"].strip() if match["marker"] else None
            pins[current] = (match["version"], marker, 0)
        elif current and "--hash=sha256:" in line:
            version, marker, hashes = pins[current]
            pins[current] = (version, marker, hashes + 1)
    return pins


def declared(*, extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(text) for text in names]


@pytest.mark.parametrize(("lock", "requirements"), [("app.txt", declared()), ("test.txt", declared(extra="test"))])
def test_every_declared_dependency_is_pinned_within_its_range(lock, requirements):
    pins = read_lock(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements/{lock}: run make lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {requirement.name}=={version}, outside {requirement.specifier}: run make lock"
        )


def test_every_pin_has_hashes_and_the_test_lock_keeps_the_app_versions():
    app, test = read_lock("app.txt"), read_lock("test.txt")
    for lock, pins in (("app.txt", app), ("test.txt", test)):
        unhashed = [name for name, (_, _, hashes) in pins.items() if not hashes]
        assert not unhashed, f"requirements/{lock} has pins without hashes: {unhashed}"
    changed = {name: (app[name][0], test[name][0]) for name in app if name in test and app[name][0] != test[name][0]}
    assert not changed, f"the test lock moved production's versions: {changed}"
    assert set(app) <= set(test)


def test_the_environment_was_installed_from_the_lock():
    mismatched = {}
    for name, (version, marker, _) in read_lock("test.txt").items():
        if marker and not Marker(marker).evaluate():
            continue  # another platform's package (colorama on Windows, brotlicffi on PyPy)
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            mismatched[name] = (version, installed)
    assert not mismatched, f"installed versions differ from requirements/test.txt (locked, installed): {mismatched}"
