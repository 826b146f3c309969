"""Write the Inputs and Outputs tables of each Terraform module's README from its variables.tf and outputs.tf.

The tables are generated, never edited by hand, so they cannot drift from the code: `make docs` rewrites
them, and tests/terraform/test_module_docs.py fails when a README differs from what this script renders.
Everything in a README before `## Inputs` is prose and stays as written.

Usage: python scripts/module_docs.py [--check] [MODULE_DIR ...]  (default: terraform/, terraform/modules/*)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import hcl2

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULES = REPO_ROOT / "terraform" / "modules"
GENERATED_FROM = "## Inputs"


def _text(value) -> str:
    """python-hcl2 keeps the quotes of string literals; tables show the text."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _expression(value) -> str:
    """A type or an expression as HCL writes it (python-hcl2 wraps them in `${...}`)."""
    text = _text(value)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _default(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(_text(value))
    return json.dumps(value, separators=(", ", ": ")).replace('": ', '" = ')


def _blocks(path: Path, kind: str) -> list[tuple[str, dict]]:
    if not path.exists():
        return []
    with path.open() as handle:
        parsed = hcl2.load(handle)
    return [(_text(name), body) for block in parsed.get(kind, []) for name, body in block.items()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(module_dir: Path) -> str:
    """The generated part of the module's README: the Inputs and Outputs tables."""
    lines = [
        GENERATED_FROM,
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, body in _blocks(module_dir / "variables.tf", "variable"):
        required = "default" not in body
        default = "n/a" if required else f"`{_default(body['default'])}`"
        description, type_ = _cell(_text(body.get("description", ""))), _cell(_expression(body["type"]))
        lines.append(
            f"| `{name}` | {description} | `{type_}` | {_cell(default)} | {'yes' if required else 'no'} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, body in _blocks(module_dir / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_cell(_text(body.get('description', '')))} |")
    return "\n".join(lines) + "\n"


def documented(readme: str, module_dir: Path) -> str:
    """The README with its generated part replaced by a fresh rendering."""
    prose = readme.split(GENERATED_FROM, 1)[0].rstrip() + "\n\n"
    return prose + render(module_dir)


def module_dirs() -> list[Path]:
    """The root module and every building-block module."""
    return [MODULES.parent, *sorted(path for path in MODULES.iterdir() if path.is_dir())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a README is not up to date")
    parser.add_argument("modules", nargs="*", type=Path, help="module directories (default: all)")
    args = parser.parse_args(argv)
    stale = []
    for module_dir in args.modules or module_dirs():
        readme_path = module_dir / "README.md"
        readme = readme_path.read_text() if readme_path.exists() else f"# {module_dir.name} module\n"
        expected = documented(readme, module_dir)
        if expected == readme:
            continue
        stale.append(readme_path)
        if not args.check:
            readme_path.write_text(expected)
    for path in stale:
        print(f"{'stale' if args.check else 'rewrote'}: {path.relative_to(REPO_ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
