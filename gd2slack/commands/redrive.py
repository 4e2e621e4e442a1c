"""``gd2slack redrive``: put the messages in a stage's DLQ back on its queue.

A message lands in the DLQ when the function failed it ``maxReceiveCount`` times (Slack said no
for good, Secrets Manager or DynamoDB was down, a bug). Once the cause is fixed, redrive. What
holds: an event whose delivery was *confirmed* (Slack answered ok and the state table recorded
it) is a no-op on redrive. An unconfirmed one is posted again: Slack accepted but its answer was
lost, or the function died between Slack's ok and the state write (the README's two duplicate
windows); redriving such a message can show it twice in the channel.

Two ways to move:

* SQS's own ``StartMessageMoveTask`` (the console's "Start DLQ redrive"): server-side, keeps
  bodies and attributes; used by default and followed with ``ListMessageMoveTasks`` until done.
* a receive → send → delete loop: used with ``--max`` (a move task cannot stop at N), when the
  endpoint has no move task (moto, some emulators), or when forced with ``--loop``. It copies the
  body, message attributes and the X-Ray trace header, and deletes a message from the DLQ only
  after the queue accepted its copy, so a failure half-way loses nothing (at worst a message is
  on both queues; the handler posts it once if its first delivery is confirmed before the copy
  is processed).

``--dry-run`` counts the DLQ and shows the first few messages (id, receive count, finding id and
type when the body is a GuardDuty event) without moving anything; bodies are never printed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from gd2slack.commands import add_command
from gd2slack.errors import CliError
from gd2slack.ops.aws import clients_from_args
from gd2slack.ops.dlq import (
    move_with_loop,
    move_with_task,
    moved_line,
    preview,
    queue_name,
    resolve_queues,
)


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "redrive",
        help="move the stage's DLQ messages back to its queue, report how many",
        run=run,
        doc=__doc__,
        aws_arguments="stage",
    )
    parser.add_argument("--max", type=int, help="move at most N messages (uses the copy loop)")
    parser.add_argument("--dry-run", action="store_true", help="count and preview, move nothing")
    parser.add_argument("--queue-url", help="source queue (default: the stack's QueueUrl)")
    parser.add_argument("--dlq-url", help="dead-letter queue (default: the stack's DLQ output)")
    parser.add_argument(
        "--rate", type=int, help="move task: MaxNumberOfMessagesPerSecond (default: SQS's)"
    )
    parser.add_argument(
        "--loop", action="store_true", help="use the receive/send/delete loop, not a move task"
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="start the move task and return without waiting"
    )


def run(args: argparse.Namespace, sleep: Callable[[float], None] = time.sleep) -> int:
    if args.max is not None and args.max < 1:
        raise CliError("--max must be at least 1", 2)
    if bool(args.queue_url) != bool(args.dlq_url):
        raise CliError("pass both --queue-url and --dlq-url, or neither (stack outputs)", 2)
    clients = clients_from_args(args)
    queues = resolve_queues(clients, args.stage, args.queue_url, args.dlq_url)
    print(f"DLQ {queue_name(queues.dlq_url)}: about {queues.dlq_depth} message(s)")
    if args.dry_run:
        print(preview(clients, queues))
        print("Dry run: nothing moved.")
        return 0
    if queues.dlq_depth == 0 and args.max is None:
        print("Nothing to move.")
        return 0
    if args.max is None and not args.loop:
        moved = move_with_task(clients, queues, args.rate, wait=not args.no_wait, sleep=sleep)
        if moved is not None:
            return 0
        print("This endpoint has no SQS message move task: copying message by message.")
    moved_count = move_with_loop(clients, queues, args.max)
    print(moved_line(moved_count, queues))
    return 0
