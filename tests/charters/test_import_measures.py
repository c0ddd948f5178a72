"""`manage.py import_measures FILE.csv [--authority SLUG] [--dry-run]`."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent
from accounts.scoping import authority_scope, dangerously_unscoped
from charters.models import LocalMeasure, Measure
from tests.charters.test_library import make_csv


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_measures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(make_csv({}, {"unit": "£", "proxy_value_gbp": "1", "proxy_source": "Spend"}), encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(make_csv({}, {"unit": "furlongs"}, {}, {"code": "", "deadweight_pct": "150"}), encoding="utf-8")
    return path


def test_a_good_file_goes_into_the_platform_library(world, good_file):
    out, err = run(str(good_file))
    assert "Imported into the platform library: 2 created, 0 updated, 0 unchanged." in out
    assert err == ""
    assert set(Measure.objects.filter(code__startswith="T-").values_list("code", flat=True)) == {"T-01", "T-02"}
    assert Measure.objects.get(code="T-02").history[0]["by"] == "import"
    with dangerously_unscoped():
        [event] = AuditEvent.objects.filter(verb="measures.imported")
    assert event.authority is None and event.actor is None and event.actor_label == "system"

    out, _ = run(str(good_file))
    assert "0 created, 0 updated, 2 unchanged" in out


def test_a_bad_file_reports_every_error_and_imports_nothing(world, bad_file):
    err = StringIO()
    with pytest.raises(CommandError, match=r"3 problems in bad\.csv; nothing was imported\."):
        call_command("import_measures", str(bad_file), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "bad.csv: Line 3, column unit: “furlongs” is not a unit. Use one of: people, fte (full-time equivalent jobs "
        "(FTE)), weeks, hours, gbp (£), tco2e (tonnes CO2e), count, percent (%)",
        "bad.csv: Line 5, column code: Enter a code",
        "bad.csv: Line 5, column deadweight_pct: The deadweight must be between 0% and 100%",
    ]
    assert not Measure.objects.filter(code__startswith="T-").exists()


def test_a_bad_file_exits_with_a_non_zero_status(world, bad_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_measures", str(bad_file)]).execute()
    assert exit_info.value.code != 0
    assert "Line 3, column unit" in capsys.readouterr().err


def test_authority_option_imports_local_measures(world, good_file):
    out, _ = run(str(good_file), "--authority", world.a.slug)
    assert f"Imported into local measures of {world.a.name}: 2 created" in out
    with authority_scope(world.a):
        assert set(LocalMeasure.objects.values_list("code", flat=True)) == {"T-01", "T-02"}
    with authority_scope(world.b):
        assert not LocalMeasure.objects.exists()
    assert not Measure.objects.filter(code__startswith="T-").exists()
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="local_measures.imported").count() == 1


def test_dry_run_saves_nothing(world, good_file):
    out, _ = run(str(good_file), "--dry-run", "--authority", world.b.slug)
    assert "Dry run, nothing saved." in out
    assert "2 created, 0 updated, 0 unchanged" in out
    with authority_scope(world.b):
        assert not LocalMeasure.objects.exists()


def test_unknown_authority_and_missing_file_are_errors(world, good_file, tmp_path):
    with pytest.raises(CommandError, match="There is no authority with the slug 'nowhere'"):
        run(str(good_file), "--authority", "nowhere")
    with pytest.raises(CommandError, match="There is no file at"):
        run(str(tmp_path / "missing.csv"))


def test_verbose_output_lists_codes(world, good_file):
    out, _ = run(str(good_file), "-v", "2")
    assert "Created T-01" in out and "Created T-02" in out
