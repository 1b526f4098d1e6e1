"""Pytest set-up for the docstring examples under ``cascade/``: they run from the repository
root, whatever the directory pytest was started from, so ``"examples/data"`` always resolves."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _examples_from_the_root(request, monkeypatch):
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.chdir(ROOT)
