"""Chaos, bounded: three worker processes drain a real SQS queue (moto_server) into a hostile
Slack (429 + Retry-After, 5xx, resets, slow answers, accept-then-close) over four webhooks,
while workers are killed with SIGKILL mid-batch. Publications: first sight, repeats, a count
milestone, an escalation, exact duplicates, in any order. Asserted, never timed:

* nothing lost: every finding reached Slack at its highest band and count milestone, and no
  message is left on the queue or in the DLQ;
* no message no rule asked for: each message raises its finding's band or milestone over the
  messages before it, unless it is a duplicate;
* duplicates only from the two documented windows: Slack accepted a POST whose answer never
  came (accept-then-close, an answer slower than the read timeout), or a worker was killed
  after Slack accepted and before the state write.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.adapters.slack import READ_TIMEOUT
from app.core.noise import milestone
from app.core.severity import band_for
from bench.harness import aws_env, client, depth, make_queue, moto_server, wait_until, workers
from gd2slack.local.slack_receiver import (
    ACCEPT_THEN_CLOSE,
    RESET,
    SERVER_ERROR,
    Reply,
    SlackReceiver,
)
from gd2slack.local.state_table import create_state_table
from tests.conftest import minimal_event

ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"]
FINDINGS_PER_ACCOUNT = 5
# (hour, count, severity): first sight, a repeat, the count crossing 10, an escalation.
PUBLICATIONS = [(9, 1, 5.0), (10, 2, 5.0), (11, 12, 5.0), (12, 13, 8.0)]
TABLE = "chaos-state"


class Faults:
    """A seeded fault plan: about a third of the answers are hostile."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.choices: list[tuple[float, Reply]] = [
            (0.08, SERVER_ERROR),
            (0.06, RESET),
            (0.06, ACCEPT_THEN_CLOSE),
            (0.05, Reply(delay=READ_TIMEOUT + 1)),  # accepted, answered too late
            (0.05, Reply(429, "rate_limited", {"Retry-After": "1"})),
        ]

    def __call__(self) -> Reply | None:
        with self.lock:
            roll = self.random.random()
        for chance, reply in self.choices:
            if roll < chance:
                return reply
            roll -= chance
        return None


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def _events() -> list[dict[str, Any]]:
    events = []
    for a, account in enumerate(ACCOUNTS):
        for n in range(FINDINGS_PER_ACCOUNT):
            finding_id = f"{a:02d}{n:030x}"
            for p, (hour, count, severity) in enumerate(PUBLICATIONS):
                event = minimal_event(
                    finding_id,
                    severity=severity,
                    count=count,
                    event_id=f"evt-{finding_id}-{p}",
                    updated_at=f"2026-11-28T{hour:02d}:00:00Z",
                    accountId=account,
                )
                events.append(event)
    duplicates = random.Random(7).sample(events, 10)  # at-least-once: the same event twice
    shuffled = events + duplicates
    random.Random(11).shuffle(shuffled)
    return shuffled


def test_chaos_nothing_lost_nothing_unasked_duplicates_only_in_the_windows(endpoint: str) -> None:
    sqs, dynamodb, secrets = (client(s, endpoint) for s in ("sqs", "dynamodb", "secretsmanager"))
    create_state_table(dynamodb, TABLE)
    # Seeded faults, but which record meets which answer depends on timing: a record can fail
    # several receives in a row. Enough receives that only a real loss reaches the DLQ, and a
    # short retry cap so a fourth receive does not wait 125-250 s.
    queue, dlq = make_queue(sqs, "chaos", visibility=8, max_receives=25)
    kills: list[float] = []
    with SlackReceiver(rate_per_second=1.0, burst=3, faults=Faults(seed=3)) as slack:
        routes = [{"match": {"accounts": [a]}, "route": f"r{a[0]}"} for a in ACCOUNTS]
        secret = {f"r{a[0]}": slack.url(f"/services/T1/B{a[0]}/x") for a in ACCOUNTS}
        secrets.create_secret(Name="hooks", SecretString=json.dumps(secret))
        for event in _events():
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(event))
        env = aws_env(endpoint) | {
            "SLACK_WEBHOOKS_SECRET_ID": "hooks",
            "ROUTES": json.dumps(routes),
            "STATE_TABLE": TABLE,
            "DIGEST_THRESHOLD": "0",
            "WORKER_QUEUE_URL": queue,
            "WORKER_TIMEOUT": "6",  # the queue's visibility (8 s) is longer, as the stack's
            "WORKER_MAX_RETRY_DELAY": "10",
        }
        with workers(3, env) as pool:
            chooser = random.Random(5)
            for _ in range(3):  # three environments die mid-batch
                wait_until(lambda: False, limit=3)
                pool.kill(chooser.randrange(len(pool.processes)))
                kills.append(time.monotonic())
                pool.spawn()
            drained = wait_until(lambda: depth(sqs, queue) == 0, limit=300)  # a guard
        posts = list(slack.posts)
    assert drained, f"{depth(sqs, queue)} messages still queued"
    assert depth(sqs, dlq) == 0
    _assert_outcomes(posts, kills)


def _assert_outcomes(posts: list[Any], kills: list[float]) -> None:
    by_finding: dict[str, list[Any]] = {}
    for post in sorted(posts, key=lambda p: p.at):  # the channel's order: when Slack took each
        if post.status == 200:
            by_finding.setdefault(_finding_id(post.payload), []).append(post)
    expected = {
        f"{a:02d}{n:030x}" for a in range(len(ACCOUNTS)) for n in range(FINDINGS_PER_ACCOUNT)
    }
    assert set(by_finding) == expected  # every finding reached Slack
    top = (band_for(PUBLICATIONS[-1][2]).rank, milestone(PUBLICATIONS[-1][1]))
    for finding_id, messages in by_finding.items():
        best = (-1, -1)
        for n, post in enumerate(messages):
            band, tens = _level(post.payload)
            if band > best[0] or tens > best[1]:
                best = (max(best[0], band), max(best[1], tens))
                continue
            # Not news: only a duplicate from a documented window may be here.
            windows = [
                _ambiguous(e) or any(e.at < k < post.at for k in kills) for e in messages[:n]
            ]
            assert any(windows), (finding_id, [(_level(p.payload), p.reply) for p in messages])
        assert best == top, (finding_id, best)  # the newest band and milestone were told


def _finding_id(payload: dict[str, Any]) -> str:
    """From the lead's context line: ``<type> · Finding ID <id>``."""
    text = json.dumps(payload)
    return re.split(r"[\s`\"]", text.split("Finding ID ", 1)[1].lstrip("`"), maxsplit=1)[0]


def _level(payload: dict[str, Any]) -> tuple[int, int]:
    """(band rank, count milestone) a message told: the score in the header, the Count field."""
    header = payload["blocks"][0]["text"]["text"]
    score = re.search(r" (\d+(?:\.\d+)?) · ", header)
    assert score, header
    band = band_for(float(score.group(1))).rank
    fields = [
        f["text"] for block in payload["blocks"] for f in block.get("fields", []) if "text" in f
    ]
    count = next(
        int(t.split("\n", 1)[1].replace(",", "")) for t in fields if t.startswith("*Count*")
    )
    return band, milestone(count)


def _ambiguous(post: Any) -> bool:
    """Slack took it but the sender never heard so (window 2)."""
    return bool(post.reply.drop == "after-accept" or post.reply.delay > READ_TIMEOUT)
