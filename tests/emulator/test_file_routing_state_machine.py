"""The routing state machine (asl/file_routing.asl.json.tftpl) in the emulator's interpreter: the router
Lambda starts it, each matching job runs a stand-in of the datamart workflow as a nested execution
(startExecution.sync:2), and the router's settle step archives the file or sets it aside as failed."""

import io
import json
import re
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from file_router.decisions import table_definition
from platform_ops.cli import main

from .conftest import TRUST_POLICY

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/routing"
TEMPLATE_VALUES = {
    "max_concurrent_loads": "2",
    "concurrency_retry.interval_seconds": "1",
    "concurrency_retry.max_delay_seconds": "2",
    "concurrency_retry.max_attempts": "3",
    "bundle_lock_retry.interval_seconds": "1",
    "bundle_lock_retry.max_delay_seconds": "2",
    "bundle_lock_retry.max_attempts": "3",
}


def render(template: str, values: dict[str, str]) -> str:
    """What Terraform's templatefile makes of the template, for its scalar variables."""
    return re.sub(r"\$\{([a-z_.]+)\}", lambda found: values[found.group(1)], template)


# A stand-in of the datamart workflow: the load of "staging.broken" fails as the real one fails a load.
STAND_IN_WORKFLOW = json.dumps(
    {
        "StartAt": "Plan",
        "States": {
            # moto reads `$.loads[0].target_table` as a list of one value; the intrinsic gives the item.
            "Plan": {
                "Type": "Pass",
                "Parameters": {"load.$": "States.ArrayGetItem($.loads, 0)"},
                "Next": "Load",
            },
            "Load": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.load.target_table",
                        "StringEquals": "staging.broken",
                        "Next": "LoadFailed",
                    }
                ],
                "Default": "Loaded",
            },
            "Loaded": {"Type": "Succeed"},
            "LoadFailed": {
                "Type": "Fail",
                "Error": "DatamartLoadFailed",
                "Cause": "3 rows rejected: no order_id",
            },
        },
    }
)


def _package() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("file_router/__init__.py", "")
    return archive.getvalue()


@pytest.fixture
def routing(local_aws, unique_name):
    """Landing bucket with a config, decisions table, alerts topic read through a queue, the stand-in
    workflow, the router function and the routing state machine, all named after the test."""
    bucket = unique_name.lower()
    s3, sfn, sqs, sns = (local_aws.client(name) for name in ("s3", "stepfunctions", "sqs", "sns"))
    s3.create_bucket(Bucket=bucket)
    config = [
        {
            "job_id": "CUSTOMERS",
            "source_file_name": "customers.csv",
            "target_table": "staging.customers",
            "upsert_keys": ["customer_id"],
            "is_active": True,
        },
        {
            "job_id": "CUSTOMER_HISTORY",
            "source_file_name": "customers.csv",
            "target_table": "history.customers",
            "upsert_keys": ["customer_id", "valid_from"],
            "is_active": True,
            "match": "glob",
            "pattern": "customer*.csv",
        },
        {
            "job_id": "ORDERS",
            "source_file_name": "orders.csv",
            "target_table": "staging.broken",
            "upsert_keys": ["order_id"],
            "is_active": True,
        },
    ]
    s3.put_object(Bucket=bucket, Key="config/config.json", Body=json.dumps(config).encode())
    local_aws.client("dynamodb").create_table(**table_definition(unique_name))
    topic_arn = sns.create_topic(Name=unique_name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=unique_name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    workflow_arn = sfn.create_state_machine(
        name=f"{unique_name}-datamart", definition=STAND_IN_WORKFLOW, roleArn=ROLE
    )["stateMachineArn"]
    routing_arn = workflow_arn.replace(f"{unique_name}-datamart", f"{unique_name}-routing")
    function_role = local_aws.client("iam").create_role(
        RoleName=unique_name, AssumeRolePolicyDocument=TRUST_POLICY
    )
    function_arn = local_aws.client("lambda").create_function(
        FunctionName=unique_name,
        Runtime="python3.12",
        Role=function_role["Role"]["Arn"],
        Handler="file_router.handler.lambda_handler",
        Code={"ZipFile": _package()},
        Environment={
            "Variables": {
                "SNS_TOPIC_ARN": topic_arn,
                "STEP_FUNCTION_ARN": routing_arn,
                "DECISIONS_TABLE": unique_name,
                "DEPLOYED_LOAD_JOBS": "datamart-load",
                # A config fixed between a failure and its replay is read at once.
                "CONFIG_REFRESH_SECONDS": "0",
            }
        },
    )["FunctionArn"]
    definition = render(
        (REPO / "asl" / "file_routing.asl.json.tftpl").read_text(),
        {
            **TEMPLATE_VALUES,
            "datamart_state_machine_arn": workflow_arn,
            "router_function_arn": function_arn,
            "alerts_topic_arn": topic_arn,
        },
    )
    assert (
        sfn.create_state_machine(name=f"{unique_name}-routing", definition=definition, roleArn=ROLE)[
            "stateMachineArn"
        ]
        == routing_arn
    )
    return {
        "config": config,
        "bucket": bucket,
        "function": unique_name,
        "table": unique_name,
        "queue_url": queue_url,
        "workflow_arn": workflow_arn,
        "routing_arn": routing_arn,
    }


def land(local_aws, routing, key: str, upload: bool = True) -> dict:
    """Uploads `key` (unless it is there already) and invokes the router with the EventBridge event S3
    sends for it; the router's answer."""
    s3 = local_aws.client("s3")
    if upload:
        s3.put_object(Bucket=routing["bucket"], Key=key, Body=b"customer_id\n1\n")
    head = s3.head_object(Bucket=routing["bucket"], Key=key)
    event = {
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": routing["bucket"]},
            "object": {
                "key": key,
                "size": head["ContentLength"],
                "etag": head["ETag"].strip('"'),
                "sequencer": f"{time.time_ns():X}",
            },
        },
    }
    response = local_aws.client("lambda").invoke(FunctionName=routing["function"], Payload=json.dumps(event))
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def finished(local_aws, routing, name: str, timeout: float = 60) -> dict:
    sfn = local_aws.client("stepfunctions")
    arn = routing["routing_arn"].replace(":stateMachine:", ":execution:") + f":{name}"
    deadline = time.monotonic() + timeout
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"routing execution still RUNNING after {timeout} s"
        time.sleep(0.2)
    return execution


