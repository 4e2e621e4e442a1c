"""gd2slack: the operator CLI (demo, render, send, synth, deploy, status, promote, traces...).

Not shipped in the Lambda image: it imports dev-only packages (moto, troposphere) lazily, per
command.
"""
