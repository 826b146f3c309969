"""Upgrading a deployed stack: the dev stack of the last release, applied to an emulator of its own, then
planned with this checkout's code. Refactors move resources with `moved` blocks; none may be destroyed
or replaced, because that would lose a bucket's objects, the tracking table or a queue's messages.

The release is checked out beside the working tree with `git archive` (a clean clone has every commit),
built with its own scripts/build.py and applied with its own Terraform. Keep this test for every later
release: point RELEASE at the newest one and review UPDATED_IN_PLACE.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

from local_aws import LocalAws
from local_aws.stack import REPO_ROOT, LocalStack

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

# The tag, and its commit for clones that were made without tags.
RELEASE = ("v0.1.0", "cc77eb07ec16f1f8e29138daa243701094af3b51")

# What the upgrade changes in place, each for a reason:
# - the key's policy: one statement for the services that need data keys (was two);
# - the alerts topic's policy: its EventBridge statement is named for every pipeline's rules;
# - the standard alarms of functions, state machines and dead-letter queues: their descriptions are the
#   monitoring module's, the same for every pipeline;
# - the dashboard: a standard widget per function and state machine comes first;
# - the bucket policies: the TLS-only statement denies every S3 action (was four);
# - the manifest builder's policy: dynamodb:BatchWriteItem, which it never calls, is no longer granted;
# - the manifest builder's environment (Powertools' service and namespace), the Glue job's arguments
#   (--METRICS_NAMESPACE) and the job role's policy (PutMetricData to that namespace): logs and metrics;
# - the state machine: a start Glue refuses for concurrency waits with capped backoff and jitter for hours;
#   a completed manifest with files the job quarantined sends one alert naming them; a failure alert is
#   retried with backoff, and one that cannot be sent is counted on the UnreportedFailures metric;
# - the state machine role's policy: PutMetricData to the stack's namespace, for that count;
# - the Glue job's arguments (--TRACKING_TABLE) and the job role's policy (UpdateItem on the tracking
#   table): the job records each file's outcome and rows.
# - the input bucket's notifications: its events go to EventBridge too, for the file router's rule.
MONITORING = "module.ndjson_intake.module.intake_monitoring"
STORAGE = "module.ndjson_intake.module.storage"
UPDATED_IN_PLACE = {
    *(
        f'{STORAGE}.aws_s3_bucket_policy.data["{purpose}"]'
        for purpose in ("input", "manifests", "output", "quarantine", "artifacts")
    ),
    f"{STORAGE}.aws_s3_bucket_policy.access_logs",
    'module.ndjson_intake.module.intake_iam.aws_iam_role_policy.this["manifest-builder"]',
    'module.ndjson_intake.module.intake_iam.aws_iam_role_policy.this["glue-job"]',
    'module.ndjson_intake.module.intake_iam.aws_iam_role_policy.this["state-machine"]',
    "module.ndjson_intake.module.intake_manifest_builder.aws_lambda_function.this",
    "module.ndjson_intake.module.intake_glue_job.aws_glue_job.this",
    "module.ndjson_intake.module.intake_state_machine.aws_sfn_state_machine.this",
    "module.ndjson_intake.module.kms.aws_kms_key.this",
    "module.ndjson_intake.module.alerts.aws_sns_topic_policy.this",
    *(
        f'{MONITORING}.aws_cloudwatch_metric_alarm.this["{name}"]'
        for name in (
            "manifest-builder-errors",
            "manifest-builder-throttles",
            "executions-timed-out",
            "dead-letter-messages",
        )
    ),
    f"{MONITORING}.aws_cloudwatch_dashboard.this",
    "module.ndjson_intake.aws_s3_bucket_notification.input",
}


def release_tree(destination: Path) -> Path:
    """The release's files under `destination` (the tag where the clone has it, else its commit)."""
    tag, commit = RELEASE
    for revision in (tag, commit):
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", revision], capture_output=True
        )
        if archive.returncode == 0:
            with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
                tar.extractall(destination, filter="data")
            return destination
    raise AssertionError(f"release {tag} ({commit}) is not in this clone: {archive.stderr.decode()}")


@contextlib.contextmanager
def released_dev_stack(scratch: Path, environ: dict[str, str]):
    """The release's dev stack built and applied to an emulator of its own: (its emulator, the stack)."""
    release_root = release_tree(scratch)
    # The release's build imports its own packages, not this checkout's.
    build_env = {**environ, "PYTHONPATH": str(release_root / "src" / "glue")}
    subprocess.run(
        [sys.executable, str(release_root / "scripts" / "build.py")],
        check=True,
        env=build_env,
        stdout=subprocess.DEVNULL,
    )
    with LocalAws(execute_state_machines=False, process_env=environ) as aws:
        released = LocalStack(
            aws.env, "dev", workspace="upgrade", repo_root=release_root, log=lambda _: None, base_env=environ
        )
        released.prepare()
        released.apply()
        yield aws, released


