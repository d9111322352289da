"""A pager for the benchmark: read ROWS lines, note the system-wide monotonic time in STAMP, quit.

    PAGER="python screen_pager.py ROWS STAMP" kjplan log

It quits as a reader who has seen the first screen quits `less`: kjplan must then stop quietly.
"""

import sys
import time

rows, stamp = int(sys.argv[1]), sys.argv[2]
seen = 0
for _ in sys.stdin.buffer:
    seen += 1
    if seen >= rows:
        break
with open(stamp, "w") as fh:
    fh.write(repr(time.monotonic()))
