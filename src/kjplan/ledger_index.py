"""The ledger index: what a full read of progress/<year>.jsonl gives, kept between commands and brought
up to date by reading only what was appended since.

A full read of 100,000 records validates every line and resolves every amendment (seconds); a command
that finds the index up to date reads one file and builds the records (a fraction of that). The index
is a cache (kjplan.cache): in the user's cache folder, one per ledger file, never in the workspace.

What it holds: the byte offset up to which it covers the ledger, the SHA-256 of those bytes and their
line count; what a full read of them gives (the resolved records in date order, the lines that could
not be loaded, with the reason); and what resolving further lines needs (the root record of every
entry id, the ids that entries refer to, the retracted roots, the number of entries). The records are
stored in two parts, the newest NEWEST and the older ones, so that `log` (load_newest) shows its first
screen, and `log -n 20` all it needs, from the newest part alone. Beside it, a small stamp records the
ledger's identity (device, inode, size, modification and change times) when the covered bytes were
last checked.

Reading, every time:
1. The covered bytes are the ledger's own when the stamp matches the file and was taken well after its
   last change (later than the file system's clock can blur); otherwise they are hashed and compared.
2. Anything else - a shorter file, other bytes (`check --repair`, a union merge in the middle, a hand
   edit, a different file), a missing, damaged or foreign index - means a full read, which rebuilds it.
3. The lines after the covered bytes are read and resolved onto the records, exactly as a full read
   would resolve them. The few cases where a line could change what earlier lines mean (an entry whose
   id is already known or already referred to: a merge's duplicate, a correction that arrived before
   its record) are read in full instead.
A final line without its newline (a write in progress, a hand-edited end) is read every time and never
stored. The result is always what ledger.load + records.resolve give for the same bytes; the tests
compare the two byte for byte.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import time
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kjplan import cache
from kjplan.errors import DataError, os_reason

FORMAT = "2"
# The newest records are stored apart from the older ones: log's first screen and `log -n` decode only
# them (a few milliseconds), the older ones as the listing reaches them.
NEWEST = 2000
CHUNK = 1 << 20
# How long after a file's last change its timestamps can be trusted to show a further change: the
# granularity of the file system's clock (a jiffy on Linux, 100 ns ticks at 15.6 ms on Windows, two
# seconds on FAT), with room to spare.
SETTLE_NS = 100_000_000
SETTLE_COARSE_NS = 3_000_000_000
# Rewrite the index when this many bytes were appended since it was written; smaller tails are read
# each time (a few lines cost less than rewriting the index).
REWRITE_AFTER = 256 * 1024


@dataclass
class Snapshot:
    """What the ledger holds: the resolved records (latest versions, date order) and its bad lines."""

    records: list = field(default_factory=list)
    problems: list[DataError] = field(default_factory=list)


class _Rebuild(Exception):
    """An appended line that could change what earlier lines mean: read the ledger in full."""


# ------------------------------------------------------------------------------------------- state

@dataclass
class _State:
    covered: int = 0  # bytes of the ledger the state covers (always just after a newline)
    lines: int = 0  # newlines in those bytes
    sha: str = hashlib.sha256(b"").hexdigest()
    count: int = 0  # valid, distinct entries so far (the next entry's place in line order)
    problems: list = field(default_factory=list)  # (line, detail) of the lines that could not be loaded
    sorted_rows: list | None = field(default_factory=list)  # the records in date order, when known
    # What resolving further lines needs (stored apart: only read when lines were appended).
    rows: dict | None = None  # root id -> record, for every live record
    position: dict = field(default_factory=dict)  # root id -> the original's place in line order
    root_of: dict = field(default_factory=dict)  # every entry id -> the id of the record it belongs to
    referenced: set = field(default_factory=set)  # ids named by a `supersedes` or a `retracts`
    retracted: set = field(default_factory=set)  # roots withdrawn by a retraction
    resolvable: bool = True  # False: loaded without the part above
    # Read from the index: the number of records and the newest of them; the older ones are read when
    # asked for (from the index's "older" file).
    total: int | None = None
    newest: list | None = None
    path: Path | None = None

    def ordered(self) -> list:
        if self.sorted_rows is None:
            if self.newest is not None:
                self.sorted_rows = self.older_rows()
                self.sorted_rows += self.newest
                self.newest = None
            else:
                position = self.position
                self.sorted_rows = sorted(self.rows.values(), key=lambda r: (r.date, position[r.id]))
        return self.sorted_rows

    def older_rows(self) -> list:
        """The records before the newest, from the index's older part; raises when it is not there or
        belongs to another state (a race with a writer)."""
        payload = cache.read(cache.entry_path(self.path, "older"), _expect(self.path))
        if payload is None:
            raise ValueError("no older part")
        fmt, covered, sha, columns = cache.loads(payload)
        del payload
        if (fmt, covered, sha) != (FORMAT, self.covered, self.sha):
            raise ValueError("another state")
        return _from_columns(columns)

    def editable(self) -> dict:
        if self.rows is None:
            self.rows = {record.id: record for record in self.ordered()}
        return self.rows

    def main_payloads(self) -> tuple[bytes, bytes]:
        """(the index: what the state covers, its problems and newest records; its older records)."""
        rows = self.ordered()
        cut = max(0, len(rows) - NEWEST)
        return (cache.dumps((FORMAT, self.covered, self.lines, self.sha, self.count, self.problems, len(rows),
                             _columns(rows[cut:]))),
                cache.dumps((FORMAT, self.covered, self.sha, _columns(rows[:cut]))))

    def resolve_payload(self) -> bytes:
        return cache.dumps((FORMAT, self.covered, self.sha, self.position, self.root_of, self.referenced,
                            self.retracted))

    @classmethod
    def from_payload(cls, payload: bytes, path: Path) -> _State:
        fmt, covered, lines, sha, count, problems, total, newest = cache.loads(payload)
        if fmt != FORMAT:
            raise ValueError(fmt)
        return cls(covered, lines, sha, count, problems, None, resolvable=False, total=total,
                   newest=_from_columns(newest), path=path)

    def add_resolution(self, payload: bytes) -> None:
        fmt, covered, sha, position, root_of, referenced, retracted = cache.loads(payload)
        if (fmt, covered, sha) != (FORMAT, self.covered, self.sha):
            raise ValueError("another state")
        self.position, self.root_of, self.referenced, self.retracted = position, root_of, referenced, retracted
        self.resolvable = True


def _columns(rows: list) -> tuple:
    """Records as stored: one list per field (pickle loads a list of strings in bulk), dates and times
    as ISO text, repeated short texts (quarter, status, unit, name, empty problems) one object each."""
    shared: dict[str, str] = {}
    share = lambda value: shared.setdefault(value, value)  # noqa: E731
    if not rows:
        return ((),) * 15
    (ids, versions, items, quarters, dates, texts, statuses, units, bys, metrics, problems, nexts, created,
     updated, amended) = zip(*rows)
    created_text = [c.isoformat() for c in created]
    return (ids, versions, items, [share(q) for q in quarters], [d.isoformat() for d in dates], texts,
            [s and share(s) for s in statuses], [share(u) for u in units], [share(b) for b in bys],
            [{share(k): v for k, v in m.items()} for m in metrics], [share(p) for p in problems],
            [share(n) for n in nexts], created_text,
            [None if u == c else u.isoformat() for u, c in zip(updated, created)], amended)


def _from_columns(columns: tuple) -> list:
    """The records of _columns(): built by C code (zip, map), no Python call per record."""
    from functools import partial

    from kjplan.records import Record

    (ids, versions, items, quarters, dates, texts, statuses, units, bys, metrics, problems, nexts, created,
     updated, amended) = columns
    day = {text: dt.date.fromisoformat(text) for text in set(dates)}
    created = list(map(dt.datetime.fromisoformat, created))
    updated = [c if u is None else dt.datetime.fromisoformat(u) for u, c in zip(updated, created)] \
        if any(u is not None for u in updated) else created
    return list(map(partial(tuple.__new__, Record), zip(ids, versions, items, quarters, map(day.__getitem__, dates),
                                                         texts, statuses, units, bys, metrics, problems, nexts,
                                                         created, updated, amended)))


def _entry_row(entry, original=None):
    """The record whose latest version is `entry` (original: the record so far, None for the original)."""
    from kjplan.records import Record

    if original is None:
        root, by, created, amended = entry.id, entry.by, entry.created, False
    else:
        root, by, created, amended = original.id, original.by, original.created, True
    return Record(root, entry.id, entry.item, entry.quarter, entry.date, entry.text, entry.status, entry.unit,
                  by, dict(entry.metrics), entry.problems, entry.next, created, entry.created, amended)


def _build(data: bytes, path: Path) -> _State:
    """The state of a full read of `data` (complete lines only)."""
    from kjplan import ledger
    from kjplan.records import resolution

    covered = data.rfind(b"\n") + 1
    book = ledger.scan(data[:covered], path)
    done = resolution(book.entries)
    state = _State(covered=covered, lines=data.count(b"\n", 0, covered),
                   sha=hashlib.sha256(data[:covered]).hexdigest(), count=len(book.entries),
                   problems=[(p.line, p.detail) for p in book.problems], sorted_rows=done.records)
    state.position = {r.id: done.position[r.id] for r in done.records}
    state.root_of = done.root_of
    state.referenced = done.referenced
    state.retracted = done.retracted
    return state


def _advance(state: _State, data: bytes, path: Path) -> None:
    """Resolve complete lines appended after what `state` covers onto it (as a full read would)."""
    from kjplan import ledger
    from kjplan.records import AmendEntry, ProgressEntry, RetractEntry

    book = ledger.scan(data, path, first_line=state.lines + 1)
    if book.entries:
        rows = state.editable()
        for entry in book.entries:
            if entry.id in state.root_of or entry.id in state.referenced:
                raise _Rebuild  # a duplicate from a merge, or a record whose correction came first
            order = state.count
            state.count += 1
            if isinstance(entry, ProgressEntry):
                state.root_of[entry.id] = entry.id
                state.position[entry.id] = order
                rows[entry.id] = _entry_row(entry)
            elif isinstance(entry, AmendEntry):
                state.referenced.add(entry.supersedes)
                root = state.root_of.get(entry.supersedes, entry.supersedes)
                state.root_of[entry.id] = root
                old = rows.get(root)
                if old is not None:
                    rows[root] = _entry_row(entry, old)
            elif isinstance(entry, RetractEntry):
                state.referenced.add(entry.retracts)
                root = state.root_of.get(entry.retracts, entry.retracts)
                state.root_of[entry.id] = entry.id
                state.retracted.add(root)
                rows.pop(root, None)
        state.sorted_rows = None
    state.problems.extend((p.line, p.detail) for p in book.problems)
    state.covered += len(data)
    state.lines += data.count(b"\n")


def _snapshot(state: _State, path: Path) -> Snapshot:
    return Snapshot(list(state.ordered()), [DataError(path, line, detail) for line, detail in state.problems])


# ------------------------------------------------------------------------------------------ reading

@contextmanager
def _no_collector():
    """Building 100,000 records allocates a million objects and no cycles: the cyclic collector would
    walk them all again and again (it halves the time to leave it off). What survives (the records) is
    frozen out of its sight afterwards, or its first run would walk all of it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _signature(st: os.stat_result) -> list:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _settled(signature: list, checked_ns: int) -> bool:
    """Whether a change after `checked_ns` would have changed the timestamps in `signature`."""
    mtime, ctime = signature[3], signature[4]
    coarse = mtime % 1_000_000 == 0 and ctime % 1_000_000 == 0  # whole milliseconds or coarser: FAT, SMB
    return max(mtime, ctime) + (SETTLE_COARSE_NS if coarse else SETTLE_NS) < checked_ns


