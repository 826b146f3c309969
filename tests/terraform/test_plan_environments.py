"""Plans of environments/dev and environments/prod: what each module creates, with which settings."""

import json

import pytest

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

MODULES = (
    "kms",
    "storage",
    "alerts",
    "intake_queue",
    "intake_tracking_table",
    "intake_iam",
    "intake_manifest_builder",
    "intake_glue_job",
    "intake_state_machine",
    "intake_monitoring",
    'utilities_iam["this"]',
    'utilities_download_zip["this"]',
    'utilities_upload_config["this"]',
    'utilities_monitoring["this"]',
    'router_undelivered["this"]',
    'router_decisions_table["this"]',
    'router_iam["this"]',
    'router_function["this"]',
    'router_state_machine["this"]',
    'router_monitoring["this"]',
    'datamart_runs_table["this"]',
    'datamart_notices["this"]',
    'datamart_iam["this"]',
    'datamart_function["build-processing-plan"]',
    'datamart_function["check-results"]',
    'datamart_function["finalize-pipeline"]',
    'datamart_function["handle-failure"]',
    'datamart_glue_job["this"]',
    'datamart_state_machine["this"]',
    'datamart_monitoring["this"]',
)
FUNCTION = "module.ndjson_intake.module.intake_manifest_builder.aws_lambda_function.this"
STATE_MACHINE = "module.ndjson_intake.module.intake_state_machine.aws_sfn_state_machine.this"
ROUTER = 'module.ndjson_intake.module.router_function["this"]'
ROUTING = 'module.ndjson_intake.module.router_state_machine["this"].aws_sfn_state_machine.this'


def lambda_environment(plan_tools, plan) -> dict[str, str]:
    return plan_tools.created(plan)[FUNCTION]["environment"][0]["variables"]


def test_dev_plan_matches_its_inventory(dev_plan, plan_tools):
    plan_tools.assert_matches_inventory(dev_plan, plan_tools.load_inventory("dev.yaml"))


def test_prod_plan_matches_its_inventory(prod_plan, plan_tools):
    plan_tools.assert_matches_inventory(prod_plan, plan_tools.load_inventory("prod.yaml"))


@pytest.mark.parametrize("module", MODULES)
def test_every_module_creates_resources_in_the_dev_plan(dev_plan, plan_tools, module):
    prefix = f"{plan_tools.env_module}.module.{module}."
    assert any(address.startswith(prefix) for address in plan_tools.created(dev_plan))


def test_manifest_builder_environment_follows_the_contract(dev_plan, plan_tools):
    environment = lambda_environment(plan_tools, dev_plan)

    assert environment == {
        "TRACKING_TABLE": "ndjson-intake-dev-tracking",
        "MANIFEST_BUCKET": "ndjson-intake-dev-manifests-123456789012-us-east-1",
        "MANIFEST_PREFIX": "manifests/",
        "QUARANTINE_BUCKET": "ndjson-intake-dev-quarantine-123456789012-us-east-1",
        "STEP_FUNCTION_ARN": (
            "arn:aws:states:us-east-1:123456789012:stateMachine:ndjson-intake-dev-manifest-processing"
        ),
        "SNS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:ndjson-intake-dev-alerts",
        "ALLOWED_EXTENSIONS": ".ndjson",
        "MIN_FILE_SIZE_BYTES": "1",
        "MAX_FILE_SIZE_BYTES": str(5 * 1024**3),
        "MAX_FILES_PER_MANIFEST": "200",
        "MAX_BYTES_PER_MANIFEST": str(700 * 1024**2),
        "MIN_FILES_FOR_PARTIAL_BATCH": "1",
        "LOCK_TTL_SECONDS": "120",
        "MAX_BATCH_WAIT_SECONDS": "900",
        "INPUT_BUCKET": "ndjson-intake-dev-input-123456789012-us-east-1",
        "INPUT_PREFIX": "incoming/",
        "LOG_LEVEL": "INFO",
        "POWERTOOLS_SERVICE_NAME": "intake",
        "POWERTOOLS_METRICS_NAMESPACE": "ndjson-intake-dev",
    }


