"""Each module's README documents exactly its inputs and outputs (rendered by scripts/module_docs.py)."""

import importlib.util

import pytest

from local_aws.stack import REPO_ROOT


def load_module_docs():
    spec = importlib.util.spec_from_file_location("module_docs", REPO_ROOT / "scripts" / "module_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("module_dir", load_module_docs().module_dirs(), ids=lambda path: path.name)
def test_module_readme_tables_match_the_code(module_dir):
    module_docs = load_module_docs()
    readme = (module_dir / "README.md").read_text()
    assert readme == module_docs.documented(readme, module_dir), (
        f"{module_dir.name}/README.md is out of date: run `make docs`"
    )


def test_every_variable_of_a_module_appears_in_its_readme(tmp_path):
    module_docs = load_module_docs()
    (tmp_path / "variables.tf").write_text(
        'variable "retention_days" {\n  description = "Days kept."\n  type = number\n  default = 7\n}\n'
    )
    assert "| `retention_days` | Days kept. | `number` | `7` | no |" in module_docs.render(tmp_path)
