"""The moto gaps this project meets, bridged: one module per AWS service (the table in ../README.md).

`install()` patches moto's classes in the emulator's process when its server starts; `dynamodb` holds
context managers for in-process moto instead.
"""

from local_aws.bridges import awslambda, events, glue, s3, sqs, stepfunctions


def install() -> None:
    for bridge in (events, stepfunctions, glue, s3, awslambda, sqs):
        bridge.install()
