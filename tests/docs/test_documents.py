"""The documents a new user reads: links that resolve, a license that matches the package metadata."""

import re
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    REPO_ROOT / "README.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
    REPO_ROOT / "terraform" / "README.md",
]


def relative_links(document: Path) -> list[str]:
    links = re.findall(r"\]\(([^)\s]+)\)", document.read_text())
    return [
        link.split("#")[0] for link in links if not re.match(r"[a-z]+:", link) and not link.startswith("#")
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves(document):
    missing = [link for link in relative_links(document) if not (document.parent / link).exists()]
    assert missing == []


def test_license_file_is_the_license_the_package_declares():
    metadata = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert metadata["license"] == "Apache-2.0"
    assert metadata["license-files"] == ["LICENSE"]
    assert (
        "Apache License\n                           Version 2.0, January 2004"
        in (REPO_ROOT / "LICENSE").read_text()
    )


def test_readme_leads_with_the_demo_and_the_tests():
    readme = (REPO_ROOT / "README.md").read_text()
    first_commands = re.search(r"```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    assert [line.split()[0:2] for line in first_commands] == [["make", "demo"], ["make", "test"]]
