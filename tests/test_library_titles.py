"""Titles and years read from release-style file names, and extras told apart from films by name, folder and
length. Each expected title is what a person would call the film, not whatever the parser happens to give."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from core.library.titles import FilmName, _parse, extra_kind, film_name

# (path, title, year, kind)
NAMES = [
    # scene releases, dots, spaces, brackets, underscores, all caps
    ("The.Movie.2019.1080p.BluRay.x264-GRP.mkv", "The Movie", 2019, "film"),
    ("The Movie (2019) [1080p].mkv", "The Movie", 2019, "film"),
    ("Movie [2019] {imdb-tt1234567}.mkv", "Movie", 2019, "film"),
    ("the_big_lebowski_1998_720p.mkv", "The Big Lebowski", 1998, "film"),
    ("THE.MATRIX.1999.1080P.BLURAY.X264-SPARKS.mkv", "The Matrix", 1999, "film"),
    ("THE_THIRD_MAN_1949.avi", "The Third Man", 1949, "film"),
    ("Pulp Fiction 1994 720p BRRip x264 AAC-ETRG.mp4", "Pulp Fiction", 1994, "film"),
    ("Toy.Story.1995.1080p.BluRay.x264-[YTS.AG].mp4", "Toy Story", 1995, "film"),
    ("[YTS.AG] Toy Story (1995).mkv", "Toy Story", 1995, "film"),
    ("www.Torrenting.com - Inception 2010 1080p BluRay x264 DTS-WiKi.mkv", "Inception", 2010, "film"),
    ("rocky.ii.1979.mkv", "Rocky II", 1979, "film"),
    # a title that is or holds a number
    ("1917.2019.1080p.BluRay.x264-SPARKS.mkv", "1917", 2019, "film"),
    ("1917.mkv", "1917", None, "film"),
    ("2001.A.Space.Odyssey.1968.2160p.UHD.BluRay.x265-TERMiNAL.mkv", "2001 A Space Odyssey", 1968, "film"),
    ("2012.2009.1080p.BluRay.mkv", "2012", 2009, "film"),
    ("Wonder.Woman.1984.2020.1080p.mkv", "Wonder Woman 1984", 2020, "film"),
    ("Blade.Runner.2049.2017.1080p.mkv", "Blade Runner 2049", 2017, "film"),
    ("(500) Days of Summer (2009).mkv", "(500) Days of Summer", 2009, "film"),
    ("Se7en.1995.1080p.mkv", "Se7en", 1995, "film"),
    # colons, ampersands, apostrophes, abbreviations, non-ASCII
    ("Star Wars - The Empire Strikes Back (1980).mkv", "Star Wars: The Empire Strikes Back", 1980, "film"),
    ("Star Wars: The Empire Strikes Back (1980).mkv", "Star Wars: The Empire Strikes Back", 1980, "film"),
    (
        "Pirates of the Caribbean The Curse of the Black Pearl (2003).mkv",
        "Pirates of the Caribbean: The Curse of the Black Pearl",
        2003,
        "film",
    ),
    ("Fast & Furious (2009).mkv", "Fast & Furious", 2009, "film"),
    ("Mr.&.Mrs.Smith.2005.1080p.mkv", "Mr. & Mrs. Smith", 2005, "film"),
    (
        "Harry.Potter.and.the.Philosopher's.Stone.2001.1080p.mkv",
        "Harry Potter and the Philosopher's Stone",
        2001,
        "film",
    ),
    ("Ocean's.Eleven.2001.1080p.mkv", "Ocean's Eleven", 2001, "film"),
    ("The Good, the Bad and the Ugly (1966).mkv", "The Good, the Bad and the Ugly", 1966, "film"),
    ("Monsters, Inc. (2001).mkv", "Monsters, Inc.", 2001, "film"),
    ("Once Upon a Time... in Hollywood (2019).mkv", "Once Upon a Time... in Hollywood", 2019, "film"),
    ("The.Cabinet.of.Dr.Caligari.1920.mkv", "The Cabinet of Dr. Caligari", 1920, "film"),
    ("S.W.A.T.2003.1080p.mkv", "S.W.A.T.", 2003, "film"),
    ("L.A.Confidential.1997.1080p.mkv", "L.A. Confidential", 1997, "film"),
    ("E.T..the.Extra-Terrestrial.1982.1080p.mkv", "E.T. the Extra-Terrestrial", 1982, "film"),
    ("Spider-Man.2002.1080p.BluRay.mkv", "Spider-Man", 2002, "film"),
    (
        "Birdman.or.(The.Unexpected.Virtue.of.Ignorance).2014.1080p.mkv",
        "Birdman or (The Unexpected Virtue of Ignorance)",
        2014,
        "film",
    ),
    ("Amélie.2001.1080p.BluRay.x264.mkv", "Amélie", 2001, "film"),
    ("AMÉLIE.2001.MULTi.1080p.BluRay.x264-ULSHD.mkv", "Amélie", 2001, "film"),
    (
        "Le.Fabuleux.Destin.d'Amélie.Poulain.2001.FRENCH.1080p.BluRay.x264-LOST.mkv",
        "Le Fabuleux Destin d'Amélie Poulain",
        2001,
        "film",
    ),
    ("LÉON.1994.EXTENDED.1080p.BluRay.x264.mkv", "Léon", 1994, "film"),
    ("Crouching Tiger, Hidden Dragon (2000) [1080p] CHINESE.mkv", "Crouching Tiger, Hidden Dragon", 2000, "film"),
    # editions, 3D, HDR and audio tokens
    ("Blade.Runner.1982.Directors.Cut.1080p.mkv", "Blade Runner", 1982, "film"),
    ("Blade Runner (1982) [Final Cut].mkv", "Blade Runner", 1982, "film"),
    ("Some Film (1999) {edition-Director's Cut}.mkv", "Some Film", 1999, "film"),
    ("Apocalypse.Now.1979.REDUX.Remastered.1080p.BluRay.mkv", "Apocalypse Now", 1979, "film"),
    ("Aliens.1986.Special.Edition.720p.mkv", "Aliens", 1986, "film"),
    ("American.Pie.1999.UNRATED.720p.mkv", "American Pie", 1999, "film"),
    ("Cinema.Paradiso.1988.ITALIAN.DC.1080p.mkv", "Cinema Paradiso", 1988, "film"),
    (
        "The.Lord.of.the.Rings.The.Fellowship.of.the.Ring.2001.EXTENDED.2160p.UHD.BluRay.x265.10bit.HDR.DTS-HD.MA.5.1-SWTYBLZ.mkv",
        "The Lord of the Rings: The Fellowship of the Ring",
        2001,
        "film",
    ),
    (
        "Interstellar.2014.IMAX.2160p.UHD.BluRay.x265.10bit.HDR.DV.TrueHD.Atmos.7.1-GRP.mkv",
        "Interstellar",
        2014,
        "film",
    ),
    ("Tenet.2020.2160p.UHD.BluRay.HEVC.10bit.HDR.DTS-HD.MA.5.1.mkv", "Tenet", 2020, "film"),
    ("Avatar.The.Way.of.Water.2022.3D.HSBS.1080p.BluRay.x264.mkv", "Avatar: The Way of Water", 2022, "film"),
    ("Jurassic.Park.1993.3D.1080p.BluRay.Half-SBS.mkv", "Jurassic Park", 1993, "film"),
    # the film's own "Part II" stays in its title; a file's "CD1" or "Part 2" does not
    ("The.Godfather.Part.II.1974.1080p.BluRay.mkv", "The Godfather Part II", 1974, "film"),
    ("The.Godfather.1972.CD1.avi", "The Godfather", 1972, "film"),
    ("Lawrence of Arabia (1962) Part 2.mkv", "Lawrence of Arabia", 1962, "film"),
    ("Heat.1995.Part2.DVDRip.XviD.avi", "Heat", 1995, "film"),
    # foreign release tags
    ("Intouchables.2011.VOSTFR.720p.BluRay.x264.mkv", "Intouchables", 2011, "film"),
    ("Das.Boot.1981.German.DL.1080p.BluRay.x264-DETAiLS.mkv", "Das Boot", 1981, "film"),
    ("Parasite.2019.KOREAN.1080p.BluRay.x264.DTS-HD.MA.5.1-GRP.mkv", "Parasite", 2019, "film"),
    ("The.Seventh.Seal.1957.SWEDISH.1080p.mkv", "The Seventh Seal", 1957, "film"),
    # old films: a year from 1878 on, none when the name has none
    ("Nosferatu.1922.1080p.BluRay.x264.mkv", "Nosferatu", 1922, "film"),
    ("Metropolis.mkv", "Metropolis", None, "film"),
    ("Roundhay.Garden.Scene.1888.mkv", "Roundhay Garden Scene", 1888, "film"),
    # generic names: the folder names the film
    ("Some Film (1999)/movie.mkv", "Some Film", 1999, "film"),
    ("Some.Film.1999.DVDRip/VIDEO_TS/VTS_01_1.VOB", "Some Film", 1999, "film"),
    ("Some.Film.1999.DVDRip/VIDEO_TS", "Some Film", 1999, "film"),
    ("The Movie (2019)/BDMV/STREAM/00001.m2ts", "The Movie", 2019, "film"),
    ("The Movie (2019)/title_t00.mkv", "The Movie", 2019, "film"),
    ("The Movie (2019)/CD2/movie.avi", "The Movie", 2019, "film"),
    # samples, trailers and extras
    ("the.movie.2019.sample.mkv", "The Movie", 2019, "sample"),
    ("the.movie.2019.1080p-sample.mkv", "The Movie", 2019, "sample"),
    ("Sample/the.movie.2019.mkv", "The Movie", 2019, "sample"),
    ("The.Movie.2019.1080p.BluRay.x264-GRP/Sample/sample.mkv", "The Movie", 2019, "sample"),
    ("The Movie (2019)-trailer.mp4", "The Movie", 2019, "trailer"),
    ("The Movie (2019)/Trailers/trailer.mp4", "The Movie", 2019, "trailer"),
    ("The Movie (2019)/The Movie (2019) - Teaser.mkv", "The Movie", 2019, "trailer"),
    ("The Movie (2019)-featurette.mkv", "The Movie", 2019, "extra"),
    ("The Movie (2019) Deleted Scenes.mkv", "The Movie", 2019, "extra"),
    # an extra in an extras folder is called by its own name, as Plex and Jellyfin list it under the film
    ("The Movie (2019)/Featurettes/Making of.mkv", "Making of", None, "extra"),
    ("The Movie (2019)/Behind The Scenes/On set.mkv", "On set", None, "extra"),
    ("The Movie (2019)/Other/Gag reel.mkv", "Gag reel", None, "extra"),
    # ...but "Other" is only an extras folder inside a film's folder, and extras' words inside titles are titles
    ("Movies/Other/Heat (1995).mkv", "Heat", 1995, "film"),
    ("The.Interview.2014.1080p.mkv", "The Interview", 2014, "film"),
    ("The.Big.Short.2015.1080p.mkv", "The Big Short", 2015, "film"),
    ("the_big_short.mkv", "The Big Short", None, "film"),
    ("the-big-short.mkv", "The Big Short", None, "film"),
    ("man-of-steel-2013-1080p.mkv", "Man of Steel", 2013, "film"),
    ("the-lord-of-the-rings-1978-720p.mp4", "The Lord of the Rings", 1978, "film"),  # guessit: an id
    ("Trailer.Park.Boys.The.Movie.2006.mkv", "Trailer Park Boys: The Movie", 2006, "film"),
    # plain names: the number stays, since it tells this file from "popeye_2" (a film or an episode of a set)
    ("popeye_1.mkv", "Popeye 1", None, "film"),
    ("popeye_the_sailor_1933.mkv", "Popeye the Sailor", 1933, "film"),
]


@pytest.mark.parametrize(("path", "title", "year", "kind"), NAMES, ids=[row[0] for row in NAMES])
def test_a_release_name_gives_the_title_a_person_would_use(path, title, year, kind):
    assert film_name(path) == FilmName(title, year, kind)
    assert film_name(Path("/media/films") / path) == FilmName(title, year, kind)


def test_the_table_is_large_and_its_names_distinct():
    assert len(NAMES) >= 45
    assert len({row[0] for row in NAMES}) == len(NAMES)


def test_display_puts_the_year_in_brackets_when_there_is_one():
    assert film_name("The.Movie.2019.1080p.mkv").display == "The Movie (2019)"
    assert film_name("Metropolis.mkv").display == "Metropolis"
    with pytest.raises(FrozenInstanceError):
        film_name("Metropolis.mkv").title = "M"  # type: ignore[misc]


def test_a_year_is_only_a_year_when_a_film_could_have_it():
    after_next = date.today().year + 2
    assert film_name(f"Escape.{after_next}.1080p.mkv") == FilmName(f"Escape {after_next}", None, "film")
    assert film_name("The.Horse.in.Motion.1878.mkv").year == 1878
    assert film_name("Train.1877.mkv").year is None


def test_names_are_parsed_once():
    _parse.cache_clear()
    film_name("Cached.Film.2011.1080p.mkv")
    film_name("/elsewhere/Cached.Film.2011.1080p.mkv")
    assert _parse.cache_info().hits >= 1


def test_guessit_is_imported_only_when_a_name_is_read():
    code = "import sys, core.library.titles; print('guessit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


MINUTE = 60.0


@pytest.mark.parametrize(
    ("path", "duration_s", "kind"),
    [
        # any video under two minutes is an extra, whatever its name
        ("The.Movie.2019.1080p.BluRay.x264-GRP.mkv", 70.0, "extra"),
        ("The.Movie.2019.1080p.BluRay.x264-GRP.mkv", 118 * MINUTE, None),
        ("The.Movie.2019.1080p.BluRay.x264-GRP.mkv", None, None),
        # a short film over two minutes is still a film
        ("Piper (2016).mkv", 6 * MINUTE, None),
        # "sample" anywhere, under ten minutes
        ("The Sample (2020).mkv", 4 * MINUTE, "sample"),
        ("The Sample (2020).mkv", 95 * MINUTE, None),
        ("the.movie.2019.sample.mkv", 60.0, "sample"),
        # a name that only suggests an extra is overruled by a feature's length
        ("the.movie.2019.sample.mkv", 118 * MINUTE, None),
        ("The Movie (2019) - Making of.mkv", 25 * MINUTE, "extra"),
        ("The Movie (2019) - Making of.mkv", 52 * MINUTE, None),
        # an extras folder or a "-trailer" suffix is the viewer's own filing: it holds at any length
        ("The Movie (2019)/Featurettes/Making of.mkv", 60 * MINUTE, "extra"),
        ("The Movie (2019)-trailer.mp4", 150.0, "trailer"),
        ("The Movie (2019)/Trailers/The Movie (2019).mp4", 150.0, "trailer"),
        ("Movies/Other/Heat (1995).mkv", 170 * MINUTE, None),
    ],
)
def test_extra_kind_by_name_folder_and_length(path, duration_s, kind):
    assert extra_kind(path, duration_s) == kind
