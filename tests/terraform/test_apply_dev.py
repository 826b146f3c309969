"""environments/dev applied to the local emulator: the deployed resources and a drift-free second plan."""

import json

import pytest

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

PREFIX = "ndjson-intake-dev"
DATA_BUCKETS = ("input", "manifests", "output", "quarantine", "artifacts")


@pytest.fixture(scope="module")
def stack(dev_deployment):
    return dev_deployment.outputs


@pytest.fixture(scope="module")
def role_policies(stack, local_aws):
    """Inline policy document of each role, as deployed: {role name: [statements]}."""
    iam = local_aws.client("iam")
    documents = {}
    for purpose in ("manifest-builder", "glue-job", "state-machine"):
        role = f"{PREFIX}-{purpose}"
        (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        documents[role] = json.loads(document) if isinstance(document, str) else document
    return {role: document["Statement"] for role, document in documents.items()}


def test_second_plan_after_apply_has_no_changes(dev_deployment, plan_tools):
    assert plan_tools.drift(dev_deployment.stack.tftest().plan(output=True)) == {}


def test_outputs_name_the_deployed_pipeline(stack, local_aws):
    assert stack["input_bucket_name"] == f"{PREFIX}-input-123456789012-us-east-1"
    assert stack["tracking_table_name"] == f"{PREFIX}-tracking"
    assert local_aws.client("glue").get_job(JobName=stack["glue_job_name"])["Job"]["GlueVersion"] == "5.0"
    stepfunctions = local_aws.client("stepfunctions")
    described = stepfunctions.describe_state_machine(stateMachineArn=stack["state_machine_arn"])
    assert described["type"] == "STANDARD"


def test_manifest_builder_runs_with_the_planned_environment(stack, local_aws):
    function = local_aws.client("lambda").get_function(FunctionName=stack["manifest_builder_function_name"])
    assert function["Configuration"]["Environment"]["Variables"] == stack["manifest_builder_environment"]


def test_alerts_topic_is_the_one_the_manifest_builder_and_state_machine_publish_to(stack, local_aws):
    definition = local_aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=stack["state_machine_arn"]
    )["definition"]
    alert_task = json.loads(definition)["States"]["SendFailureAlert"]
    assert alert_task["Parameters"]["TopicArn"] == stack["alerts_topic_arn"]
    assert stack["manifest_builder_environment"]["SNS_TOPIC_ARN"] == stack["alerts_topic_arn"]


