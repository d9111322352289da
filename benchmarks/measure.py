"""Run one command and write "wall cpu peak-rss-KiB exit-code started" to the file named first
(started: the system-wide monotonic clock when the command was launched).

    python measure.py RESULT_FILE cmd args...

Why a separate small process: a child's peak RSS as the kernel reports it includes the memory of the
process it was forked from, so the benchmark (which holds large ledgers) would inflate every figure.
Forked from this small process, a command's peak is its own. Standard streams pass through.
"""

import os
import subprocess
import sys
import time

result, argv = sys.argv[1], sys.argv[2:]
started = time.monotonic()
start = time.perf_counter()
proc = subprocess.Popen(argv)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
with open(result, "w") as fh:
    fh.write(f"{wall!r} {usage.ru_utime + usage.ru_stime!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {started!r}")