def _expect(path: Path) -> dict:
    return {"source": os.path.realpath(path), "code": cache.code_fingerprint(), "format": FORMAT}


def _read_state(path: Path, *, lazy: bool = False) -> _State | None:
    """The stored state; its records decoded (lazy: only the newest; the older ones when asked)."""
    payload = cache.read(cache.entry_path(path, "index"), _expect(path))
    if payload is None:
        return None
    try:
        state = _State.from_payload(payload, path)
        if not lazy:
            state.ordered()
        return state
    except Exception:  # whatever a damaged or foreign file makes unpickling do: a miss
        return None


def _read_resolution(path: Path, state: _State) -> bool:
    payload = cache.read(cache.entry_path(path, "resolve"), _expect(path))
    if payload is None:
        return False
    try:
        state.add_resolution(payload)
    except Exception:
        return False
    return True


def _stamp_fits(path: Path, state: _State, signature: list) -> bool:
    """The stamp says these covered bytes were checked when the file had this signature, late enough."""
    payload = cache.read(cache.entry_path(path, "stamp"), _expect(path))
    if payload is None:
        return False
    try:
        covered, sha, stamped, checked_ns = cache.loads(payload)
    except Exception:
        return False
    return covered == state.covered and sha == state.sha and stamped == signature and _settled(stamped, checked_ns)


