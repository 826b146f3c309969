"""`platform-ops`: one command, a group per pipeline; `intake-ops` stays as the intake group's old name."""

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from platform_ops.cli import intake_ops, main


def test_both_commands_are_installed_console_scripts():
    scripts = {script.name: script.value for script in entry_points(group="console_scripts")}
    assert scripts["platform-ops"] == "platform_ops.cli:main"
    assert scripts["intake-ops"] == "platform_ops.cli:intake_ops"


def test_intake_ops_prints_what_platform_ops_intake_prints(cli, pipeline, capsys):
    pipeline.arrive("incoming/2026-11-20/a.ndjson")
    code, through_group = cli("status", "--date", "2026-11-20")

    assert intake_ops(["status", "--date", "2026-11-20"]) == code == 0
    assert capsys.readouterr().out == through_group


def test_a_pipeline_group_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "PIPELINE" in capsys.readouterr().err


def test_config_group_validates_with_the_upload_config_command_line(tmp_path, capsys):
    repository_config = Path(__file__).resolve().parents[2] / "config" / "config.json"
    assert main(["config", "validate", str(repository_config), "--kind", "router_config"]) == 0
    broken = tmp_path / "config.json"
    broken.write_text('[{"job_id": 1}]')
    assert main(["config", "validate", str(broken), "--kind", "router_config"]) == 2
    assert f"{broken}:" in capsys.readouterr().err


def test_zip_group_hands_its_arguments_to_the_download_zip_command_line(capsys):
    assert main(["zip", "s3://bucket/prefix/"]) == 2
    assert "DESTINATION" in capsys.readouterr().err
