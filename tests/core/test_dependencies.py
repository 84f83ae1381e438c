"""Areas depend on nhcs/, never on each other; nhcs/ imports no area (areas reach nhcs only through
their AppConfig hooks, which nhcs looks up by name)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["orders", "complaints", "satisfaction", "customer_property"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str):
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("package", ["nhcs", *AREAS])
def test_no_forbidden_imports(package):
    forbidden = set(AREAS) - {package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & forbidden)
        for path in sources(package)
        if imported_packages(path) & forbidden
    }
    assert offenders == {}


def test_the_check_sees_an_import():
    sample = ROOT / "nhcs" / "customers" / "hooks.py"
    assert "django" in imported_packages(sample)