def _write_stamp(path: Path, state: _State, signature: list, checked_ns: int) -> None:
    entry = cache.entry_path(path, "stamp")
    if entry is not None:
        cache.write(entry, _expect(path), cache.dumps((state.covered, state.sha, signature, checked_ns)))


def _write_state(path: Path, state: _State) -> None:
    """The resolution and the older records first: a reader that finds the new index finds its other
    parts too (or, in a race with another writer, parts that do not fit, which is a miss)."""
    resolve, older, main = (cache.entry_path(path, kind) for kind in ("resolve", "older", "index"))
    if resolve is None:
        return
    head, rest = state.main_payloads()
    if cache.write(resolve, _expect(path), state.resolve_payload()) and cache.write(older, _expect(path), rest):
        cache.write(main, _expect(path), head)


def _extended_sha(fh, covered: int, sha: str, tail: bytes) -> str | None:
    """The SHA-256 of the ledger's first `covered` bytes and then `tail`, when those first bytes still
    hash to `sha`; else None."""
    fh.seek(0)
    digest = _prefix_digest(fh, covered)
    if digest is None or digest.hexdigest() != sha:
        return None
    digest.update(tail)
    return digest.hexdigest()


def _prefix_sha(fh, size: int) -> str | None:
    digest = _prefix_digest(fh, size)
    return None if digest is None else digest.hexdigest()


