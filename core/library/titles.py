"""A film's title and year as a person would say them, read from a release-style file name, and whether the
file is the film or one of its extras (a sample, a trailer, a featurette).

guessit finds the technical tokens (resolution, source, codecs, editions, languages, release groups); the title
is then the stretch of the name before the first of them, cleaned here, rather than guessit's own title, which
loses words it mistakes for a release group or a part ("Spider-Man", "Dune Part Two", "Birdman or (...)")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePath

FIRST_FILM_YEAR = 1878  # Muybridge's The Horse in Motion
# guessit claims these as parts of a film's name when they are words of its title, so they do not end the title.
TITLE_LIKE = {"title", "alternative_title", "episode_title", "episode_details", "release_group", "part", "volume"}
IGNORED = {"container", "mimetype", "type", "proper_count"}
# A name that says nothing about the film: its folder says it instead (DVD/Blu-ray structures, MakeMKV rips,
# disc parts, "movie.mkv" in a folder named after the film).
GENERIC = re.compile(
    r"(movie|film|video|feature|main( ?feature)?|sample|trailer|video_ts|audio_ts|bdmv|stream|playlist|"
    r"vts_\d+_\d+|[a-z]?\d*_?t\d\d|title_?t?\d+|\d{5}|(cd|dvd|disc|disk|part|pt)[ ._-]?\d{1,2})",
    re.IGNORECASE,
)
# Plex/Jellyfin extras folders, inside the film's folder.
EXTRA_FOLDERS = {
    "extras": "extra",
    "featurettes": "extra",
    "behind the scenes": "extra",
    "deleted scenes": "extra",
    "interviews": "extra",
    "scenes": "extra",
    "shorts": "extra",
    "clips": "extra",
    "other": "extra",
    "others": "extra",
    "bonus": "extra",
    "trailers": "trailer",
    "trailer": "trailer",
    "samples": "sample",
    "sample": "sample",
}
# Also ordinary folder names in a library ("Movies/Other/Heat (1995).mkv"): extras only inside a film's folder.
AMBIGUOUS_FOLDERS = {"scenes", "shorts", "clips", "other", "others", "bonus"}
# Plex/Jellyfin "-trailer" style suffixes; a teaser is a short trailer.
SUFFIX = re.compile(
    r"\s*-\s*(trailer|teaser|sample|featurette|behindthescenes|bts|deleted|deletedscenes?|interview|"
    r"scene|short|clip|extra|other|makingof)$",
    re.IGNORECASE,
)
SUFFIX_KINDS = {"trailer": "trailer", "teaser": "trailer", "sample": "sample"}
# Suffixes that are also the last word of titles ("the-big-short.mkv" is a name written with hyphens).
TITLE_WORD_SUFFIXES = {"deleted", "interview", "scene", "short", "clip", "extra", "other"}
# Words that name an extra wherever they are (guessit's "other" already catches Sample, Trailer, Extras, Bonus).
EXTRA_WORDS = re.compile(r"\b(featurettes?|behind the scenes|deleted scenes?|making of|gag reel|bloopers)\b", re.I)
GUESSIT_KINDS = {"Sample": "sample", "Trailer": "trailer", "Extras": "extra", "Bonus": "extra"}
# A sample is a minute or two of the film (scene rules); ten minutes leaves room, and a film with "sample" in its
# title is feature length.
SAMPLE_MAX_S = 10 * 60
# A feature runs over 40 minutes (the Academy's, BAFTA's and AFI's definition): a file named like an extra but
# that long is listed as a film, so that a long documentary "Making of" can still be asked about.
FEATURE_MIN_S = 40 * 60
# Trailers run at most 2.5 minutes and samples about one; nothing under two minutes is a film to ask about.
EXTRA_MAX_S = 2 * 60
SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "nor", "of", "on", "or", "the", "to"}
SMALL_WORDS |= {"vs", "with", "de", "du", "des", "et"}
ROMAN = re.compile(r"(?=[ivx])x{0,3}(ix|iv|v?i{0,3})", re.IGNORECASE)
ACRONYM = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\.){2,})")  # L.A. / A.I. / S.W.A.T.
ABBREVIATION = re.compile(r"(?<![^\W\d_])(mr|mrs|ms|dr|st|jr|sr|vs|vol|blvd|mt)\.", re.IGNORECASE)
OLD_YEAR = re.compile(r"(?<![0-9A-Za-z])(18[789]\d)(?![0-9A-Za-z])")  # guessit's years start at 1900


@dataclass(frozen=True)
class FilmName:
    """A file's film: its title, its year when the name gives one, and what the file is (film or extra)."""

    title: str
    year: int | None
    kind: str  # "film", "sample", "trailer" or "extra"

    @property
    def display(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True)
class _Parsed:
    title: str
    year: int | None
    kind: str | None  # what the name itself says the file is, from guessit's "other"