BACKGROUND_SETUP = released_dev_stack


@pytest.fixture(scope="module")
def upgrade_plan(background_setups, built_artifacts):
    """The plan of this checkout's dev environment against the state of the release's applied dev stack."""
    with background_setups.use(__name__, released_dev_stack) as (aws, released):
        current = LocalStack(aws.env, "dev", workspace=f"upgrade-{os.getpid()}", log=lambda _: None)
        current.prepare()
        current.state_path().write_bytes(released.state_path().read_bytes())
        try:
            yield current.tftest().plan(output=True)
        finally:
            current.remove()


def actions(plan) -> dict[str, list[str]]:
    return {address: change["change"]["actions"] for address, change in plan.resource_changes.items()}


# What the upgrade destroys, on purpose: the Glue failure event rule (and its target) and its alarm, and the
# state machine's ExecutionsFailed alarm. Each failed manifest is reported once, by its execution, whose alert
# names the manifest, the error and the replay command; the rule and the two alarms sent the same failure
# three times more. What no execution reports keeps an alarm: an alert that could not be sent
# (unreported-failures, new) and a timed-out execution (executions-timed-out). Nothing of data or state is
# among them.
INTENDED_DESTROYS = {
    f'{MONITORING}.aws_cloudwatch_event_rule.alert["glue-job-failed"]',
    f'{MONITORING}.aws_cloudwatch_event_target.alert["glue-job-failed"]',
    f'{MONITORING}.aws_cloudwatch_metric_alarm.this["glue-job-runs-failed"]',
    f'{MONITORING}.aws_cloudwatch_metric_alarm.this["executions-failed"]',
}


def test_upgrade_from_the_last_release_destroys_only_the_duplicate_failure_alerts(upgrade_plan):
    destroyed = {address: acts for address, acts in actions(upgrade_plan).items() if "delete" in acts}
    assert destroyed == {address: ["delete"] for address in INTENDED_DESTROYS}


# What the release did not have, created beside the deployed stack: the config bucket, the utilities, the
# reconciliation's schedule of the manifest builder, the Data Catalog database and table of the output, the
# file router with its initial config, the datamart load, and the intake's alarm and event rule on failures
# its executions could not report.
NEW_SINCE_RELEASE = (
    "module.ndjson_intake.module.storage.",
    "module.ndjson_intake.module.utilities_",
    'module.ndjson_intake.module.intake_manifest_builder.aws_cloudwatch_event_rule.trigger["reconciliation"]',
    'module.ndjson_intake.module.intake_manifest_builder.aws_cloudwatch_event_target.trigger["reconciliation"]',
    'module.ndjson_intake.module.intake_manifest_builder.aws_lambda_permission.trigger["reconciliation"]',
    "module.ndjson_intake.aws_glue_catalog_",
    "module.ndjson_intake.module.router_",
    'module.ndjson_intake.aws_s3_object.router_config["this"]',
    "module.ndjson_intake.module.datamart_",
    "module.ndjson_intake.aws_s3_object.datamart_bundle_",
    "module.ndjson_intake.aws_glue_connection.datamart[",
    "module.ndjson_intake.aws_cloudwatch_event_rule.datamart[",
    "module.ndjson_intake.aws_cloudwatch_event_target.datamart[",
    "module.ndjson_intake.aws_s3_bucket_notification.config[",
    f'{MONITORING}.aws_cloudwatch_metric_alarm.this["unreported-failures"]',
    f'{MONITORING}.aws_cloudwatch_event_rule.alert["unreported-execution-failures"]',
    f'{MONITORING}.aws_cloudwatch_event_target.alert["unreported-execution-failures"]',
)


def test_upgrade_from_the_last_release_creates_only_what_the_release_did_not_have(upgrade_plan):
    created = {address for address, acts in actions(upgrade_plan).items() if acts == ["create"]}
    unexpected = {address for address in created if not address.startswith(NEW_SINCE_RELEASE)}
    storage = {address for address in created if address.startswith(NEW_SINCE_RELEASE[0])}
    assert unexpected == set()
    assert storage and all('["config"]' in address for address in storage)


def test_upgrade_from_the_last_release_updates_in_place_only_what_is_listed(upgrade_plan):
    updated = {address for address, acts in actions(upgrade_plan).items() if acts == ["update"]}
    # A release uploads its own Glue code: those objects change with every release and are not listed.
    code_uploads = {address for address in updated if ".aws_s3_object.artifact[" in address}
    assert updated - code_uploads == UPDATED_IN_PLACE