def _prefix_digest(fh, size: int):
    digest = hashlib.sha256()
    left = size
    while left:
        chunk = fh.read(min(CHUNK, left))
        if not chunk:
            return None  # the file shrank while it was read
        digest.update(chunk)
        left -= len(chunk)
    return digest


def load(path: Path) -> Snapshot:
    """The records and bad lines of a ledger file, as ledger.load + records.resolve give them."""
    path = Path(path)
    if cache.entry_path(path, "index") is None:
        return _full(path)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return Snapshot()
    except OSError as exc:
        raise DataError(path, None, f"无法读取进度记录文件（{os_reason(exc)}）") from None
    try:
        with fh, _no_collector():
            return _load(fh, path)
    except OSError as exc:
        raise DataError(path, None, f"无法读取进度记录文件（{os_reason(exc)}）") from None


@dataclass
class Newest:
    """A ledger's records, the newest first at hand: `log` shows its first screen (or `log -n 20` all it
    needs) before the older records are decoded."""

    total: int  # records in all
    newest: list  # the last records in date order: NEWEST of them (all when fewer), and new ones since
    problems: list[DataError]
    _older: object  # () -> the records before `newest`, in date order

    def older(self) -> list:
        return self._older()


def load_newest(path: Path) -> Newest:
    """load(path), split into the newest records and the older ones (decoded only when asked). From the
    index when it covers the ledger, or all but new records appended since (add-progress) that belong
    among the newest; otherwise (amendments, retractions or bad lines since, no index, caching off)
    load() split after the fact. Same records either way."""
    path = Path(path)
    if cache.entry_path(path, "index") is not None:
        try:
            with open(path, "rb") as fh, _no_collector():
                found = _newest_from_index(fh, path)
        except OSError:
            found = None  # load() below names the problem
        if found is not None:
            return found
    snapshot = load(path)
    cut = max(0, len(snapshot.records) - NEWEST)
    return Newest(len(snapshot.records), snapshot.records[cut:], snapshot.problems,
                  lambda: snapshot.records[:cut])