def test_rollback_switch_blanks_step_function_arn(dev_rollback_plan, plan_tools):
    assert lambda_environment(plan_tools, dev_rollback_plan)["STEP_FUNCTION_ARN"] == ""


def test_rollback_switch_keeps_the_state_machine_deployed(dev_rollback_plan, plan_tools):
    assert STATE_MACHINE in plan_tools.created(dev_rollback_plan)


def test_rollback_switch_changes_nothing_but_the_manifest_builder_environment(
    dev_plan, dev_rollback_plan, plan_tools
):
    normal, rollback = plan_tools.created(dev_plan), plan_tools.created(dev_rollback_plan)
    differing = {address for address in normal if normal[address] != rollback.get(address)}
    assert differing == {FUNCTION}


def test_intake_queue_visibility_timeout_is_six_times_the_function_timeout(dev_plan, plan_tools):
    created = plan_tools.created(dev_plan)
    queue = created["module.ndjson_intake.module.intake_queue.aws_sqs_queue.this"]
    assert queue["visibility_timeout_seconds"] == 6 * created[FUNCTION]["timeout"]


@pytest.mark.parametrize("plan_name", ["dev_plan", "prod_plan"])
def test_every_log_group_is_encrypted_and_expires(request, plan_tools, plan_name):
    plan = request.getfixturevalue(plan_name)
    log_groups = {
        address: change
        for address, change in plan.resource_changes.items()
        if change["type"] == "aws_cloudwatch_log_group"
    }
    # The intake function, job and state machine; the two utility functions; the router and its state
    # machine; the four datamart functions, its job and state machine.
    assert len(log_groups) == 13
    for change in log_groups.values():
        assert change["change"]["after"]["retention_in_days"] >= 365
        # The key ARN is only known after apply; being unknown proves it is set from the stack's key.
        assert change["change"]["after_unknown"]["kms_key_id"] is True


def test_the_router_rule_takes_only_object_created_events_of_data_in_of_the_input_bucket(
    dev_plan, plan_tools
):

    created = plan_tools.created(dev_plan)
    pattern = json.loads(created[f'{ROUTER}.aws_cloudwatch_event_rule.trigger["landed"]']["event_pattern"])
    bucket = created["module.ndjson_intake.aws_s3_bucket_notification.input"]["bucket"]

    assert pattern == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": "data/in/"}]}},
    }


def test_the_router_rule_retries_then_dead_letters_undelivered_events(dev_plan, plan_tools):
    change = dev_plan.resource_changes[f'{ROUTER}.aws_cloudwatch_event_target.trigger["landed"]']["change"]

    assert change["after"]["retry_policy"] == [
        {"maximum_event_age_in_seconds": 86400, "maximum_retry_attempts": 185}
    ]
    # The queue's ARN is known after apply; being unknown proves the target names one.
    assert change["after_unknown"]["dead_letter_config"] is True


def test_the_input_bucket_sends_its_events_to_eventbridge_for_the_router(dev_plan, plan_tools):
    notification = plan_tools.created(dev_plan)["module.ndjson_intake.aws_s3_bucket_notification.input"]

    assert notification["eventbridge"] is True


@pytest.fixture(scope="module")
def dev_router_rollback_plan(dev_terraform):
    return dev_terraform.plan(output=True, tf_vars={"blank_router_step_function_arn": "true"})


def test_router_rollback_blanks_only_its_step_function_arn_and_keeps_the_state_machine(
    dev_plan, dev_router_rollback_plan, plan_tools
):
    normal, rollback = plan_tools.created(dev_plan), plan_tools.created(dev_router_rollback_plan)
    differing = {address for address in normal if normal[address] != rollback.get(address)}

    assert differing == {f"{ROUTER}.aws_lambda_function.this"}
    assert (
        rollback[f"{ROUTER}.aws_lambda_function.this"]["environment"][0]["variables"]["STEP_FUNCTION_ARN"]
        == ""
    )
    assert ROUTING in rollback


