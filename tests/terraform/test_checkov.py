"""checkov over terraform/ and environments/: no unsuppressed failure, and every skip says why."""

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SKIP = re.compile(r"#\s*checkov:skip=(?P<check>[A-Z0-9_]+)(?P<reason>.*)")


def test_checkov_finds_no_unsuppressed_failure():
    checkov = Path(sys.executable).parent / "checkov"
    result = subprocess.run(
        [str(checkov), "--config-file", ".checkov.yaml"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Failed checks: 0" in result.stdout


def test_every_checkov_skip_carries_its_reason():
    skips = [
        (path.relative_to(REPO_ROOT), match)
        for path in [*REPO_ROOT.glob("terraform/**/*.tf"), *REPO_ROOT.glob("environments/**/*.tf")]
        for match in SKIP.finditer(path.read_text())
    ]
    assert skips
    unexplained = [(str(path), m["check"]) for path, m in skips if len(m["reason"].lstrip(": ").strip()) < 20]
    assert unexplained == []
