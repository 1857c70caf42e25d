"""The database schema as numbered migrations; each runs in its own transaction."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

migrations = Migrations("moviebuddy")


@migrations(name="0001_films_frames_dialogue")
def m0001(db) -> None:
    db.execute("""
        CREATE TABLE films (
            id INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            size INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            fps REAL,
            width INTEGER,
            height INTEGER,
            video_codec TEXT,
            streams TEXT,
            added_at TEXT NOT NULL DEFAULT (datetime('now')),
            seen_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("""
        CREATE TABLE encoders (
            id TEXT PRIMARY KEY,
            dim INTEGER NOT NULL,
            grid INTEGER NOT NULL
        )""")
    # One row per sampled frame: the content token and the pooled patch grid (keys and values of the
    # context token), float16; plus cheap pixel facts (brightness, named colours).
    db.execute("""
        CREATE TABLE frames (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            encoder_id TEXT NOT NULL REFERENCES encoders(id),
            t REAL NOT NULL,
            content BLOB NOT NULL,
            patches BLOB NOT NULL,
            brightness REAL,
            colours TEXT,
            UNIQUE (film_id, encoder_id, t)
        )""")
    db.execute("""
        CREATE TABLE index_progress (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            encoder_id TEXT NOT NULL REFERENCES encoders(id),
            fps REAL NOT NULL,
            indexed_until_s REAL,
            complete INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL DEFAULT (datetime('now')),
            PRIMARY KEY (film_id, encoder_id, fps)
        )""")
    db.execute("""
        CREATE TABLE dialogue_sources (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            language TEXT,
            lines INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (film_id, source)
        )""")
    db.execute("""
        CREATE TABLE dialogue (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            text TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX dialogue_film_start ON dialogue (film_id, start)")
    db.execute("""
        CREATE VIRTUAL TABLE dialogue_fts USING fts5(
            text, content='dialogue', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
        )""")
    db.execute("""
        CREATE TRIGGER dialogue_ai AFTER INSERT ON dialogue BEGIN
            INSERT INTO dialogue_fts(rowid, text) VALUES (new.id, new.text);
        END""")
    db.execute("""
        CREATE TRIGGER dialogue_ad AFTER DELETE ON dialogue BEGIN
            INSERT INTO dialogue_fts(dialogue_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END""")
    db.execute("""
        CREATE TABLE scenes (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            encoder_id TEXT NOT NULL REFERENCES encoders(id),
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            tags TEXT NOT NULL,
            PRIMARY KEY (film_id, encoder_id, start)
        )""")


@migrations(name="0002_dialogue_vectors_conversations")
def m0002(db) -> None:
    # One sentence embedding per dialogue line, of the line together with its neighbours (a "moment"):
    # single lines are too short to match a paraphrased question.
    db.execute("""
        CREATE TABLE dialogue_vectors (
            dialogue_id INTEGER NOT NULL REFERENCES dialogue(id) ON DELETE CASCADE,
            embedder_id TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (dialogue_id, embedder_id)
        )""")
    db.execute("""
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("""
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            citations TEXT NOT NULL,
            evidence TEXT NOT NULL,
            window TEXT NOT NULL,
            asked_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("""
        CREATE TABLE recaps (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            window_key TEXT NOT NULL,
            index_key TEXT NOT NULL,
            text TEXT NOT NULL,
            citations TEXT NOT NULL,
            made_at TEXT NOT NULL DEFAULT (datetime('now')),
            PRIMARY KEY (film_id, window_key)
        )""")


@migrations(name="0003_watched_ranges_and_positions")
def m0003(db) -> None:
    # The time ranges the viewer actually played (the spoiler-free window) and where to resume.
    db.execute("""
        CREATE TABLE watched (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            PRIMARY KEY (film_id, start)
        )""")
    db.execute("""
        CREATE TABLE positions (
            film_id INTEGER PRIMARY KEY REFERENCES films(id) ON DELETE CASCADE,
            position_s REAL NOT NULL,
            updated_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")


@migrations(name="0004_index_coverage")
def m0004(db) -> None:
    # The app indexes from the playhead first, so an index can have holes: the covered ranges
    # (JSON [[after, until], ...], after exclusive, -1 = the film's start) say which parts are done.
    db.execute("ALTER TABLE index_progress ADD COLUMN covered TEXT")
    db.execute("""
        UPDATE index_progress SET covered = json_array(json_array(-1.0,
            CASE WHEN complete THEN (SELECT duration_s FROM films WHERE films.id = film_id)
                 ELSE indexed_until_s END))
        WHERE indexed_until_s IS NOT NULL OR complete""")


@migrations(name="0005_frame_colourfulness")
def m0005(db) -> None:
    # How colourful each frame is (Hasler and Suesstrunk's measure on 0..1 pixels): black-and-white
    # pictures measure near 0. NULL for frames indexed before it was measured.
    db.execute("ALTER TABLE frames ADD COLUMN colourfulness REAL")


@migrations(name="0006_library")
def m0006(db) -> None:
    # The viewer's library: folders, the files found in them (size and mtime let a rescan skip what has
    # not changed; a file is tied to its film by content, so a moved file keeps its index), and the
    # analysis queue, which survives restarts.
    db.execute("""
        CREATE TABLE library_folders (
            path TEXT PRIMARY KEY,
            added_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("""
        CREATE TABLE library_files (
            path TEXT PRIMARY KEY,
            folder TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            kind TEXT NOT NULL,
            film_id INTEGER REFERENCES films(id) ON DELETE SET NULL,
            title TEXT,
            year INTEGER,
            duration_s REAL,
            problem TEXT,
            seen_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("CREATE INDEX library_files_folder ON library_files (folder)")
    db.execute("CREATE INDEX library_files_film ON library_files (film_id)")
    db.execute("""
        CREATE TABLE analysis_queue (
            path TEXT PRIMARY KEY,
            position REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            problem TEXT,
            updated_at TEXT NOT NULL DEFAULT (datetime('now'))
        )""")
    db.execute("CREATE TABLE library_settings (key TEXT PRIMARY KEY, value TEXT)")


@migrations(name="0007_dialogue_progress")
def m0007(db) -> None:
    # How far a slow dialogue source (speech recognition) got through a film, so that a killed run goes on
    # from the last chunk it stored.
    db.execute("""
        CREATE TABLE dialogue_progress (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            done_s REAL NOT NULL,
            PRIMARY KEY (film_id, source)
        )""")


@migrations(name="0008_dialogue_choice")
def m0008(db) -> None:
    # Which of a film's dialogue sources answers read (``used``: the viewer's pick, ``chosen``, or the best
    # kind: text subtitles, then subtitles read from images, then recognised speech; on-screen text is
    # always used beside it), kept up to date by the store whenever a source changes.
    db.execute("ALTER TABLE dialogue_sources ADD COLUMN used INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE dialogue_sources ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0")
    db.execute("""
        UPDATE dialogue_sources SET used = 0 WHERE kind = 'asr' AND EXISTS (
            SELECT 1 FROM dialogue_sources t WHERE t.film_id = dialogue_sources.film_id
            AND t.kind IN ('sidecar', 'embedded') AND t.lines > 0)""")


@migrations(name="0009_rough_frames")
def m0009(db) -> None:
    # Frames of the rough first pass (key frames: core.media.keyframes), kept until the 1 fps pass covers
    # their part of the film; their progress is the index_progress row with fps 0 (core.store.films.ROUGH).
    db.execute("ALTER TABLE frames ADD COLUMN rough INTEGER NOT NULL DEFAULT 0")
