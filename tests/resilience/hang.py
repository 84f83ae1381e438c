"""Test glue: make a server or worker process stop at a chosen point, so that a test can kill it there.

`install_from_env()` wraps each "module:attribute" of NHCS_TEST_HANG_AT: while the file NHCS_TEST_HANG_FILE
exists, a call writes the process id into "<file>.reached" and waits (until the file is removed or two
minutes pass), then goes on. Nothing changes while the file does not exist.
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from pathlib import Path


def _wrap(original, flag: str):
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if os.path.exists(flag):
            Path(flag + ".reached").write_text(str(os.getpid()))
            deadline = time.monotonic() + 120
            while os.path.exists(flag) and time.monotonic() < deadline:
                time.sleep(0.05)
        return original(*args, **kwargs)

    return wrapper


def install_from_env() -> None:
    flag = os.environ.get("NHCS_TEST_HANG_FILE", "")
    if not flag:
        return
    for target in filter(None, os.environ.get("NHCS_TEST_HANG_AT", "").split(",")):
        module_name, _, path = target.partition(":")
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, name, _wrap(getattr(owner, name), flag))