def test_the_routing_map_runs_at_most_the_configured_loads_at_once_and_retries_refusals_with_backoff(
    dev_plan, plan_tools
):
    definition = json.loads(plan_tools.created(dev_plan)[ROUTING]["definition"])
    load_each_job = definition["States"]["LoadEachJob"]
    (retry,) = load_each_job["ItemProcessor"]["States"]["RunDatamartWorkflow"]["Retry"]

    assert load_each_job["MaxConcurrency"] == 2  # router_max_concurrent_loads
    assert (
        retry["IntervalSeconds"],
        retry["MaxDelaySeconds"],
        retry["MaxAttempts"],
        retry["JitterStrategy"],
    ) == (
        60,
        900,
        60,
        "FULL",
    )
    assert definition["States"]["SettleFile"]["Parameters"]["FunctionName"].endswith(
        ":function:ndjson-intake-dev-file-router"
    )


INTAKE_ALARM = "module.ndjson_intake.module.intake_monitoring.aws_cloudwatch_metric_alarm.this"


@pytest.mark.parametrize("plan_name", ["dev_plan", "prod_plan"])
def test_a_failed_manifest_is_alerted_by_its_execution_alone(request, plan_tools, plan_name):
    created = plan_tools.created(request.getfixturevalue(plan_name))

    assert f'{INTAKE_ALARM}["executions-failed"]' not in created
    # A timed-out execution reports nothing: its alarm stays.
    assert f'{INTAKE_ALARM}["executions-timed-out"]' in created


@pytest.mark.parametrize("plan_name", ["dev_plan", "prod_plan"])
def test_a_failed_manifest_whose_alert_could_not_be_sent_raises_the_unreported_failures_alarm(
    request, plan_tools, plan_name
):
    created = plan_tools.created(request.getfixturevalue(plan_name))
    alarm = created[f'{INTAKE_ALARM}["unreported-failures"]']
    definition = json.loads(created[STATE_MACHINE]["definition"])
    (metric,) = definition["States"]["RecordUnreportedFailure"]["Parameters"]["MetricData"]

    assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == (
        definition["States"]["RecordUnreportedFailure"]["Parameters"]["Namespace"],
        metric["MetricName"],
        "Sum",
    )
    assert alarm["dimensions"] == {d["Name"]: d["Value"] for d in metric["Dimensions"]}
    assert (alarm["threshold"], alarm["comparison_operator"]) == (0, "GreaterThanThreshold")
    assert alarm["alarm_description"].startswith("An intake execution failed and its alert could not be sent")


@pytest.mark.parametrize("plan_name", ["dev_plan", "prod_plan"])
def test_an_execution_failing_without_its_own_alert_is_reported_by_an_event_rule(
    request, plan_tools, plan_name
):
    created = plan_tools.created(request.getfixturevalue(plan_name))
    monitoring = "module.ndjson_intake.module.intake_monitoring"
    rule = created[f'{monitoring}.aws_cloudwatch_event_rule.alert["unreported-execution-failures"]']
    definition = json.loads(created[STATE_MACHINE]["definition"])
    fail_errors = {state["Error"] for state in definition["States"].values() if state["Type"] == "Fail"}

    detail = json.loads(rule["event_pattern"])["detail"]
    (arn,) = detail["stateMachineArn"]
    assert arn.endswith(f":stateMachine:{created[STATE_MACHINE]['name']}")
    assert detail["status"] == ["FAILED"]
    # Executions that alerted, or counted their unsent alert, end ManifestProcessingFailed; every other
    # ending (an uncaught error, ManifestFailureUnreported) matches.
    assert detail["error"] == [{"anything-but": ["ManifestProcessingFailed"]}]
    assert fail_errors == {"ManifestProcessingFailed", "ManifestFailureUnreported"}
