# GuardDuty-to-Slack Lambda image: the runtime requirement closure and app/, nothing else.
# Build for the function's architecture (template: arm64):
#   docker buildx build --platform linux/arm64 --provenance=false -t <ecr-repo>:<commit> .
#
# Base image pinned by exact tag and digest. To refresh, pick the newest dated tag of
# public.ecr.aws/lambda/python (gallery.ecr.aws/lambda/python) for 3.13 and take its
# multi-architecture index digest:
#   docker buildx imagetools inspect public.ecr.aws/lambda/python:3.13 --format '{{json .Manifest.Digest}}'
# then update both the tag and the digest below in one commit.
FROM public.ecr.aws/lambda/python:3.13.2025.12.15.13@sha256:995c3cd4acfc0681c21cf04fe9754560e30a5d9c5b011b8c405ad1927ca4fdb6

# Pinned closure (tests/integration/test_image_contents.py installs exactly this and runs the handler from
# it alone). A bundled boto3 in the task root wins over the base image's.
COPY requirements/runtime.txt /tmp/requirements/runtime.txt
RUN pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements/runtime.txt --target "${LAMBDA_TASK_ROOT}" \
    && rm -r /tmp/requirements

COPY app/ ${LAMBDA_TASK_ROOT}/app/
# The task root is read-only at run time: compile now, or every cold start compiles app/.
RUN python -m compileall -q "${LAMBDA_TASK_ROOT}/app"

CMD ["app.handler.lambda_handler"]
