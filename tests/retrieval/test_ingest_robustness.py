"""Unusable files give a clear IngestError; an ingestion killed midway converges on re-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.ingest import IngestError, Ingestor, load_file
from retrieval.store import VectorStore

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    "name", ["empty.md", "empty.txt", "empty.html", "empty.jsonl", "empty.csv"]
)
def test_empty_files(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("\n  \n")
    with pytest.raises(IngestError, match="empty"):
        load_file(tmp_path / name)


def test_files_without_any_text(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html><script>alert(1)</script><nav>Home</nav></html>")
    with pytest.raises(IngestError, match="no text found"):
        load_file(tmp_path / "a.html")
    (tmp_path / "b.csv").write_text("id,text\n1,\n2,  \n")
    with pytest.raises(IngestError, match="no row has any text"):
        load_file(tmp_path / "b.csv")


@pytest.mark.parametrize(
    "name", ["photo.md", "photo.txt", "photo.jsonl", "photo.csv", "photo.html"]
)
def test_binary_files(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(PNG)
    with pytest.raises(IngestError, match=r"looks like a binary file \(it contains NUL bytes\)"):
        load_file(tmp_path / name)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('id,text\n1,"fine"\n2,"a, b" and more\n', r"bad.csv:3: broken CSV \(',' expected"),
        (
            'id,text\n1,ok\n2,"never closed\n3,x\n',
            r"bad.csv:4: broken CSV \(unexpected end of data\)",
        ),
        ("id,text\n1,ok\n2,one,two\n", r"bad.csv:3: row has 3 fields, the header has 2"),
        ("id,text,title\n1,ok\n", r"bad.csv:2: row has 2 fields, the header has 3"),
        ("id,text\n1,ok\n1,again\n", r"bad.csv:3: duplicate id '1' \(first used on line 2\)"),
    ],
)
def test_broken_csv_rows(tmp_path: Path, body: str, reason: str) -> None:
    (tmp_path / "bad.csv").write_text(body)
    with pytest.raises(IngestError, match=reason):
        load_file(tmp_path / "bad.csv")


def test_duplicate_ids_in_jsonl(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "one"}, {"id": "b", "text": "two"}, {"id": "a", "text": "three"}]
    (tmp_path / "kb.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(IngestError, match=r"kb.jsonl:3: duplicate id 'a' \(first used on line 1\)"):
        load_file(tmp_path / "kb.jsonl")
    # rows without ids repeating the same text are one passage, not an error
    (tmp_path / "same.jsonl").write_text('{"text": "one"}\n{"text": "one"}\n')
    assert len(load_file(tmp_path / "same.jsonl")) == 1
    (tmp_path / "list.jsonl").write_text('["not", "an", "object"]\n')
    with pytest.raises(IngestError, match=r"list.jsonl:1: expected a JSON object"):
        load_file(tmp_path / "list.jsonl")


@pytest.mark.parametrize("name", ["notes.md", "notes.txt", "notes.jsonl", "notes.csv"])
def test_non_utf8_text(tmp_path: Path, name: str) -> None:
    text = {
        "notes.md": "# Caf\u00e9\n\nFine.\n",
        "notes.txt": "first line\nCaf\u00e9 cr\u00e8me\n",
        "notes.jsonl": '{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\u00e9"}\n',
        "notes.csv": "id,text\n1,ok\n2,caf\u00e9\n",
    }[name]
    (tmp_path / name).write_bytes(text.encode("latin-1"))
    line = {"notes.md": 1, "notes.txt": 2, "notes.jsonl": 2, "notes.csv": 3}[name]
    with pytest.raises(
        IngestError, match=rf"{name}:{line}: not UTF-8 text \(byte 0xe9.*save the file as UTF-8"
    ):
        load_file(tmp_path / name)
    # a UTF-8 byte-order mark is fine
    (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_file(tmp_path / name)


# --- an ingestion killed midway -------------------------------------------------------

SOURCE = "kb/catalog.jsonl"
CHILD = """
import sys
from pathlib import Path

