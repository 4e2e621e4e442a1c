"""A Lambda context object for running the handler outside Lambda (demo, tests, bench).

It carries the attributes Powertools reads and a real deadline, so delivery bounds behave as
they would in Lambda.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field


@dataclass
class LocalLambdaContext:
    timeout_seconds: float = 60.0
    function_name: str = "gd2slack-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:gd2slack-local:live"
    log_group_name: str = "/aws/lambda/gd2slack-local"
    log_stream_name: str = "local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(int(left * 1000), 0)