def _newest_from_index(fh, path: Path) -> Newest | None:
    from kjplan import ledger
    from kjplan.records import ProgressEntry

    checked_ns = time.time_ns()
    st = os.fstat(fh.fileno())
    state = _stored_state(fh, path, st.st_size, _signature(st), checked_ns, lazy=True)
    if state is None or state.newest is None:
        return None
    newest, total = state.newest, state.total
    if st.st_size > state.covered:  # lines appended since the index was written
        fh.seek(state.covered)
        tail = fh.read(st.st_size - state.covered)
        if not tail.endswith(b"\n") or len(tail) >= REWRITE_AFTER or not _read_resolution(path, state):
            return None
        book = ledger.scan(tail, path, first_line=state.lines + 1)
        if book.problems:
            return None
        known = state.root_of.keys() | state.referenced
        newest = list(newest)
        for entry in book.entries:
            # Only a new record changes nothing written before it: it goes after every record of its
            # date and before the later ones, as a full read places it (date, then line order).
            if not isinstance(entry, ProgressEntry) or entry.id in known or not newest \
                    or entry.date < newest[0].date:
                return None
            known.add(entry.id)
            newest.insert(bisect_right(newest, entry.date, key=_row_date), _entry_row(entry))
        total += len(book.entries)
    problems = [DataError(path, line, detail) for line, detail in state.problems]
    return Newest(total, newest, problems, lambda: _older(state, path))


def _row_date(record):
    return record.date


def _older(state: _State, path: Path) -> list:
    """The records before the newest ones of a state read from the index: from its older part, or, when
    that is gone or was rewritten by another process meanwhile, from the ledger's bytes the state covers."""
    with _no_collector():
        try:
            return state.older_rows()
        except Exception:
            with open(path, "rb") as fh:
                data = fh.read(state.covered)
            if hashlib.sha256(data).hexdigest() == state.sha:
                rows = _build(data, path).ordered()
                return rows[: len(rows) - len(state.newest)]
            snapshot = load(path)  # the ledger changed too: the older records of what it holds now
            return snapshot.records[: max(0, len(snapshot.records) - len(state.newest))]


def _full(path: Path) -> Snapshot:
    from kjplan import ledger
    from kjplan.records import resolve

    book = ledger.load(path)
    return Snapshot(resolve(book.entries), book.problems)


