"""The README's promises: the example script runs and prints what it says."""

import subprocess
import sys

from conftest import ROOT


def test_example_script_runs():
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "example.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "most retweeted: ['byron_c_wallace', 'icoxfog417', 'mark_riedl']" in done.stdout
    assert "258 records: 258 used, 0 skipped" in done.stdout


def test_readme_python_block_runs(tmp_path, monkeypatch):
    import re
    import shutil

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## In Python\n\n```python\n(.*?)```", readme, re.S).group(1)
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "examples" / "data")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["ranking"]["handle"].iloc[0] == "byron_c_wallace"
    assert len(scope["cascades"]) == 70 and scope["forest"].ecount() == 188
    assert (tmp_path / "paper.html").stat().st_size > 100_000


def test_every_module_imports_first_in_a_fresh_interpreter():
    """No import cycle bites whichever module a user imports first."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "cascade").rglob("*.py")
        if p.name != "__init__.py"
    )
    for module in modules:
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)
