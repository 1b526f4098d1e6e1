"""Reading: files in, one :class:`~cascade.model.Paper` at a time out.

Each source format has a module here. JSON formats provide ``sniff(document) -> bool`` and
``from_documents(docs, path, *, paper_id) -> Iterator[PaperRecords]``; other text formats provide
``sniff_text(head) -> bool`` and ``read(path, *, paper_id, data) -> Iterator[PaperRecords]``.
The format of each file is detected from its content unless ``input_format`` is given.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd

from cascade.io import (
    across,
    altmetric_api,
    altmetric_tab,
    backtype,
    bluesky,
    crossref,
    mastodon,
    minet,
    tabular,
    twitter_v1,
    twitter_v2,
    weibo,
)
from cascade.io.options import ReadOptions
from cascade.io.papers import FROM_TEXT
from cascade.io.records import NO_PAPER, InputError, PaperRecords, place_by_parents
from cascade.io.sources import collector_paused, expand, iter_documents, read_bytes
from cascade.model import Paper

__all__ = [
    "FORMAT_NAMES",
    "JSON_FORMATS",
    "TEXT_FORMATS",
    "Corpus",
    "FileLog",
    "InputError",
    "ReadLog",
    "ReadOptions",
    "read",
]

# Detection tries these in order: put the most specific sniffers first.
JSON_FORMATS: dict[str, ModuleType] = {
    "altmetric-tab": altmetric_tab,
    "altmetric-api": altmetric_api,
    "crossref-events": crossref,
    "bluesky": bluesky,  # Jetstream events, AppView views, twitwi JSON Lines
    "mastodon": mastodon,
    "twitter-v2": twitter_v2,
    "twitter-v1": twitter_v1,
    "backtype": backtype,
}
TEXT_FORMATS: dict[str, ModuleType] = {
    "bluesky": minet,  # twitwi CSV; the same name as the JSON reader, for --input-format
    "csv": tabular,
    "weibo-paths": weibo,
}


# No return annotation: with one, mypy 2.4 rejects (or crashes on) options.py's
# `from cascade.io import FORMAT_NAMES`, which it analyses inside the import cycle.
def __getattr__(name: str):
    # The names of every format, for --input-format and its help (computed, so that a format
    # registered above is listed without a second list to keep).
    if name == "FORMAT_NAMES":
        return tuple(sorted(JSON_FORMATS | TEXT_FORMATS))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class FileLog:
    """What became of one input file's records."""

    path: str
    format: str | None = None
    papers: int = 0
    records: int = 0
    used: int = 0
    skipped: Counter = field(default_factory=Counter)
    duplicates: int = 0
    error: str | None = None  # the file could not be read (from that point on)
    ignored: str | None = None  # why the file is not data at all (a README or LICENSE beside it)
    line_errors: list[str] = field(default_factory=list)  # bad lines, skipped


@dataclass
class ReadLog:
    """Per-file accounting of a read: every input record is either used or skipped with a reason."""

    files: dict[str, FileLog] = field(default_factory=dict)
    papers: int = 0  # papers yielded (a paper merged from several files counts once)

    def file(self, path: str) -> FileLog:
        return self.files.setdefault(path, FileLog(path))

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files.values())

    @property
    def used(self) -> int:
        return sum(f.used for f in self.files.values())

    @property
    def skipped(self) -> Counter:
        """Reason -> records skipped, over all files."""
        total: Counter = Counter()
        for f in self.files.values():
            total.update(f.skipped)
        return total

    @property
    def duplicates(self) -> int:
        """Records repeating a tweet id already read for the same paper (in any file)."""
        return sum(f.duplicates for f in self.files.values())

    @property
    def errors(self) -> list[str]:
        """One line per file that could not be read and per bad line that was skipped."""
        return [e for f in self.files.values() for e in [*f.line_errors, f.error] if e]

    def summary(self) -> str:
        """One line: files, records, used, skipped by reason, unreadable files."""
        skipped = self.skipped
        line = (
            f"{len(self.files)} files, {self.papers} papers, "
            f"{self.records} records: {self.used} used, {sum(skipped.values())} skipped"
        )
        if skipped:
            line += " (" + ", ".join(f"{r}: {n}" for r, n in sorted(skipped.items())) + ")"
        if self.duplicates:
            line += f"; {self.duplicates} duplicates"
        unreadable = sum(f.error is not None for f in self.files.values())
        if unreadable:
            line += f"; {unreadable} files unreadable"
        ignored = [os.path.basename(f.path) for f in self.files.values() if f.ignored]
        if ignored:
            line += f"; not data, ignored: {', '.join(ignored)}"
        return line

    def to_frame(self) -> pd.DataFrame:
        """One row per file: ``path``, ``format``, ``papers``, ``records``, ``used``,
        ``skipped`` (total), ``duplicates``, ``error`` and ``skipped: <reason>`` columns."""
        reasons = sorted(self.skipped)
        return pd.DataFrame(
            [
                {
                    "path": f.path,
                    "format": f.format,
                    "papers": f.papers,
                    "records": f.records,
                    "used": f.used,
                    "skipped": sum(f.skipped.values()),
                    "duplicates": f.duplicates,
                    "error": f.error,
                    "ignored": f.ignored,
                    **{f"skipped: {r}": f.skipped.get(r, 0) for r in reasons},
                }
                for f in self.files.values()
            ]
        )


