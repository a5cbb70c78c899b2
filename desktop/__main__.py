"""`python -m desktop` does what the `jifen` console script does.

The guard matters: a batch of 政绩档案 is laid out in worker processes started with "spawn",
which import this module again (as `__mp_main__`); the program must not start a second time
in each of them. `freeze_support` lets the installed (PyInstaller) program be such a worker.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from desktop.cli import main

    raise SystemExit(main())