def film_name(path: str | Path) -> FilmName:
    """The film a file is or belongs to, named from the file name, or from its folder where the name is generic."""
    file = PurePath(path)
    named = file
    while _is_generic(named) and named.parent.name:
        named = named.parent
    if _is_generic(named):
        named = file
    parsed = _parse(_name_of(named))
    return FilmName(parsed.title, parsed.year, extra_kind(path, None) or "film")


def extra_kind(path: str | Path, duration_s: float | None) -> str | None:
    """What a file is when it is not the film itself: "sample", "trailer" or "extra", by its name, its folder or
    its length; None for a film. A name that only suggests an extra is overruled by a feature-length duration."""
    file = PurePath(path)
    stem = _stem(file)
    suffix = _suffix(stem)
    if suffix:
        return SUFFIX_KINDS.get(suffix, "extra")
    folder = _folder_kind(file)
    if folder:
        return folder
    said = _parse(file.name).kind or ("extra" if EXTRA_WORDS.search(_spaced(stem)) else None)
    if said and (duration_s is None or duration_s < FEATURE_MIN_S):
        return said
    if duration_s is None:
        return None
    if duration_s < SAMPLE_MAX_S and re.search(r"(?<![a-z])sample(?![a-z])", stem, re.IGNORECASE):
        return "sample"
    return "extra" if duration_s < EXTRA_MAX_S else None


_VIDEO_SUFFIXES = {".mkv", ".mp4", ".m4v", ".mov", ".avi", ".webm", ".ts", ".m2ts", ".mts", ".vob", ".mpg"}
_VIDEO_SUFFIXES |= {".mpeg", ".wmv", ".flv", ".ogv", ".divx", ".3gp", ".iso"}


def _stem(path: PurePath) -> str:
    """The name without a video extension; a folder's name whole ("Some.Film.1999.DVDRip")."""
    return path.stem if path.suffix.lower() in _VIDEO_SUFFIXES else path.name


def _suffix(stem: str) -> str | None:
    """The Plex/Jellyfin extra's suffix of a name ("trailer" in "The Movie (2019)-trailer"), if it has one."""
    found = SUFFIX.search(stem)
    if not found:
        return None
    word = found.group(1).lower()
    if word in TITLE_WORD_SUFFIXES and re.fullmatch(r"[^\W_]+(?:-[^\W_]+)+", stem):
        return None
    return word


def _name_of(path: PurePath) -> str:
    """The name to parse: without a "-trailer" style suffix (guessit would read it as part of the title)."""
    stem = _stem(path)
    bare = SUFFIX.sub("", stem) if _suffix(stem) else stem
    return bare + path.name[len(stem) :]


def _is_generic(path: PurePath) -> bool:
    """Whether the name says nothing of the film ("movie.mkv", "VIDEO_TS", "00001.m2ts", "Disc 1", "Extras")."""
    stem = _stem(path)
    return bool(GENERIC.fullmatch(stem.strip())) or _spaced(stem).lower() in EXTRA_FOLDERS


def _folder_kind(path: PurePath) -> str | None:
    """The kind an extras folder gives the files directly inside it (Plex and Jellyfin look no deeper)."""
    folder = _spaced(path.parent.name).lower()
    kind = EXTRA_FOLDERS.get(folder)
    film_folder = path.parent.parent.name
    if kind and folder in AMBIGUOUS_FOLDERS and not (film_folder and _parse(film_folder).year):
        return None
    return kind


def _spaced(text: str) -> str:
    return " ".join(re.split(r"[\s._]+", text)).strip()


def _plausible(year: int) -> bool:
    return FIRST_FILM_YEAR <= year <= date.today().year + 1


@lru_cache(maxsize=4096)
def _parse(name: str) -> _Parsed:
    """Title, year and kind from one file or folder name (cached: a scan asks for the same names again)."""
    from guessit import guessit  # takes ~0.1 s to import: only when a name is read

    options = {"advanced": True, "type": "movie", "name_only": True}
    found = guessit(name, options)
    if "uuid" in found:  # guessit takes some names written with hyphens for an id: read those as if dotted
        name = name.replace("-", ".")
        found = guessit(name, options)
    matches = [(key, m) for key, value in found.items() for m in (value if isinstance(value, list) else [value])]
    others = {m.value for key, m in matches if key == "other"}
    kind = next((k for v, k in GUESSIT_KINDS.items() if v in others), None)
    year = next((m.value for key, m in matches if key == "year" and _plausible(m.value)), None)
    # (start, end, key, ends the title?); an implausible year ("Movie 2030") is a number in the title
    spans = sorted(
        (m.start, m.end, key, key not in TITLE_LIKE and (key != "year" or m.value == year))
        for key, m in matches
        if key not in IGNORED
    )
    stem_end = min([m.start for key, m in matches if key == "container"] or [len(name)])
    start = 0
    for s, e, key, _ in spans:  # a leading website, or a release group in brackets, comes before the title
        if s <= start and (key == "website" or (key == "release_group" and name[s : s + 1] in "[({")):
            start = e
    ends = [s for s, _, _, technical in spans if technical and s >= start]
    if ends and min(ends) > start:
        end = min(ends)  # the title runs up to the first technical token, whatever guessit called the words
    elif ends:  # the name starts with a year, which is then the title: "1917.mkv", "2001.mkv"
        end = next(e for s, e, _, technical in spans if technical and s == start)
        year = None
    else:  # nothing technical: guessit's title, without a trailing "Part 2" or "-GRP" it may be right about
        titles = [e for s, e, key, _ in spans if s >= start and key in {"title", "alternative_title", "episode_title"}]
        end = min(max(titles or [stem_end]), stem_end)
    if year is None:
        old = list(OLD_YEAR.finditer(name, start, end))  # "Roundhay.Garden.Scene.1888"
        if old and old[-1].start() > start and _plausible(int(old[-1].group(1))):
            year, end = int(old[-1].group(1)), old[-1].start()
    return _Parsed(_clean(name, start, end), year, kind)