def _load(fh, path: Path) -> Snapshot:
    checked_ns = time.time_ns()  # before the file is looked at: a change after this shows in its times
    st = os.fstat(fh.fileno())
    signature = _signature(st)
    state = _stored_state(fh, path, st.st_size, signature, checked_ns)
    if state is None:
        return _rebuilt(fh, path, st.st_size, signature, checked_ns)
    fh.seek(state.covered)
    tail = fh.read(st.st_size - state.covered)
    complete = tail[: tail.rfind(b"\n") + 1]
    partial = tail[len(complete):]
    if (complete or partial.strip()) and not state.resolvable and not _read_resolution(path, state):
        return _rebuilt(fh, path, st.st_size, signature, checked_ns)
    if complete:
        before = state.covered, state.sha
        try:
            _advance(state, complete, path)
        except _Rebuild:
            return _rebuilt(fh, path, st.st_size, signature, checked_ns)
        if len(complete) >= REWRITE_AFTER:
            # The new state covers the old bytes and the tail: its hash is theirs (the old bytes hashed
            # again and checked, as a stamp may have vouched for them without hashing).
            sha = _extended_sha(fh, *before, complete)
            if sha is not None:  # (else the file changed under this read: nothing is stored)
                state.sha = sha
                _write_state(path, state)
                _write_stamp(path, state, signature, checked_ns)
    return _finish(fh, state, partial, path, st.st_size)


def _stored_state(fh, path: Path, size: int, signature: list, checked_ns: int, *, lazy: bool = False) -> _State | None:
    """The stored state, when the bytes it covers are the ledger's own; else None."""
    state = _read_state(path, lazy=lazy)
    if state is None or state.covered > size:
        return None
    if not _stamp_fits(path, state, signature):
        if _prefix_sha(fh, state.covered) != state.sha:
            return None
        _write_stamp(path, state, signature, checked_ns)
    return state


def _rebuilt(fh, path: Path, size: int, signature: list, checked_ns: int) -> Snapshot:
    """A full read, stored as the new index."""
    fh.seek(0)
    data = fh.read(size)
    state = _build(data, path)
    _write_state(path, state)
    _write_stamp(path, state, signature, checked_ns)
    return _finish(fh, state, data[state.covered:], path, size)


def _finish(fh, state: _State, partial: bytes, path: Path, size: int) -> Snapshot:
    """The snapshot, with a last line that has no newline yet read on top (never stored)."""
    if partial.strip():
        try:
            _advance(state, partial, path)
        except _Rebuild:
            fh.seek(0)
            state = _build(fh.read(size) + b"\n", path)
    return _snapshot(state, path)


# ---------------------------------------------------------------------------- the write path's summary
# add-progress checks a new record against the live ones (the same record entered twice; a year's total
# far past its target) without reading the ledger: a summary of the live records - a digest of each
# one's duplicate key and each target's exact total - stamped with the ledger file's identity (device,
# inode, size, times). ledger.append brings it up to date under the ledger's lock after appending new
# records, stamped with the file's identity after that write, so add-progress after add-progress reads
# a few hundred kilobytes however long the ledger. Anything else - a file whose identity differs (an
# amendment, a retraction, a repair, a merge, an edit by hand, a copy), a missing or damaged summary -
# builds it again from the index above. A digest found is only a hint: the records are then read and
# compared. (What a stamp cannot see is another program rewriting the ledger to the same size within
# the same clock tick as kjplan's own append, while kjplan holds the lock: then a repeated record could
# go unnoticed. Every reading command checks the ledger's bytes, not this summary.)

SUMMARY_FORMAT = "1"


def duplicate_digest(key: tuple) -> bytes:
    """8 bytes naming a record's duplicate key (item, quarter, unit, text)."""
    return hashlib.blake2b(repr(key).encode("utf-8", "surrogatepass"), digest_size=8).digest()


