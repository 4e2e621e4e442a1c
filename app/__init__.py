"""GuardDuty findings to Slack: the Lambda handler and its pure core."""
