"""Run every benchmark and print one ``bench <name>: …`` line each.

Each figure is a ratio against a baseline measured in the same run on the same machine, so
it means something on a laptop and on a CI box alike. Targets are printed next to the
figures; nothing here fails a build.
"""

from __future__ import annotations

import sys

from bench import burst, burst_app, cold, footprint, noise, recovery, warm


def main() -> int:
    warm.run()
    cold.run()
    cold.run_interactions()
    burst.run()
    burst_app.run()
    recovery.run()
    noise.run()
    noise.run_app()
    print(f"bench footprint: runtime_deps_mb={footprint.runtime_deps_mb():.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