def keys(local_aws, routing) -> list[str]:
    listing = local_aws.client("s3").list_objects_v2(Bucket=routing["bucket"], Prefix="data/")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def datamart_inputs(local_aws, routing) -> list[dict]:
    sfn = local_aws.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=routing["workflow_arn"])["executions"]
    return [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]


def decision_status(local_aws, routing, key: str) -> str:
    (item,) = local_aws.client("dynamodb").query(
        TableName=routing["table"],
        KeyConditionExpression="#f = :f",
        ExpressionAttributeNames={"#f": "file"},
        ExpressionAttributeValues={":f": {"S": f"s3://{routing['bucket']}/{key}"}},
    )["Items"]
    return item["status"]["S"]


def test_each_matching_job_is_loaded_by_a_datamart_workflow_execution_then_the_file_is_archived(
    local_aws, routing
):
    routed = land(local_aws, routing, "data/in/crm/customers.csv")

    execution = finished(local_aws, routing, routed["execution"])

    assert execution["status"] == "SUCCEEDED"
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    assert keys(local_aws, routing) == [f"data/archive/{day}/crm/customers.csv"]
    assert decision_status(local_aws, routing, "data/in/crm/customers.csv") == "archived"
    inputs = sorted(datamart_inputs(local_aws, routing), key=lambda document: document["loads"][0]["id"])
    assert [document["loads"] for document in inputs] == [
        [
            {
                "id": job_id,
                "source_uris": [f"s3://{routing['bucket']}/data/in/crm/customers.csv"],
                "format": "csv",
                "target_table": table,
                "upsert_keys": keys_,
            }
        ]
        for job_id, table, keys_ in (
            ("CUSTOMERS", "staging.customers", ["customer_id"]),
            ("CUSTOMER_HISTORY", "history.customers", ["customer_id", "valid_from"]),
        )
    ]
    assert {document["origin"]["router"]["job"]["job_id"] for document in inputs} == {
        "CUSTOMERS",
        "CUSTOMER_HISTORY",
    }
    assert all(document["run_id"].startswith("router-") for document in inputs)
    assert len({document["run_id"] for document in inputs}) == 2


def test_a_failed_load_sets_the_file_aside_alerts_naming_the_job_and_error_and_fails_the_execution(
    local_aws, routing
):
    routed = land(local_aws, routing, "data/in/orders.csv")

    execution = finished(local_aws, routing, routed["execution"])

    assert (execution["status"], execution.get("error")) == ("FAILED", "LoadFailed")
    assert keys(local_aws, routing) == ["data/failed/orders.csv"]
    assert decision_status(local_aws, routing, "data/in/orders.csv") == "failed"
    messages = local_aws.client("sqs").receive_message(QueueUrl=routing["queue_url"], MaxNumberOfMessages=10)
    (alert,) = [json.loads(json.loads(m["Body"])["Message"]) for m in messages["Messages"]]
    (failed_job,) = alert["failed_jobs"]
    assert failed_job["job_id"] == "ORDERS"
    assert "3 rows rejected: no order_id" in failed_job["cause"]


def test_a_failed_file_replayed_after_the_fix_is_routed_again_and_archived(local_aws, local_aws_env, routing):
    failed = land(local_aws, routing, "data/in/orders.csv")
    assert finished(local_aws, routing, failed["execution"])["status"] == "FAILED"
    fixed = [
        dict(job, target_table="staging.orders") if job["job_id"] == "ORDERS" else job
        for job in routing["config"]
    ]
    local_aws.client("s3").put_object(
        Bucket=routing["bucket"], Key="config/config.json", Body=json.dumps(fixed).encode()
    )

    uri = f"s3://{routing['bucket']}/data/in/orders.csv"
    assert main(["router", "--table", routing["table"], "replay", "--file", uri]) == 0
    # What EventBridge delivers for the file put back; the router decides it as a new object.
    replayed = land(local_aws, routing, "data/in/orders.csv", upload=False)

    assert replayed["status"] == "triggered" and replayed["execution"] != failed["execution"]
    assert finished(local_aws, routing, replayed["execution"])["status"] == "SUCCEEDED"
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    assert keys(local_aws, routing) == [f"data/archive/{day}/orders.csv"]
