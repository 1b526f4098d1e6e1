"""Shared fixtures: paths to the bundled sample and the hand-made trees."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Derandomised: the same examples on every run, so a test that passes passes always (a failure
# found once is a failure every time). HYPOTHESIS_PROFILE=explore searches afresh.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "data" / "attention-is-not-explanation.json"
FIXTURES = ROOT / "tests" / "fixtures"
DATA = ROOT / "tests" / "data"  # the real sample folders (a copy of ../shared/data)


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def sample_raw() -> dict:
    """The sample file parsed with the standard library, for independent counts."""
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def chain_path() -> Path:
    return FIXTURES / "chain_tree.json"


def module_by_path(key: str, path: Path):
    """The Python file ``path`` imported by path as module ``key`` (once; nothing is added to
    ``sys.path``): for code shared with the tests that is neither a test module nor a package."""
    import importlib.util
    import sys

    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[key]


def benchmark_module(name: str):
    """A script of ``benchmarks/`` imported by path (the folder is no package)."""
    return module_by_path(f"benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py")


def browser_module():
    """``tests/browser.py``, the headless-Chromium helper (not a test module), imported by path."""
    return module_by_path("browser", ROOT / "tests" / "browser.py")


def write_paper(path: Path, tweets: dict, citation_id: str = "p") -> Path:
    """Write a details-page file from ``{id: (author, followers, datetime, text)}``."""
    doc = {
        "citation_id": citation_id,
        "tab": "twitter",
        "twitter": {
            tid: {"author": a, "followers": f, "datetime": d, "content_summary": t}
            for tid, (a, f, d, t) in tweets.items()
        },
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
