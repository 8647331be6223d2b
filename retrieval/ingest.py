"""Loading files into passages and keeping a Chroma collection in step with them.

Formats: Markdown (.md), plain text (.txt), HTML (.html/.htm), JSON lines in the
knowledge-base format `{"id", "text", "product_id", "source"}` (.jsonl) and CSV
rows with a `text` column (.csv). Re-ingesting a source upserts new chunks and
deletes vanished ones, so there are never duplicates or stale passages.

    report = Ingestor(embedder, store).ingest(load_file(Path("kb/returns.md")), "knowledge")
"""

from __future__ import annotations

import csv
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from retrieval.chunking import Passage, chunk_markdown, chunk_text, passage_id
from retrieval.embedder import Embedder
from retrieval.store import VectorStore

log = logging.getLogger(__name__)

KNOWLEDGE_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".jsonl", ".csv"}


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


def load_jsonl(path: Path, source: str) -> list[Passage]:
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise IngestError(f"{path}:{n}: not valid JSON ({e.msg})") from e
            text = str(row.get("text") or "").strip()
            if not text:
                raise IngestError(f"{path}:{n}: a row needs a non-empty 'text' field")
            row_source = str(row.get("source") or source)
            pid = row.get("product_id")
            out.append(
                Passage(
                    id=str(row.get("id") or passage_id(source, text)),
                    text=text,
                    source=source,
                    title=str(row.get("title") or row_source),
                    product_id=str(pid) if pid else None,
                    metadata={"kind": row_source},
                )
            )
    return out


def load_csv(path: Path, source: str) -> list[Passage]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise IngestError(
                f"{path}: a knowledge CSV needs a 'text' column (optional: id, title, product_id); "
                f"found columns {reader.fieldnames}. Catalog CSVs go through `shopmate ingest --collection products`."
            )
        out = []
        for row in reader:
            text = (row.get("text") or "").strip()
            if not text:
                continue
            out.append(
                Passage(
                    id=row.get("id") or passage_id(source, text),
                    text=text,
                    source=source,
                    title=row.get("title") or Path(source).stem,
                    product_id=row.get("product_id") or None,
                )
            )
    return out


def load_file(path: Path, source: str | None = None) -> list[Passage]:
    """Read one file into passages. Raises IngestError with a reason for anything unusable."""
    source = source or path.as_posix()
    suffix = path.suffix.lower()
    if suffix not in KNOWLEDGE_SUFFIXES:
        raise IngestError(
            f"{path}: unsupported file type {suffix or '(none)'}; accepted: {', '.join(sorted(KNOWLEDGE_SUFFIXES))}"
        )
    try:
        if suffix == ".jsonl":
            return load_jsonl(path, source)
        if suffix == ".csv":
            return load_csv(path, source)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(f"{path}: not UTF-8 text") from e
    if not text.strip():
        raise IngestError(f"{path}: file is empty")
    if suffix in {".md", ".markdown"}:
        return chunk_markdown(text, source)
    if suffix in {".html", ".htm"}:
        return chunk_markdown(html_to_markdown(text), source)
    return chunk_text(text, source, path.stem.replace("-", " ").replace("_", " ").title())


def passage_metadata(p: Passage) -> dict[str, object]:
    meta: dict[str, object] = {**p.metadata, "source": p.source, "title": p.title}
    if p.product_id:
        meta["product_id"] = p.product_id
    return meta


class Ingestor:
    """Keeps a collection equal to the passages of each ingested source."""

    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store

    def ingest(
        self, passages: Iterable[Passage], collection: str, show_progress: bool = False
    ) -> list[SourceReport]:
        by_source: dict[str, dict[str, Passage]] = defaultdict(dict)
        for p in passages:
            by_source[p.source][p.id] = p  # duplicate chunks within a source collapse
        reports = []
        for source, new in by_source.items():
            existing = set(self.store.ids_where(collection, {"source": source}))
            stale = sorted(existing - set(new))
            fresh = [p for pid, p in new.items() if pid not in existing]
            if fresh:
                vecs = self.embedder.encode([p.text for p in fresh], show_progress=show_progress)
                self.store.upsert(
                    collection,
                    [p.id for p in fresh],
                    vecs,
                    [p.text for p in fresh],
                    [passage_metadata(p) for p in fresh],
                )
            # delete after the upsert: a failed embed leaves the old passages searchable
            self.store.delete(collection, stale)
            reports.append(SourceReport(source, len(fresh), len(new) - len(fresh), len(stale)))
            log.info(
                "ingested %s: +%d =%d -%d", source, len(fresh), len(new) - len(fresh), len(stale)
            )
        return reports
