"""``build/imagedetail.json``: which image the Build stage produced, by digest.

The Build stage writes it; the deploy actions read it and turn the home-region URI into the URI
of the ECR replica in their target region (Lambda pulls only from its own region's registry;
the digest is the same everywhere, so what is deployed is exactly what was tested).

    python -m pipeline.imagedetail write --out build/imagedetail.json --image-uri URI --tag TAG
    python -m pipeline.imagedetail uri build/imagedetail.json --region eu-west-1
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.(?P<domain>amazonaws\.com(?:\.cn)?)"
    r"/(?P<repository>[a-z0-9][a-z0-9._/-]*)"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64})|:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))$"
)


@dataclass(frozen=True)
class EcrImage:
    """An ECR image reference, by digest or tag."""

    account: str
    region: str
    domain: str
    repository: str
    digest: str | None
    tag: str | None

    @classmethod
    def parse(cls, uri: str) -> EcrImage:
        match = _ECR_URI.match(uri)
        if match is None:
            raise ValueError(
                f"not an ECR image URI with a digest or tag: {uri!r} (expected "
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY@sha256:DIGEST)"
            )
        return cls(
            account=match["account"],
            region=match["region"],
            domain=match["domain"],
            repository=match["repository"],
            digest=match["digest"],
            tag=match["tag"],
        )

    @property
    def uri(self) -> str:
        ref = f"@{self.digest}" if self.digest else f":{self.tag}"
        return f"{self.account}.dkr.ecr.{self.region}.{self.domain}/{self.repository}{ref}"

    def in_region(self, region: str) -> EcrImage:
        """The same image in another region's registry (where ECR replication puts it)."""
        return EcrImage(self.account, region, self.domain, self.repository, self.digest, self.tag)


def regional_image_uri(uri: str, region: str) -> str:
    return EcrImage.parse(uri).in_region(region).uri


def write(path: Path, image_uri: str, tag: str) -> None:
    image = EcrImage.parse(image_uri)
    if image.digest is None:
        raise ValueError("imagedetail.json records a digest URI, not a tag")
    detail = {"ImageURI": image.uri, "ImageDigest": image.digest, "ImageTag": tag}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(detail, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_uri(path: Path) -> str:
    detail = json.loads(path.read_text(encoding="utf-8"))
    uri = detail.get("ImageURI") if isinstance(detail, dict) else None
    if not isinstance(uri, str):
        raise ValueError(f"{path}: no ImageURI")
    return uri


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.imagedetail")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="record the built image")
    w.add_argument("--out", type=Path, required=True)
    w.add_argument("--image-uri", required=True)
    w.add_argument("--tag", required=True)
    u = sub.add_parser("uri", help="print the image URI for a region")
    u.add_argument("path", type=Path)
    u.add_argument("--region", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "write":
            write(args.out, args.image_uri, args.tag)
        else:
            print(regional_image_uri(read_uri(args.path), args.region))
    except (OSError, ValueError) as err:
        print(f"imagedetail: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
