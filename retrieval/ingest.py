"""Loading files into passages and keeping a Chroma collection in step with them.

Formats: Markdown (.md), plain text (.txt), HTML (.html/.htm), JSON lines in the
knowledge-base format `{"id", "text", "product_id", "source"}` (.jsonl) and CSV
rows with a `text` column (.csv). Re-ingesting a source upserts new or changed
chunks and deletes vanished ones, so there are never duplicates or stale passages,
even after a run that was killed midway. Unusable files (empty, binary, not UTF-8,
broken CSV rows, duplicate ids) raise IngestError naming the file, line and reason.

    report = Ingestor(embedder, store).ingest(load_file(Path("kb/returns.md")), "knowledge")
"""

from __future__ import annotations

import csv
import io
import json
import logging
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from tqdm.auto import tqdm

from retrieval.chunking import Passage, chunk_markdown, chunk_text, passage_id
from retrieval.embedder import Embedder
from retrieval.store import Hit, VectorStore, clean_metadata

log = logging.getLogger(__name__)

KNOWLEDGE_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".jsonl", ".csv"}


Clean = Callable[[str], str]


class IngestError(ValueError):
    """A file could not be read as a knowledge source; the message says why."""


@dataclass(frozen=True)
class SourceReport:
    source: str
    added: int
    unchanged: int
    removed: int


class _TextExtractor(HTMLParser):
    _SKIP: ClassVar[set[str]] = {"script", "style", "nav", "footer", "head"}
    _BLOCK: ClassVar[set[str]] = {"p", "div", "li", "br", "tr", "section", "article"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in {"h1", "h2", "h3", "h4"}:
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in {"h1", "h2", "h3", "h4"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))


def html_to_markdown(html: str) -> str:
    """Headings become Markdown headings; scripts, styles and navigation are dropped."""
    p = _TextExtractor()
    p.feed(html)
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    return "\n".join(lines)


def read_text(path: Path) -> str:
    """A file's text; IngestError for binary files and for text that is not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror})") from e
    if b"\x00" in raw[:65536]:
        raise IngestError(f"{path}: looks like a binary file (it contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise IngestError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); "
            "save the file as UTF-8"
        ) from e


_JSONL_FIELDS = {"id", "text", "product_id", "source", "title"}


def load_jsonl(path: Path, source: str, clean: Clean | None = None) -> list[Passage]:
    """Rows {"id", "text", "product_id", "source", "title"}; other scalar fields become metadata.
    `clean` (e.g. PII redaction) is applied to each row's text before it is indexed."""
    out = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise IngestError(f"{path}:{n}: not valid JSON ({e.msg})") from e
        if not isinstance(row, dict):
            raise IngestError(
                f'{path}:{n}: expected a JSON object like {{"id", "text", "product_id", "source"}}, '
                f"got {type(row).__name__}"
            )
        text = str(row.get("text") or "").strip()
        if not text:
            raise IngestError(f"{path}:{n}: a row needs a non-empty 'text' field")
        text = clean(text) if clean else text
        row_source = str(row.get("source") or source)
        pid = row.get("product_id")
        passage = Passage(
            id=str(row.get("id") or passage_id(source, text)),
            text=text,
            source=source,
            title=str(row.get("title") or row_source),
            product_id=str(pid) if pid else None,
            metadata={
                **{
                    k: v
                    for k, v in row.items()
                    if k not in _JSONL_FIELDS and isinstance(v, str | int | float | bool)
                },
                "kind": row_source,
            },
        )
        if passage.id in first_line:
            if not row.get("id"):
                continue  # the same text twice: one passage
            raise IngestError(
                f"{path}:{n}: duplicate id {passage.id!r} (first used on line {first_line[passage.id]}); "
                "ids must be unique within a file"
            )
        first_line[passage.id] = n
        out.append(passage)
    if not out:
        raise IngestError(f"{path}: file is empty (no JSON rows)")
    return out