def merge_records(into: PaperRecords, other: PaperRecords) -> int:
    """Add one paper's records from another file to ``into``; return how many repeated an id.

    ``into`` ends up counting both files' records, skips and duplicates; a tweet id already in
    ``into`` counts as a duplicate (skipped, reason ``duplicate id``), and a real record replaces
    an embedded copy of itself.
    """
    records, duplicates = into.records, into.duplicates
    for i, tid in enumerate(other.id):
        into.add(
            tid, other.author[i], other.time[i], other.followers[i], other.text[i],
            ref_id=other.ref_id[i], ref_kind=other.ref_kind[i], credited=other.credited[i],
            # Embedded rows sit at negative positions in the reader's index.
            embedded=other._index.get(tid, 0) < 0,
        )  # fmt: skip
    repeated = into.duplicates - duplicates
    into.records = records + other.records
    into.skipped.update(other.skipped)
    into.duplicates += other.duplicates
    for tid, placeholder in other.placeholders.items():
        into.placeholders.setdefault(tid, placeholder)
    for key, value in other.attrs.items():
        into.attrs.setdefault(key, value)
    if other.source not in into.source.split("; "):
        into.source = f"{into.source}; {other.source}"
    return repeated


_DOC_NAMES = ("readme", "license", "licence", "copying", "notice", "authors", "changelog",
              "citation")  # fmt: skip
_DOC_SUFFIXES = (".md", ".rst", ".pdf", ".html", ".htm")


class NotData(InputError):
    """A file that is documentation kept beside the data (README, LICENSE, ...), not input."""


def is_documentation(path: str | os.PathLike) -> bool:
    """Whether a file's name says it documents the data beside it rather than holding any.

    Only a file that is not JSON is asked (a JSON file is read whatever its name).

    Examples
    --------
    >>> [is_documentation(n) for n in ["data/LICENSE.upstream", "README.md", "tweets.txt"]]
    [True, True, False]
    """
    name = os.path.basename(os.fspath(path)).lower()
    return name.startswith(_DOC_NAMES) or name.endswith(_DOC_SUFFIXES)


