"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge names that differ from the PyPI names.
CONDA_TO_PYPI = {"country_converter": "country-converter", "python-isal": "isal"}


def _split(spec: str) -> tuple[str, str]:
    spec = spec.split("#")[0].strip()
    # pip extras ("dask[dataframe]") name the same conda package ("dask")
    m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", spec)
    assert m, spec
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return dict(_split(s) for s in specs)


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item.split(">")[0].split("=")[0] in {"python", "pip"}:
                continue
            name, version = _split(item)
            out[CONDA_TO_PYPI.get(name, name)] = version
    return out


def test_environment_yml_matches_pyproject():
    pip, conda = _pyproject(), _conda()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not pyproject.toml"
    differ = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert differ == {}, f"version bounds differ (pyproject, conda): {differ}"


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_items = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_items