def load_csv(path: Path, source: str, clean: Clean | None = None) -> list[Passage]:
    """Rows with a `text` column (optional: id, title, product_id); blank rows are skipped."""
    text = read_text(path)
    if not text.strip():
        raise IngestError(f"{path}: file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    first_line: dict[str, int] = {}
    try:
        header = [h.strip() for h in next(reader)]
        if "text" not in header:
            raise IngestError(
                f"{path}: a knowledge CSV needs a 'text' column (optional: id, title, product_id); "
                f"found columns {header}. Catalog CSVs go through `shopmate ingest --collection products`."
            )
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise IngestError(
                    f"{path}:{reader.line_num}: row has {len(fields)} fields, the header has "
                    f"{len(header)}; quote fields that contain commas"
                )
            row = dict(zip(header, fields, strict=True))
            body = row["text"].strip()
            if not body:
                continue
            body = clean(body) if clean else body
            pid = row.get("id") or passage_id(source, body)
            if pid in first_line:
                if not row.get("id"):
                    continue  # the same text twice: one passage
                raise IngestError(
                    f"{path}:{reader.line_num}: duplicate id {pid!r} (first used on line "
                    f"{first_line[pid]}); ids must be unique within a file"
                )
            first_line[pid] = reader.line_num
            out.append(
                Passage(
                    id=pid,
                    text=body,
                    source=source,
                    title=row.get("title") or Path(source).stem,
                    product_id=row.get("product_id") or None,
                )
            )
    except csv.Error as e:
        raise IngestError(f"{path}:{reader.line_num}: broken CSV ({e})") from e
    if not out:
        raise IngestError(f"{path}: no row has any text")
    return out


def load_file(
    path: Path, source: str | None = None, clean_rows: Clean | None = None
) -> list[Passage]:
    """Read one file into passages. Raises IngestError with a reason for anything unusable.

    `clean_rows` is applied to JSONL/CSV rows — reviews, community answers, exported tickets,
    where shoppers may have written personal data — not to the shop's own pages (whose
    contact details are meant to be found)."""
    source = source or path.as_posix()
    suffix = path.suffix.lower()
    if suffix not in KNOWLEDGE_SUFFIXES:
        raise IngestError(
            f"{path}: unsupported file type {suffix or '(none)'}; accepted: {', '.join(sorted(KNOWLEDGE_SUFFIXES))}"
        )
    if suffix == ".jsonl":
        return load_jsonl(path, source, clean_rows)
    if suffix == ".csv":
        return load_csv(path, source, clean_rows)
    text = read_text(path)
    if not text.strip():
        raise IngestError(f"{path}: file is empty")
    if suffix in {".md", ".markdown"}:
        passages = chunk_markdown(text, source)
    elif suffix in {".html", ".htm"}:
        passages = chunk_markdown(html_to_markdown(text), source)
    else:
        passages = chunk_text(text, source, path.stem.replace("-", " ").replace("_", " ").title())
    if not passages:
        raise IngestError(f"{path}: no text found (only headings, markup or scripts)")
    return passages


def passage_metadata(p: Passage) -> dict[str, object]:
    meta: dict[str, object] = {**p.metadata, "source": p.source, "title": p.title}
    if p.product_id:
        meta["product_id"] = p.product_id
    return meta


class Ingestor:
    """Keeps a collection equal to the passages of each ingested source.

    New or changed passages (same id, other text or metadata) are embedded and
    upserted in batches under their deterministic ids, the next batch being
    embedded while the previous one is written; a source's vanished passages are
    deleted only after all its upserts. So a run killed midway leaves the old
    passages plus some new ones, and the next run adds the rest and removes the
    stale ones: it converges to what a clean run gives.
    """

    def __init__(self, embedder: Embedder, store: VectorStore, batch_size: int = 256) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        self.embedder = embedder
        self.store = store
        self.batch_size = batch_size

    def ingest(
        self, passages: Iterable[Passage], collection: str, show_progress: bool = False
    ) -> list[SourceReport]:
        by_source: dict[str, dict[str, Passage]] = defaultdict(dict)
        for p in passages:
            by_source[p.source][p.id] = p  # duplicate chunks within a source collapse
        reports = []
        total = sum(len(new) for new in by_source.values())
        with (
            tqdm(total=total, unit="passage", desc="ingest", disable=not show_progress) as bar,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-upsert") as writer,
        ):
            for source, new in by_source.items():
                existing = {
                    h.id: h
                    for h in self.store.get(
                        collection, self.store.ids_where(collection, {"source": source})
                    )
                }
                stale = sorted(set(existing) - set(new))
                fresh = [p for pid, p in new.items() if not _same(existing.get(pid), p)]
                bar.update(len(new) - len(fresh))
                self._write(collection, fresh, writer, bar)
                # delete after the upserts: a failed embed leaves the old passages searchable
                self.store.delete(collection, stale)
                reports.append(SourceReport(source, len(fresh), len(new) - len(fresh), len(stale)))
                log.info(
                    "ingested %s: +%d =%d -%d",
                    source,
                    len(fresh),
                    len(new) - len(fresh),
                    len(stale),
                )
        return reports

    def sources(self, collection: str) -> dict[str, int]:
        """Passages per source in the collection."""
        counts: dict[str, int] = defaultdict(int)
        for h in self.store.scan(collection):
            counts[str(h.metadata.get("source", ""))] += 1
        return dict(sorted(counts.items()))

    def remove_source(self, collection: str, source: str) -> int:
        """Delete every passage of one source; returns how many went."""
        ids = self.store.ids_where(collection, {"source": source})
        self.store.delete(collection, ids)
        return len(ids)

    def ingest_text(
        self, source: str, suffix: str, content: str, collection: str, clean_rows: Clean | None
    ) -> list[SourceReport]:
        """Ingest one document given as text (an upload), parsed by its file type."""
        if suffix not in KNOWLEDGE_SUFFIXES:
            raise IngestError(
                f"unsupported format {suffix!r}; accepted: {', '.join(sorted(KNOWLEDGE_SUFFIXES))}"
            )
        with tempfile.TemporaryDirectory(prefix="shopmate-upload-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_text(content, encoding="utf-8")
            try:
                passages = load_file(path, source=source, clean_rows=clean_rows)
            except IngestError as e:  # name the upload, not the temp file
                raise IngestError(str(e).replace(str(path), source)) from e
        return self.ingest(passages, collection)

    def _write(
        self, collection: str, fresh: list[Passage], writer: ThreadPoolExecutor, bar: tqdm
    ) -> None:
        # similar lengths in a batch pad less, as the bare encoder's own length sort does
        fresh = sorted(fresh, key=lambda p: len(p.text))
        pending: tuple[Future[None], int] | None = None
        for i in range(0, len(fresh), self.batch_size):
            batch = fresh[i : i + self.batch_size]
            vecs = self.embedder.encode([p.text for p in batch])
            if pending is not None:
                pending[0].result()
                bar.update(pending[1])
            args = ([p.id for p in batch], vecs, [p.text for p in batch])
            metas = [passage_metadata(p) for p in batch]
            pending = writer.submit(self.store.upsert, collection, *args, metas), len(batch)
        if pending is not None:
            pending[0].result()
            bar.update(pending[1])


def _same(stored: Hit | None, p: Passage) -> bool:
    return (
        stored is not None
        and stored.text == p.text
        and stored.metadata == clean_metadata(passage_metadata(p))
    )
