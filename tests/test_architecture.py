"""The layering, read from the code: every import of an application package points down, never up; and where
things live: no form in a views module, no API module importing page views or carrying a per-method schema.

    config → publication → compact → evaluation → tenders → charters → accounts → foundation

A package may import itself and anything below it. The graph is parsed with `ast` from every module of the
application packages (migrations excluded, as they are frozen history), relative imports resolved, imports inside
functions included, `importlib.import_module("…")` with a literal name counted as an import. Reaching a model by
name (`apps.get_model`) is an import in all but name, so it is refused too (migrations use it by design).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: a package may import those at its index or before.
LAYERS = ("foundation", "accounts", "charters", "tenders", "evaluation", "compact", "publication", "config")
RANK = {package: rank for rank, package in enumerate(LAYERS)}


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    target: str

    def __str__(self):
        return f"{self.module} (line {self.line}) {self.target}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module a `from <level dots><name> import …` in `module` names."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]  # a module's dots count from its package
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, name] if name else base)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the source, wherever it sits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node.level, node.module)
            if node.module is None:  # `from . import x`: x is a module (or a name) of that package
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def upward_imports(source: str, module: str, *, is_package: bool = False) -> list[Finding]:
    """Imports from `module` of a package above its own."""
    own = RANK.get(module.split(".")[0])
    if own is None:
        return []
    findings = []
    for line, target in imports_of(source, module, is_package=is_package):
        rank = RANK.get(target.split(".")[0])
        if rank is not None and rank > own:
            findings.append(Finding(module, line, f"imports {target}, above {module.split('.')[0]}"))
    return findings


def model_lookups(source: str, module: str) -> list[Finding]:
    """`apps.get_model(…)` (whatever the registry is called): a model reached by name instead of imported."""
    return [
        Finding(module, node.lineno, "looks a model up by name with get_model(); import the model instead")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"
    ]


def application_modules(root: Path = ROOT):
    """(path, module name) of every module of the application packages, migrations left out."""
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield path, module_name(path, root)


def _report(findings: list[Finding], rule: str) -> str:
    return f"{len(findings)} {rule}:\n" + "\n".join(f"  {finding}" for finding in findings)


def test_every_application_package_is_found():
    for package in LAYERS:
        assert (ROOT / package / "__init__.py").is_file(), f"{package}/ is a layer but not a package"


def test_no_package_imports_one_above_it():
    findings = []
    for path, module in application_modules():
        findings += upward_imports(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")
    assert not findings, _report(findings, "imports point up the layering " + " → ".join(reversed(LAYERS)))


def test_no_model_is_looked_up_by_name():
    findings = []
    for path, module in application_modules():
        findings += model_lookups(path.read_text(encoding="utf-8"), module)
    assert not findings, _report(findings, "model lookups by name outside migrations")


# The checker itself ------------------------------------------------------------------------------------------------


def test_the_checker_flags_an_upward_import_wherever_it_is():
    source = (
        "import tenders.models\n"  # tenders is below evaluation: fine
        "from compact.models import Contract\n"
        "def later():\n"
        "    import publication.ocds\n"
        "    from importlib import import_module\n"
        "    import_module('config.settings')\n"
    )
    found = upward_imports(source, "evaluation.services")
    assert [str(finding) for finding in found] == [
        "evaluation.services (line 2) imports compact.models, above evaluation",
        "evaluation.services (line 4) imports publication.ocds, above evaluation",
        "evaluation.services (line 6) imports config.settings, above evaluation",
    ]


def test_the_checker_resolves_relative_imports():
    assert imports_of("from . import views\nfrom ..models import Tender\n", "tenders.views.public") == [
        (1, "tenders.views.views"),
        (2, "tenders.models"),
    ]
    assert imports_of("from .ocds import release_package\n", "publication", is_package=True) == [
        (1, "publication.ocds")
    ]
    # A relative import climbing into another package is still an import of that package.
    assert upward_imports("from ...compact import models\n", "foundation.x.y") == [
        Finding("foundation.x.y", 1, "imports compact, above foundation")
    ]


def test_the_checker_allows_a_package_itself_and_below():
    source = "from accounts.models import User\nfrom .models import Tender\nimport foundation.errors\nimport json\n"
    assert upward_imports(source, "tenders.services") == []


def test_the_checker_flags_a_model_looked_up_by_name():
    source = "from django.apps import apps as django_apps\nAward = django_apps.get_model('evaluation', 'Award')\n"
    assert [str(finding) for finding in model_lookups(source, "tenders.ocds")] == [
        "tenders.ocds (line 2) looks a model up by name with get_model(); import the model instead"
    ]


# Where things live: forms in forms modules, API endpoints declared on the generic bases ---------------------------

DOMAIN_APPS = ("accounts", "charters", "tenders", "evaluation", "compact")


def _is_views_module(module: str) -> bool:
    return ".views" in f".{module}" or module.endswith("_views")


def _base_names(node: ast.ClassDef) -> list[str]:
    return [_called_name(base) for base in node.bases]


def forms_in_views(source: str, module: str) -> list[Finding]:
    """Form classes defined in a views module: they belong in the app's forms module."""
    if not _is_views_module(module):
        return []
    return [
        Finding(module, node.lineno, f"defines the form {node.name}; move it to the app's forms module")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and any(name.endswith(("Form", "FilterSet")) for name in _base_names(node))
    ]