def _clean(name: str, start: int, end: int) -> str:
    """The title in name[start:end]: separators to spaces, brackets balanced, " - " as a colon, cased."""
    if name.count("(", start, end) > name.count(")", start, end) and name[end : end + 1] == ")":
        end += 1
    text = name[start:end]
    following = name[end : end + 1]
    if not re.search(r"[\s._]", text) and text.strip("-").count("-") >= 2:  # "the-big-short", not "Spider-Man"
        text = text.replace("-", " ")
    # dots that are the title's own: inside "S.W.A.T." and after "Dr", "Mr", "St"; the rest separate words
    own = {i for m in ACRONYM.finditer(text) for i in range(m.start(), m.end() - 1) if text[i] == "."}
    ends = {m.end() - 1 for m in ACRONYM.finditer(text)} | {m.end() - 1 for m in ABBREVIATION.finditer(text)}
    chars = []
    for i, ch in enumerate(text):
        after = text[i + 1 : i + 2] or following
        joined = bool(after) and not after.isspace() and after != "."
        if ch == "." and (i in own or (i in ends and not joined)):
            chars.append(".")
        elif ch == "." and i in ends:
            chars.append(". ")
        elif ch == "_" or (ch == "." and joined):
            chars.append(" ")
        else:
            chars.append(ch)
    text = re.sub(r"\s+", " ", "".join(chars)).lstrip(" -_]})").rstrip(" -_([{")
    text = _subtitle(text.replace(" - ", ": ", 1))
    cased = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    if cased and (all(c.islower() for c in cased) or all(c.isupper() for c in cased)):
        text = _title_case(text)
    return text or name


def _subtitle(text: str) -> str:
    """A colon before a subtitle the name shows only by case: in a name that writes "of", "the" in lower case,
    a capital "The" or "A" starts one ("The Lord of the Rings: The Fellowship of the Ring"); so does a closing
    "The Movie" ("Trailer Park Boys: The Movie")."""
    words = text.split(" ")
    if ":" in text:
        return text
    if len(words) > 2 and words[-2:] == ["The", "Movie"] and words[-3][-1:].isalnum():
        return " ".join(words[:-2]) + ": The Movie"
    if not any(w in SMALL_WORDS for w in words[1:]):
        return text
    for i in range(1, len(words)):
        if words[i] in {"The", "A", "An"} and words[i - 1][-1:].isalnum() and words[i - 1] not in SMALL_WORDS:
            return " ".join(words[:i]) + ": " + " ".join(words[i:])
    return text


def _title_case(text: str) -> str:
    """Title case for a name written all in one case: small words low, Roman numerals and acronyms high."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        bare = lower.strip("()[]:,!?")
        if ROMAN.fullmatch(bare):
            out.append(word.upper())
        elif ACRONYM.fullmatch(bare):
            out.append(word.upper())
        elif 0 < i < len(words) - 1 and bare in SMALL_WORDS and not out[-1].endswith(":"):
            out.append(lower)
        else:
            word = "-".join(_capitalise(part) for part in lower.split("-"))
            out.append(word[:1].upper() + word[1:] if i == 0 else word)
    return " ".join(out)


def _capitalise(word: str) -> str:
    """The first letter up; after a one-letter elision too ("d'Amélie", "O'Brien"), but not in "I'll"."""
    elided = re.fullmatch(r"([dlo])'([^\W\d_]{2,}.*)", word)
    if elided:
        head = elided.group(1)
        return (head.upper() if head == "o" else head) + "'" + elided.group(2)[:1].upper() + elided.group(2)[1:]
    for i, ch in enumerate(word):
        if ch.isalpha():
            return word[:i] + ch.upper() + word[i + 1 :]
    return word
