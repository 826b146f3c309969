"""EventBridge rules with a Step Functions target start an execution, as EventBridge does.

moto sends the events of a rule to its log group, SQS, archive and event bus targets only, and raises
NotImplementedError for any other (events/models.py, Rule.send_to_targets), which S3 swallows: a bucket's
EventBridge notification reaches no state machine, and a run request written under config/runs/ would
start nothing. moto keeps its targets; a state machine target is started here. Two more moto habits would
stop the events before they reach such a rule, as S3 hands each event to every rule in one try: a schedule
rule, which has no pattern, matches every event, and a target moto does not send to (a Lambda function, an
SNS topic) raises. Here a schedule rule receives no events (as on AWS), and an unsupported target is skipped.
Here a state machine target is started with the target's input (its input transformer applied to the event,
its Input, or the event), under a generated name.
"""

import logging
from typing import Any

from moto.events.models import Rule
from moto.utilities.arns import parse_arn

logger = logging.getLogger(__name__)

_moto_send_to_targets = Rule.send_to_targets


def send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
    if self.scheduled_expression and not self.event_pattern.get_pattern():
        return
    machines = [target for target in self.targets if parse_arn(target["Arn"]).service == "states"]
    others = [target for target in self.targets if target not in machines]
    if others:
        targets, self.targets = self.targets, others
        try:
            _moto_send_to_targets(self, original_event, transform_input)
        except NotImplementedError:
            logger.debug("rule %s: a target moto does not send events to was skipped", self.name)
        finally:
            self.targets = targets
    if not machines or not self.event_pattern.matches_event(original_event):
        return
    from moto.stepfunctions.responses import get_backend

    from local_aws.delivery.events import target_input

    for target in machines:
        arn = parse_arn(target["Arn"])
        try:
            get_backend(arn.account, arn.region).start_execution(
                target["Arn"], None, target_input(target, original_event)
            )
        # EventBridge delivers asynchronously: a failed start never fails the call that sent the event.
        except Exception:
            logger.exception("rule %s: could not start %s", self.name, target["Arn"])


def install() -> None:
    Rule.send_to_targets = send_to_targets