def _looks_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def read_records(
    path: str,
    *,
    input_format: str | None = None,
    paper_id: str | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> tuple[str, Iterator[PaperRecords]]:
    """Detect one file's format and return ``(format, records iterator)``.

    ``on_error`` receives the error of each bad line of a JSON Lines file, which is then skipped
    (see :func:`~cascade.io.sources.iter_documents`); without it the first bad line raises.

    Raises
    ------
    InputError
        If the file cannot be read, is not valid JSON, or its format is not recognised.
    """
    data = read_bytes(path)
    if input_format is not None:
        if input_format in TEXT_FORMATS and not (
            input_format in JSON_FORMATS and _looks_json(data)
        ):
            return input_format, TEXT_FORMATS[input_format].read(path, paper_id=paper_id, data=data)
        if input_format not in JSON_FORMATS:
            known = ", ".join(sorted(JSON_FORMATS | TEXT_FORMATS))
            raise InputError(path, f"unknown input format {input_format!r} (known: {known})")
    if not _looks_json(data):
        head = data[:65536].decode("utf-8", errors="replace")
        for text_format, module in TEXT_FORMATS.items():
            if input_format is None and module.sniff_text(head):
                return text_format, module.read(path, paper_id=paper_id, data=data)
        if input_format is None:
            if is_documentation(path):
                raise NotData(path, "documentation, not data (by its name and text)")
            raise InputError(path, "not a recognised input format (not JSON; see --input-format)")
    docs = iter_documents(path, data, on_error=on_error)
    first = next(docs, None)
    if first is None:
        raise InputError(path, "no JSON document")
    name = input_format or next((n for n, m in JSON_FORMATS.items() if m.sniff(first[1])), None)
    if name is None:
        raise InputError(
            path,
            "not a recognised input format (known: "
            + ", ".join(sorted(JSON_FORMATS | TEXT_FORMATS))
            + "; see --input-format)",
            line=first[0],
        )
    return name, JSON_FORMATS[name].from_documents(_chain(first, docs), path, paper_id=paper_id)


def _chain(first: tuple[int, Any], rest: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    box = [first]
    del first  # so that a document dies as soon as its reader is done with it
    yield box.pop()
    yield from rest


# Tweets resolved together (cascade.resolve.resolve_many) while a Corpus is iterated: larger
# batches spread the fixed cost of the array operations, smaller ones hold less memory.
BATCH_TWEETS = 50_000


class Corpus:
    """A lazy, re-iterable collection of papers read from files.

    Iterating reads the files one by one and yields one resolved :class:`Paper` at a time,
    resolving papers in batches of about ``BATCH_TWEETS`` tweets
    (:func:`cascade.resolve.resolve_many`), so a corpus of any size streams in bounded memory.
    After (or during) an iteration, ``log`` holds what became of every record of every file.

    Parameters
    ----------
    inputs : str, path or iterable of them
        Files (plain or gzip), directories (every file in them) and glob patterns.
    input_format : str, optional
        Skip detection: one of ``JSON_FORMATS`` or ``TEXT_FORMATS``.
    paper_id : str, optional
        The paper id for sources without one (or to override it).
    strict : bool
        Raise :class:`InputError` at the first unreadable file instead of logging it and going on.
    same_text : bool
        Let resolution link a tweet to the earliest tweet by another user with the same text
        (resolution ``same_text``) in sources that store native retweets that way (the Altmetric
        API); False turns the rule off.
    """

    def __init__(
        self,
        inputs: str | os.PathLike | Iterable[str | os.PathLike],
        *,
        input_format: str | None = None,
        paper_id: str | None = None,
        strict: bool = False,
        same_text: bool = True,
    ) -> None:
        ReadOptions(input_format=input_format)  # an unknown format fails here, not per file
        self.paths = expand(inputs)
        self.input_format, self.paper_id, self.strict = input_format, paper_id, strict
        self.same_text = same_text
        self.log = ReadLog()

    def __repr__(self) -> str:
        return f"<Corpus of {len(self.paths)} files>"

    def records(self) -> Iterator[PaperRecords]:
        """Yield each paper's records as read, before resolution; fills ``log``.

        Papers of one-paper-per-document formats stream as they are read. Formats whose files
        hold many papers, or whose papers span files (``GROUPED`` readers: Twitter API, Crossref,
        Backtype, CSV), are merged by paper id over all the files and yielded at the end, a
        tweet id repeated across files counting once per paper (the rest as duplicates).
        """
        for _, records in self._records():
            yield records

    def _records(self) -> Iterator[tuple[FileLog, PaperRecords]]:
        """:meth:`records` with the log entry of the file each paper came from."""
        self.log = log = ReadLog()
        grouped: dict[str, tuple[FileLog, PaperRecords]] = {}
        pending: list[tuple[PaperRecords, FileLog]] = []
        facts: dict[int, dict] = {}  # what the files know of each other (cascade.io.across)
        for path in self.paths:
            entry = log.file(path)

            def bad_line(err: InputError, entry: FileLog = entry) -> None:
                if self.strict:
                    raise err
                entry.line_errors.append(str(err))
                entry.records += 1
                entry.skipped["invalid JSON line"] += 1

            try:
                entry.format, found = read_records(
                    path, input_format=self.input_format, paper_id=self.paper_id, on_error=bad_line
                )
                merge = getattr(JSON_FORMATS.get(entry.format) or TEXT_FORMATS.get(entry.format),
                                "GROUPED", False)  # fmt: skip
                for records in found:
                    if records.across:  # shared by the papers of a file
                        facts.setdefault(id(records.across), records.across)
                    entry.papers += bool(records.citation_id)
                    entry.records += records.records
                    entry.used += records.used
                    entry.skipped.update(records.skipped)
                    entry.duplicates += records.duplicates
                    if not records.citation_id:
                        if len(records) and merge:  # rows awaiting their parent's papers
                            pending.append((records, entry))
                        continue
                    if not merge:
                        log.papers += 1
                        yield entry, records
                    elif records.citation_id not in grouped:
                        grouped[records.citation_id] = (entry, records)
                    else:
                        _merge_into(grouped[records.citation_id][1], records, entry)
            except NotData as err:
                entry.ignored = err.message  # counted in the log; no record lost, none to read
            except InputError as err:
                if self.strict:
                    raise
                entry.error = str(err)
        papers = [r for _, r in grouped.values()]
        across.match([*papers, *(r for r, _ in pending)], facts.values(), log)
        if pending or self.paper_id == FROM_TEXT:
            _place(papers, pending, log)
        across.count_undated(papers)
        log.papers += len(grouped)
        yield from grouped.values()

    def __iter__(self) -> Iterator[Paper]:
        # Imported here: cascade.resolve imports cascade.io.records, which runs this __init__.
        from cascade.resolve import resolve_many

        # Papers are resolved in batches of about BATCH_TWEETS tweets: one vectorised pass
        # serves them all, and memory stays bounded. A paper id that comes again (in another
        # file, or from another format) is merged into the first while that is in the batch;
        # once the first has been yielded, the later copy's records are counted as skipped.
        batch: dict[str, PaperRecords] = {}
        done: dict[str, str] = {}  # citation id -> source of papers already yielded
        size = 0
        for entry, records in self._records():
            cid = records.citation_id
            if cid in batch:
                _merge_into(batch[cid], records, entry)
                self.log.papers -= 1
            elif cid in done:
                reason = "paper already read from an earlier file (same citation id)"
                entry.used -= records.used
                entry.skipped[reason] += records.used
                entry.line_errors.append(
                    f"{records.source}: paper {cid} already read from {done[cid]}: "
                    f"its {records.used} records skipped"
                )
                self.log.papers -= 1
                continue
            else:
                records.same_text &= self.same_text
                batch[cid] = records
            size += len(records)
            if size >= BATCH_TWEETS:
                done.update((c, r.source) for c, r in batch.items())
                yield from resolve_many(list(batch.values()))
                batch, size = {}, 0
        yield from resolve_many(list(batch.values()))


def _merge_into(into: PaperRecords, other: PaperRecords, entry: FileLog) -> None:
    """Merge a repeated paper's records into the first copy; the repeats count as duplicates of
    the file ``entry`` they came from."""
    repeated = merge_records(into, other)
    entry.used -= repeated
    entry.duplicates += repeated
    if repeated:
        entry.skipped["duplicate id"] += repeated


def _place(
    papers: list[PaperRecords], pending: list[tuple[PaperRecords, FileLog]], log: ReadLog
) -> None:
    """Membership by exact parents (:func:`~cascade.io.records.place_by_parents`), counted."""
    with collector_paused():  # many small containers made while every record is kept
        extra, unplaced = place_by_parents(papers, [r for r, _ in pending])
    for path, n in extra.items():
        entry = log.file(path)
        entry.records += n
        entry.used += n
    for (records, entry), n in zip(pending, unplaced):
        entry.used -= n
        if n:
            entry.skipped[records.attrs.get("unplaced_reason", NO_PAPER)] += n


def read(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    input_format: str | None = None,
    paper_id: str | None = None,
    strict: bool = False,
    same_text: bool = True,
) -> Corpus:
    """Read tweets about papers from files, directories or glob patterns.

    Parameters
    ----------
    inputs : str, path or iterable of them
        Files (plain or gzip; one JSON document or JSON Lines), directories, glob patterns.
    input_format : str, optional
        Force a format instead of detecting it from each file's content.
    paper_id : str, optional
        Paper id for sources that carry none (or to override it).
    strict : bool
        Stop at the first unreadable file (raise :class:`InputError`).
    same_text : bool
        Allow the ``same_text`` rule where the source stores native retweets with the
        original's text (see :mod:`cascade.resolve`); False turns it off.

    Returns
    -------
    Corpus
        Iterate it for :class:`Paper` objects, one at a time; ``corpus.log`` tells what was
        used and skipped, by file and reason.

    Examples
    --------
    >>> import cascade
    >>> corpus = cascade.read("examples/data")
    >>> [p.citation_id for p in corpus]
    ['56155705']
    >>> corpus.log.summary()
    '1 files, 1 papers, 258 records: 258 used, 0 skipped'
    """
    return Corpus(
        inputs, input_format=input_format, paper_id=paper_id, strict=strict, same_text=same_text
    )