def test_intake_queue_dead_letters_after_five_receives(stack, local_aws):
    sqs = local_aws.client("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=stack["intake_queue_url"], AttributeNames=["All"])
    dead_letter_arn = sqs.get_queue_attributes(
        QueueUrl=stack["dead_letter_queue_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive_policy = json.loads(queue["Attributes"]["RedrivePolicy"])
    assert redrive_policy == {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 5}
    assert queue["Attributes"]["KmsMasterKeyId"] == stack["kms_key_arn"]


def test_input_bucket_announces_new_objects_under_the_prefix_to_the_intake_queue(stack, local_aws):
    s3 = local_aws.client("s3")
    configuration = s3.get_bucket_notification_configuration(Bucket=stack["input_bucket_name"])
    (queue,) = configuration["QueueConfigurations"]
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    # S3 documents the rule name case-insensitively ("Prefix"/"prefix").
    rules = [(rule["Name"].lower(), rule["Value"]) for rule in queue["Filter"]["Key"]["FilterRules"]]
    assert rules == [("prefix", "incoming/")]


@pytest.mark.parametrize("purpose", DATA_BUCKETS)
def test_data_buckets_are_versioned_and_encrypted_with_the_stack_key(stack, local_aws, purpose):
    s3 = local_aws.client("s3")
    bucket = stack["bucket_names"][purpose]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": stack["kms_key_arn"],
    }


@pytest.mark.parametrize("purpose", (*DATA_BUCKETS, "access-logs"))
def test_every_bucket_denies_requests_without_tls_and_blocks_public_access(stack, local_aws, purpose):
    s3 = local_aws.client("s3")
    bucket = stack["bucket_names"][purpose]
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {
        "Effect": "Deny",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }.items() <= next(s for s in statements if s["Effect"] == "Deny").items()
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_no_role_policy_grants_a_wildcard_action(role_policies, plan_tools):
    wildcard_actions = [
        (role, action)
        for role, statements in role_policies.items()
        for statement in statements
        for action in plan_tools.as_list(statement["Action"])
        if "*" in action
    ]
    assert wildcard_actions == []


# The only statements AWS does not let us scope: CloudWatch Logs vended delivery (Step Functions
# execution logging) and PutMetricData authorise on "*" only (the latter is held to the stack's namespace
# by a condition, below), and Glue names its log groups itself under /aws-glue/.
UNSCOPABLE = {
    (f"{PREFIX}-state-machine", "ExecutionLogDelivery"): ["*"],
    (f"{PREFIX}-state-machine", "RecordUnreportedFailures"): ["*"],
    (f"{PREFIX}-glue-job", "PublishJobMetrics"): ["*"],
    (f"{PREFIX}-glue-job", "JobLogs"): ["arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*"],
}


@pytest.mark.parametrize(
    ("role", "sid"), [("glue-job", "PublishJobMetrics"), ("state-machine", "RecordUnreportedFailures")]
)
def test_metrics_are_published_only_to_the_stack_namespace(role_policies, role, sid):
    (statement,) = [s for s in role_policies[f"{PREFIX}-{role}"] if s["Sid"] == sid]
    assert statement["Action"] == "cloudwatch:PutMetricData"
    assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": PREFIX}}


# Data Catalog names take underscores; Glue authorises partition calls on the account's catalog as well.
CATALOG_PREFIX = PREFIX.replace("-", "_")
CATALOG_ARN = "arn:aws:glue:us-east-1:123456789012:catalog"


def test_every_role_policy_resource_belongs_to_this_stack(role_policies, stack, plan_tools):
    unscoped = []
    for role, statements in role_policies.items():
        for statement in statements:
            resources = plan_tools.as_list(statement["Resource"])
            if (role, statement["Sid"]) in UNSCOPABLE:
                assert resources == UNSCOPABLE[(role, statement["Sid"])]
                continue
            unscoped += [
                (role, statement["Sid"], resource)
                for resource in resources
                if PREFIX not in resource
                and CATALOG_PREFIX not in resource
                and resource != stack["kms_key_arn"]
                and resource != CATALOG_ARN
            ]
    assert unscoped == []


def test_uploader_policy_lets_users_put_under_the_input_prefix_with_the_stack_key(stack):
    statements = {s["Sid"]: s for s in json.loads(stack["uploader_policy_json"])["Statement"]}
    input_arn = f"arn:aws:s3:::{stack['input_bucket_name']}/{stack['input_prefix']}*"
    assert statements["UploadInputFiles"]["Resource"] == input_arn
    assert statements["EncryptWithTheStackKey"]["Resource"] == stack["kms_key_arn"]


def test_reader_policy_lets_users_read_the_output_with_the_stack_key(stack):
    statements = {s["Sid"]: s for s in json.loads(stack["reader_policy_json"])["Statement"]}
    output_bucket = stack["bucket_names"]["output"]
    assert statements["ReadParquetAndRejects"]["Resource"] == f"arn:aws:s3:::{output_bucket}/*"
    assert statements["DecryptWithTheStackKey"]["Action"] == "kms:Decrypt"


def test_manifest_builder_is_granted_only_the_table_calls_it_makes(role_policies):
    statements = role_policies[f"{PREFIX}-manifest-builder"]
    (track_files,) = [statement for statement in statements if statement["Sid"] == "TrackFiles"]
    assert "dynamodb:BatchWriteItem" not in track_files["Action"]
