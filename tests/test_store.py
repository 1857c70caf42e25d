"""The SQLite store: migrations, WAL, vectors with length checks, content fingerprints, FTS5."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.errors import StoreError
from core.media.subtitles import DialogueLine, DialogueSource
from core.spoiler_window import Window
from core.store import fingerprint, open_store, vectors


def test_schema_is_migrated_once_with_wal_and_foreign_keys(isolated_home):
    with open_store(isolated_home) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        applied = store.conn.execute("SELECT name FROM _sqlite_migrations").fetchall()
    with open_store(isolated_home) as again:
        assert again.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(applied)


def test_vectors_round_trip_as_little_endian_float16():
    v = np.linspace(-3, 3, 1280, dtype=np.float32)
    blob = vectors.pack(v)
    assert len(blob) == 2560 and blob[:2] == np.float16(-3).astype("<f2").tobytes()
    np.testing.assert_allclose(vectors.unpack(blob, (1280,)), v, atol=2e-3)
    assert vectors.unpack(vectors.pack(np.array([1e9])), (1,))[0] == 65504  # clipped, not inf


def test_vector_length_is_checked_on_read():
    with pytest.raises(StoreError, match="expected"):
        vectors.unpack(b"\x00" * 10, (1280,))
    with pytest.raises(StoreError):
        vectors.unpack_many([b"\x00" * 2560, b"\x00" * 2558], (1280,))


def test_fingerprint_follows_content_not_name(tmp_path):
    a = tmp_path / "a.mkv"
    a.write_bytes(np.random.default_rng(0).bytes(3_000_000))
    moved = tmp_path / "sub" / "renamed.mkv"
    moved.parent.mkdir()
    shutil.copy(a, moved)
    assert fingerprint(a) == fingerprint(moved)
    data = bytearray(a.read_bytes())
    data[0] ^= 0xFF
    a.write_bytes(bytes(data))
    assert fingerprint(a) != fingerprint(moved)


def test_dialogue_full_text_search(store, make_film):
    from core.media.probe import probe

    film = store.ensure_film("v1:test", probe(make_film()))
    source = DialogueSource(name="sidecar:x.srt", kind="sidecar", language="en")
    store.replace_dialogue(
        film.id,
        source,
        [
            DialogueLine(1, 2, "I'm Sinbad the sailor"),
            DialogueLine(3, 4, "So hearty and hale"),
            DialogueLine(5, 6, "The sailors are sailing"),
        ],
    )
    texts = {line.id: line.text for line in store.lines_in_window(film.id, Window.whole())}
    hits = store.search_lines(film.id, "sailor", Window.whole())
    assert {texts[i] for i in hits} == {"I'm Sinbad the sailor", "The sailors are sailing"}  # porter stemming
    assert {texts[i] for i in store.search_lines(film.id, "sailor", Window.until(4))} == {"I'm Sinbad the sailor"}
    store.replace_dialogue(film.id, source, [DialogueLine(1, 2, "Only this line now")])
    assert store.search_lines(film.id, "sailor", Window.whole()) == {}
    assert store.dialogue_count(film.id) == 1
    assert [line.text for line in store.lines_in_window(film.id, Window.until(1.5))] == ["Only this line now"]


def test_a_batch_is_all_or_nothing(store, make_film):
    from core.colours import FrameColours
    from core.media.probe import probe

    film = store.ensure_film("v1:test", probe(make_film()))
    store.ensure_encoder("enc@1/grid2", 8, 2)
    col = FrameColours(0.5, (("red", 1.0),))
    store.add_frames(film.id, "enc@1/grid2", 1.0, [0.0, 1.0], np.ones((2, 8)), np.ones((2, 4, 8)), [col, col], 0.1)
    with pytest.raises(RuntimeError, match="power cut"):  # the failure itself, not a failed insert
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO frames (film_id, encoder_id, t, content, patches) VALUES (?, ?, 2.0, x'00', x'00')",
                (film.id, "enc@1/grid2"),
            )
            assert [r[0] for r in conn.execute("SELECT t FROM frames ORDER BY t")] == [0.0, 1.0, 2.0]
            raise RuntimeError("power cut")
    assert store.frame_times(film.id, "enc@1/grid2") == [0.0, 1.0]
    assert store.add_frames(film.id, "enc@1/grid2", 1.0, [1.0], np.ones((1, 8)), np.ones((1, 4, 8)), [col], 0.1) == 0
    loaded = store.frames_in_window(film.id, "enc@1/grid2", Window(((0.5, 10.0),)))
    assert loaded.times.tolist() == [1.0] and loaded.patches.shape == (1, 4, 8)