sys.path.insert(0, {root!r})
from retrieval.embedder import Embedder
from retrieval.ingest import Ingestor, load_file
from retrieval.store import VectorStore
from shopmate.models import minilm_path


class Announcing(VectorStore):
    def upsert(self, name, ids, *args, **kwargs):
        super().upsert(name, ids, *args, **kwargs)
        print("upserted", len(ids), flush=True)


store = Announcing(VectorStore.open(path=Path(sys.argv[1]))._client)
ingestor = Ingestor(Embedder(minilm_path()), store, batch_size=8)
ingestor.ingest(load_file(Path(sys.argv[2]), {source!r}), "catalog_kb")
print("old done", flush=True)
ingestor.ingest(load_file(Path(sys.argv[3]), {source!r}), "catalog_kb")
print("new done", flush=True)
"""


def _catalog(path: Path, ids: range, version: str) -> Path:
    colours = ["red", "blue", "green", "black", "white", "orange", "grey"]
    rows = [
        {
            "id": f"p{i}",
            "product_id": f"sku{i // 4}",
            "source": "Desc",
            "text": f"Item {i} ({version}): a {colours[i % 7]} jacket with {i % 9 + 1} pockets, size {i % 5 + 36}.",
        }
        for i in ids
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _snapshot(store: VectorStore) -> dict[str, tuple[str, tuple[tuple[str, object], ...]]]:
    rows = store.scan("catalog_kb")
    assert len(rows) == len({h.id for h in rows}) == store.count("catalog_kb")  # no duplicates
    return {h.id: (h.text, tuple(sorted(h.metadata.items()))) for h in rows}


def test_killed_ingestion_converges_on_rerun(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    # the old file has p0..p79; the new one drops p0..p19, rewrites p20..p39, adds p80..p139
    old = _catalog(tmp_path / "old.jsonl", range(0, 80), "v1")
    new = _catalog(tmp_path / "new.jsonl", range(20, 140), "v2")
    lines = [json.loads(x) for x in new.read_text().splitlines()]
    for r in lines[20:60]:  # p40..p79 keep the old text: unchanged passages
        r["text"] = r["text"].replace("(v2)", "(v1)")
    new.write_text("".join(json.dumps(r) + "\n" for r in lines))

    killed = tmp_path / "killed"
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD.format(root=str(ROOT), source=SOURCE)))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = tmp_path / "child.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(killed), str(old), str(new)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
        )
    assert proc.stdout is not None
    new_batches = 0
    seen_old = False
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        seen_old = seen_old or line.startswith("old done")
        if seen_old and line.startswith("upserted"):
            new_batches += 1
            if new_batches == 3:
                proc.send_signal(signal.SIGKILL)  # midway through the new version
                break
        assert time.monotonic() < deadline, "the child did not get going in 120 s"
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"the child was not killed:\n{log.read_text()}"

    clean = VectorStore.open(path=tmp_path / "clean")
    Ingestor(embedder, clean).ingest(load_file(new, SOURCE), "catalog_kb")
    expected = _snapshot(clean)

    store = VectorStore.open(path=killed)
    half = _snapshot(store)
    written = {i for i, row in half.items() if expected.get(i) == row and "(v2)" in row[0]}
    assert written  # the killed run had written some of the new passages ...
    assert half != expected and "p0" in half  # ... but not all, and no stale one was deleted

    (report,) = Ingestor(embedder, store).ingest(load_file(new, SOURCE), "catalog_kb")
    assert report.removed == 20 and report.added == 80 - len(written)
    after = _snapshot(store)
    assert after == expected
    assert sorted(after) == sorted(f"p{i}" for i in range(20, 140))
    ids = sorted(after)
    got, want = store.get_embeddings("catalog_kb", ids), clean.get_embeddings("catalog_kb", ids)
    assert all(np.allclose(got[i], want[i], atol=1e-5) for i in ids)
    hit = store.query("catalog_kb", want["p77"], k=1)[0]  # the vector index answers, too
    assert hit.id == "p77" and hit.score == pytest.approx(1.0, abs=1e-4)