def api_shape_problems(source: str, module: str) -> list[Finding]:
    """In an API package: imports of view modules, and methods carrying their own `@extend_schema` (an endpoint's
    schema is declared once, in its `docs`, on accounts/api/generic.py's bases)."""
    findings = [
        Finding(module, line, f"imports the view module {target}; import from the domain or forms modules")
        for line, target in imports_of(source, module)
        # the pages' views; the API's own base views (accounts.api.views) are what endpoints derive from
        if _is_views_module(target) and target.split(".")[0] in DOMAIN_APPS and ".api." not in f"{target}."
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and any(
                    _called_name(decorator.func if isinstance(decorator, ast.Call) else decorator) == "extend_schema"
                    for decorator in item.decorator_list
                ):
                    findings.append(
                        Finding(module, item.lineno, f"{node.name}.{item.name} has its own @extend_schema; use docs")
                    )
    return findings


def test_no_form_is_defined_in_a_views_module():
    findings = []
    for path, module in application_modules():
        findings += forms_in_views(path.read_text(encoding="utf-8"), module)
    assert not findings, _report(findings, "forms defined in views modules")


def test_every_api_module_has_the_one_shape():
    findings = []
    for path, module in application_modules():
        if ".api." in f"{module}.":
            findings += api_shape_problems(path.read_text(encoding="utf-8"), module)
    assert not findings, _report(findings, "API modules off the one shape")


def test_the_checker_flags_a_form_in_a_views_module_and_an_api_method_schema():
    form = "from django import forms\nclass NoteForm(forms.Form):\n    note = forms.CharField()\n"
    assert [str(f) for f in forms_in_views(form, "compact.views.contracts")] == [
        "compact.views.contracts (line 2) defines the form NoteForm; move it to the app's forms module"
    ]
    assert forms_in_views(form, "compact.forms.contracts") == []
    api = (
        "from ..views.offers import ANSWER_MAX_LENGTH\n"
        "class OfferDetail(Endpoint):\n"
        "    @extend_schema(summary='Read an offer')\n"
        "    def get(self, request):\n"
        "        pass\n"
    )
    assert [str(f) for f in api_shape_problems(api, "tenders.api.offers")] == [
        "tenders.api.offers (line 1) imports the view module tenders.views.offers; import from the domain or forms "
        "modules",
        "tenders.api.offers (line 4) OfferDetail.get has its own @extend_schema; use docs",
    ]
