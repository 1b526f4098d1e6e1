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
