"""``python -m curate.sample OUT.warc.gz``: write the embedded sample WARC."""
from __future__ import annotations

import argparse

from . import SAMPLE_DUMP, build_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m curate.sample",
        description=f"Write the deterministic sample WARC ({SAMPLE_DUMP}) used by `make demo` and the tests.",
    )
    parser.add_argument("out", help="output path, e.g. data/sample.warc.gz")
    args = parser.parse_args(argv)
    path = build_sample(args.out)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