@dataclass
class Summary:
    """The live records' duplicate-key digests (sorted, 8 bytes each) and each target's exact total."""

    digests: bytes = b""
    totals: dict = field(default_factory=dict)  # target id -> (numerator, denominator)

    def _place(self, digest: bytes) -> int:
        """Where `digest` is or would go in the sorted digests (a byte offset)."""
        view = self.digests
        return 8 * bisect_left(range(len(view) // 8), digest, key=lambda i: view[i * 8: i * 8 + 8])

    def may_hold(self, key: tuple) -> bool:
        digest = duplicate_digest(key)
        at = self._place(digest)
        return self.digests[at: at + 8] == digest

    def total(self, target: str):
        from fractions import Fraction

        numerator, denominator = self.totals.get(target, (0, 1))
        return Fraction(numerator, denominator)

    def add(self, records) -> None:
        """Take in new records (never amendments or retractions)."""
        from fractions import Fraction

        new = sorted(duplicate_digest(record_key(r)) for r in records)
        if len(new) > 100:  # many (a whole ledger): sorted at once
            old = [self.digests[i: i + 8] for i in range(0, len(self.digests), 8)]
            self.digests = b"".join(sorted(old + new))
        else:  # a few (an append): put in place
            for digest in new:
                at = self._place(digest)
                self.digests = self.digests[:at] + digest + self.digests[at:]
        for r in records:
            for target, value in r.metrics.items():
                total = self.total(target) + Fraction(value)
                self.totals[target] = (total.numerator, total.denominator)


def duplicate_key(item: int, quarter: str, unit: str, text: str) -> tuple:
    """What makes two records one record entered twice: the same item, quarter, unit and text (spaces
    and line breaks around the text aside), as a command run again or a file imported again gives."""
    return item, quarter, unit.strip(), text.strip()


def record_key(record) -> tuple:
    return duplicate_key(record.item, record.quarter, record.unit, record.text)


def _summary_expect(path: Path) -> dict:
    return {"source": os.path.realpath(path), "code": cache.code_fingerprint(), "format": SUMMARY_FORMAT}


def _read_summary(path: Path, signature: list) -> Summary | None:
    payload = cache.read(cache.entry_path(path, "summary"), _summary_expect(path))
    if payload is None:
        return None
    try:
        fmt, stamped, digests, totals = cache.loads(payload)
        if fmt != SUMMARY_FORMAT or stamped != signature or not isinstance(digests, bytes) or len(digests) % 8:
            return None
        return Summary(digests, dict(totals))
    except Exception:  # a damaged or foreign file: a miss
        return None


def _write_summary(path: Path, summary: Summary, signature: list) -> None:
    entry = cache.entry_path(path, "summary")
    if entry is not None:
        cache.write(entry, _summary_expect(path), cache.dumps((SUMMARY_FORMAT, signature, summary.digests,
                                                               summary.totals)))


def summary(path: Path) -> Summary:
    """The summary of the ledger's live records, from the summary file when it was stamped with the
    ledger's present identity, else from the records (the index) - stored for next time when the file's
    last change has settled."""
    path = Path(path)
    if cache.entry_path(path, "summary") is None:
        return _summarise(load(path).records)
    checked_ns = time.time_ns()
    try:
        signature = _signature(os.stat(path))
    except FileNotFoundError:
        return Summary()
    except OSError:
        return _summarise(load(path).records)  # load names the problem
    found = _read_summary(path, signature)
    if found is not None:
        return found
    made = _summarise(load(path).records)
    try:
        after = _signature(os.stat(path))
    except OSError:
        return made
    if after == signature and _settled(signature, checked_ns):
        _write_summary(path, made, signature)
    return made


def _summarise(records) -> Summary:
    made = Summary()
    made.add(records)
    return made


def appended(path: Path, before: os.stat_result, after: os.stat_result, written: int, entries) -> None:
    """Called by ledger.append under the lock once `entries` (`written` bytes) are on disk: a summary
    that described the file as it was before describes it now, when the entries are new records and the
    file only grew by what was written."""
    from kjplan.records import ProgressEntry

    if cache.entry_path(path, "summary") is None:
        return
    old, new = _signature(before), _signature(after)
    if not all(isinstance(e, ProgressEntry) for e in entries) or old[:2] != new[:2] \
            or new[2] != old[2] + written:
        return  # the stamp no longer fits: the next reader builds the summary again
    found = Summary() if before.st_size == 0 else _read_summary(path, old)  # a new ledger: nothing before
    if found is None:
        return
    found.add(entries)
    _write_summary(path, found, new)
