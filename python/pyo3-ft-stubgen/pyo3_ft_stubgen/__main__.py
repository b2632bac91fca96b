"""``python -m pyo3_ft_stubgen MODULE [--out DIR] [--check]``: writes the
stub of ``MODULE`` under ``DIR`` (default: the current directory), or with
``--check`` fails if the file there differs from what the module gives."""

import argparse
import sys
from pathlib import Path

from . import stub, stub_path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pyo3_ft_stubgen")
    parser.add_argument("module", help="the extension module, e.g. ftbench")
    parser.add_argument("--out", type=Path, default=Path.cwd())
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    text = stub(args.module)
    path = stub_path(args.module, args.out)
    if args.check:
        current = path.read_text() if path.is_file() else None
        if current != text:
            print(f"{path} is out of date: run `python -m pyo3_ft_stubgen {args.module}`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}")
    return 0


sys.exit(main())
