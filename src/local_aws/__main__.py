"""`local-aws`: run the local AWS emulator in the foreground, print the environment that uses it, or prepare
an environment's scratch copy with local state for Terraform runs against it."""

import argparse
import logging
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

from local_aws.bridged_server import BridgedMotoServer, PortInUseError
from local_aws.runner_endpoint import EndpointRunner
from local_aws.server import EXIT_PORT_IN_USE, emulator_env
from local_aws.stack import LocalStack, TerraformError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# The live platform's port: the AWS tools' usual one for a local endpoint, as in the Makefile.
LIVE_PORT = 4566


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.command(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="local-aws", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the emulator until SIGTERM or SIGINT",
        description="Run the emulator (moto server with this project's bridges) until SIGTERM or SIGINT.",
    )
    _add_address_arguments(serve)
    serve.add_argument(
        "--pidfile",
        type=Path,
        help="write the process id here once the emulator answers; removed on exit",
    )
    serve.add_argument(
        "--no-execute-state-machines",
        dest="execute_state_machines",
        action="store_false",
        help="keep moto's default of not running state machine executions",
    )
    serve.add_argument("--log-requests", action="store_true", help="log one line per request")
    serve.add_argument(
        "--glue-runner-url",
        help="a Glue runner served by the starting process (LocalAws does this; runner_endpoint.py)",
    )
    serve.add_argument(
        "--stop-with-pid",
        type=int,
        metavar="PID",
        help="stop when process PID ends (LocalAws passes its own), so no emulator is left behind",
    )
    serve.set_defaults(command=_serve)

    env = commands.add_parser(
        "env",
        help="print export lines pointing AWS SDKs and Terraform at the emulator",
        description='Print shell export lines for an emulator on HOST:PORT, e.g. eval "$(local-aws env)".',
    )
    _add_address_arguments(env)
    env.set_defaults(command=_env)

    prepare = commands.add_parser(
        "prepare",
        help="copy environments/ENV to .local/WORKSPACE with local state and run terraform init",
        description="Copy environments/ENV to .local/WORKSPACE beside a local-state backend override and run "
        "terraform init there (offline from the provider mirror when there is one). The state of an earlier "
        "apply in that copy is kept.",
    )
    prepare.add_argument("--environment", default="dev", help="a folder of environments/ (default dev)")
    prepare.add_argument("--workspace", help="folder under .local/ (default ENV-stack)")
    prepare.set_defaults(command=_prepare)

    up = commands.add_parser(
        "up",
        help="the live platform: the emulator, ENV applied to it, and event delivery, until SIGTERM",
        description="Start the emulator on PORT, apply environments/ENV to it, and deliver events as AWS "
        "does (SQS to Lambda, EventBridge rules and schedules, Glue runs on local Spark) until SIGTERM or "
        "SIGINT. `make up` runs it in the background.",
    )
    up.add_argument("--port", type=int, default=LIVE_PORT, help=f"emulator port (default {LIVE_PORT})")
    up.add_argument("--environment", default="dev", help="a folder of environments/ (default dev)")
    up.add_argument("--workspace", help="folder under .local/ of the Terraform copy (default ENV)")
    up.add_argument("--pidfile", type=Path, help="written once the platform is up; removed on exit")
    up.add_argument("--function-log", type=Path, help="where the functions' log lines and metrics go")
    up.add_argument(
        "--schedule-speedup",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="fire EventBridge schedules FACTOR times as often (tests; default 1)",
    )
    up.add_argument(
        "--event-retry-seconds",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="the first wait before an EventBridge target delivery is retried, doubling after (default 1)",
    )
    up.add_argument("--spark-master", default="local[2]", help="Spark master of the Glue runs")
    up.set_defaults(command=_up)
    return parser


def _add_address_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port; 0 picks a free one (default {DEFAULT_PORT})"
    )


def _serve(args: argparse.Namespace) -> int:
    stop_requested = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop_requested.set())
    if args.stop_with_pid:
        _stop_when_gone(args.stop_with_pid, stop_requested)

    server = BridgedMotoServer(
        execute_state_machines=args.execute_state_machines,
        port=args.port,
        host=args.host,
        log_requests=args.log_requests,
        glue_runner_lookup=EndpointRunner(args.glue_runner_url).lookup if args.glue_runner_url else None,
    )
    try:
        server.start()
    except PortInUseError as error:
        print(f"local-aws: {error}; is an emulator already running there?", file=sys.stderr)
        return EXIT_PORT_IN_USE
    try:
        if args.pidfile:
            args.pidfile.write_text(f"{os.getpid()}\n")
        print(f"local-aws: serving on {server.endpoint_url} (pid {os.getpid()})", flush=True)
        stop_requested.wait()
    finally:
        server.stop()
        if args.pidfile:
            args.pidfile.unlink(missing_ok=True)
    print("local-aws: stopped", flush=True)
    return 0


def _stop_when_gone(pid: int, stop_requested: threading.Event) -> None:
    def watch() -> None:
        while not stop_requested.wait(0.5):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                stop_requested.set()

    threading.Thread(target=watch, name=f"watch-pid-{pid}", daemon=True).start()


def _env(args: argparse.Namespace) -> int:
    for name, value in emulator_env(f"http://{args.host}:{args.port}", args.port).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    stack = LocalStack({}, args.environment, args.workspace, log=lambda _: None)
    try:
        stack.prepare(keep_state=True)
    except TerraformError as error:
        print(f"local-aws: {error}", file=sys.stderr)
        return 1
    print(f"local-aws: {stack.workdir} is ready (local state)")
    return 0


def _up(args: argparse.Namespace) -> int:
    # Imported here: the live platform pulls in the manifest builder and Spark, which `serve` never needs.
    from local_aws.live import LivePlatform

    # What the platform does (schedules fired, Glue runs) and what fails, beside the apply's lines; other
    # libraries only from warnings on.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("local_aws").setLevel(logging.INFO)

    platform = LivePlatform(
        args.port,
        args.environment,
        args.workspace,
        args.schedule_speedup,
        args.event_retry_seconds,
        args.spark_master,
        args.function_log,
        # Flushed: `make up` and the tests read the log file while it is written.
        log=lambda message: print(message, flush=True),
    )
    try:
        return platform.run(args.pidfile)
    except PortInUseError as error:
        print(
            f"local-aws: {error}; is an emulator already running there? (`make emulator-down`)",
            file=sys.stderr,
        )
        return EXIT_PORT_IN_USE
    except TerraformError as error:
        print(f"local-aws: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
