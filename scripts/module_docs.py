"""Write the Inputs and Outputs tables of each Terraform module's README from its variables.tf and outputs.tf.

The tables are generated, never edited by hand, so they cannot drift from the code: `make docs` rewrites
them, and tests/terraform/test_module_docs.py fails when a README differs from what this script renders.
Everything in a README before `## Inputs` is prose and stays as written.

Usage: python scripts/module_docs.py [--check] [MODULE_DIR ...]  (default: terraform/, terraform/modules/*)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import hcl2

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULES = REPO_ROOT / "terraform" / "modules"
GENERATED_FROM = "## Inputs"


def _value(body: dict, name: str):
    """An attribute's value: the HCL parser checkov ships (bc-python-hcl2) wraps each one in a list."""
    value = body[name]
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _default(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(", ", ": ")).replace('": ', '" = ')


# A variable's `type =` runs until the block's next attribute or nested block, or its end.
TYPE_ATTRIBUTE = re.compile(r"^  type\s*=\s*(.*?)(?=^  [a-z_]+\s*=|^  [a-z_]+ \{|\Z)", re.M | re.S)


def _type_expressions(source: str) -> dict[str, str]:
    """Each variable's type as written, on one line (the parser renders object types as Python reprs)."""
    types = {}
    for match in re.finditer(r'^variable "([^"]+)" \{(.*?)^\}', source, re.M | re.S):
        written = TYPE_ATTRIBUTE.search(match.group(2))
        lines = [re.sub(r"\s+", " ", line.split("#")[0]).strip() for line in written.group(1).splitlines()]
        text = ""
        for line in filter(None, lines):
            joined = not text or text.endswith(("(", "{", "[")) or line.startswith((")", "}", "]"))
            text += line if joined else f", {line}"
        types[match.group(1)] = text
    return types


def _blocks(path: Path, kind: str) -> list[tuple[str, dict]]:
    if not path.exists():
        return []
    with path.open() as handle:
        parsed = hcl2.load(handle)
    return [(name.strip('"'), body) for block in parsed.get(kind, []) for name, body in block.items()]


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
    variables = module_dir / "variables.tf"
    types = _type_expressions(variables.read_text()) if variables.exists() else {}
    for name, body in _blocks(variables, "variable"):
        required = "default" not in body
        default = "n/a" if required else _cell(f"`{_default(_value(body, 'default'))}`")
        description, type_ = _cell(_value(body, "description")), _cell(types[name])
        lines.append(f"| `{name}` | {description} | `{type_}` | {default} | {'yes' if required else 'no'} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, body in _blocks(module_dir / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_cell(_value(body, 'description'))} |")
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
        print(f"{'stale' if args.check else 'rewrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
