"""ImageNet's 1000 classes gathered into the everyday words a viewer uses: "school bus", "trolleybus" and
"minibus" are a bus; 118 breeds are a dog; "alp", "ski" and "snowmobile" suggest snow.

A word's probability on a frame is the sum of its classes' probabilities (the classifier's softmax), so a
bus that the classifier splits over three kinds of bus still counts as one sure bus. The table follows
ImageNet's own WordNet hierarchy (its class order keeps related classes together)."""

from __future__ import annotations

import functools
import re

import numpy as np


def _span(a: int, b: int) -> tuple[int, ...]:
    return tuple(range(a, b + 1))


# everyday word -> ImageNet-1k class indices (core/encoders/concepts.imagenet_labels order)
EVERYDAY: dict[str, tuple[int, ...]] = {
    "fish": _span(0, 6) + _span(389, 397),
    "shark": (2, 3, 4),
    "bird": _span(7, 24) + _span(80, 100) + _span(127, 146),
    "chicken": (7, 8),
    "owl": (24,),
    "eagle": (21, 22),
    "duck": (97, 98, 99),
    "penguin": (145,),
    "frog": (30, 31, 32),
    "turtle": _span(33, 37),
    "lizard": _span(38, 48),
    "crocodile": (49, 50),
    "dinosaur": (51,),
    "snake": _span(52, 68),
    "spider": _span(72, 77),
    "insect": _span(300, 326),
    "butterfly": _span(321, 326),
    "crab": _span(118, 125),
    "whale": (147, 148),
    "seal": (150,),
    "dog": _span(151, 268),
    "wolf": (269, 270, 271),
    "fox": _span(277, 280),
    "cat": _span(281, 285),
    "lion": (291,),
    "tiger": (292,),
    "leopard": (288, 289, 290),
    "big cat": _span(286, 293),
    "bear": (*_span(294, 297), 387, 388),
    "rabbit": (330, 331, 332),
    "horse": (339, 603),
    "zebra": (340,),
    "pig": (341, 342, 343),
    "cow": (345, 346, 347),
    "sheep": (348, 349),
    "deer": _span(350, 353),
    "camel": (354,),
    "monkey": _span(365, 384),
    "elephant": (385, 386),
    "animal": _span(0, 397),
    "car": (407, 436, 468, 511, 609, 627, 656, 661, 717, 751, 817, 475, 479, 581),
    "bus": (654, 779, 874),
    "truck": (555, 569, 675, 717, 864, 867, 734),
    "train": (466, 547, 565, 705, 820, 829),
    "boat": (472, 484, 554, 576, 625, 694, 814, 871, 914),
    "ship": (403, 510, 628, 724, 780, 833, 913),
    "plane": (404, 895, 908),
    "airship": (405,),
    "rocket": (657, 812),
    "bicycle": (444, 671, 870, 880),
    "motorbike": (665, 670),
    "tank": (847,),
    "vehicle": (
        407,
        436,
        468,
        511,
        609,
        627,
        656,
        661,
        717,
        751,
        817,
        654,
        779,
        874,
        555,
        569,
        675,
        864,
        867,
        734,
        466,
        547,
        565,
        705,
        820,
        829,
        444,
        671,
        870,
        665,
        670,
        847,
        866,
        595,
        561,
        573,
        575,
        802,
        803,
        757,
        660,
        690,
        603,
        612,
        586,
    ),
    "snow": (970, 795, 796, 802, 803, 537, 450),
    "sea": (978, 977, 973, 460, 718, 510, 628, 780),
    "beach": (978, 977),
    "lake": (975,),
    "mountain": (970, 980, 979, 972, 976),
    "volcano": (980,),
    "building": (425, 483, 497, 538, 663, 668, 698, 743, 858, 853, 915, 580, 449, 900, 832, 410, 500),
    "house": (425, 858, 853, 660, 449),
    "castle": (483, 698),
    "church": (497, 442, 663),
    "bridge": (821, 839, 888),
    "shop": (415, 424, 454, 467, 509, 582, 788, 860, 865),
    "restaurant": (762,),
    "gun": (413, 763, 764, 597),
    "cannon": (471,),
    "sword": (777,),
    "knife": (499, 623),
    "food": _span(923, 965),
    "fruit": _span(948, 957),
    "cup": (504, 968, 967, 441, 572),
    "bottle": (440, 720, 737, 898, 907, 901),
    "wine": (966, 907, 572),
    "flower": (985, 986),
    "glasses": (836, 837),
    "hat": (515, 808, 452, 793, 433, 667, 715, 439),
    "helmet": (518, 560),
    "mask": (643, 570, 796, 691),
    "phone": (487, 528, 707),
    "computer": (527, 590, 620, 508, 681),
    "screen": (664, 782, 851, 598),
    "clock": (409, 530, 892, 531, 826),
    "book": (921, 453, 454, 624, 917),
    "piano": (579, 881),
    "guitar": (402, 546),
    "instrument": (
        401,
        402,
        420,
        432,
        486,
        513,
        546,
        558,
        566,
        579,
        593,
        594,
        641,
        642,
        683,
        684,
        687,
        699,
        776,
        822,
        875,
        889,
        541,
        577,
        881,
    ),
    "chair": (423, 559, 765, 857),
    "table": (532, 526),
    "bed": (564, 520, 431, 516),
    "fence": (489, 716, 912),
    "wall": (825,),
    "flag": (557,),
    "candle": (470, 862),
    "lamp": (846, 619, 818),
    "umbrella": (879,),
    "balloon": (417,),
    "ball": (429, 430, 522, 574, 722, 768, 805, 852, 890),
    "chain": (488, 490),
    "door": (799, 789),
    "window": (904, 905),
    "camera": (732, 759, 872),
    "suit": (834, 652),
    "dress": (578, 601, 689, 655),
}
# Broader words that name a kind of thing: an answer names the narrower word seen.
KINDS = ("animal", "vehicle", "building", "instrument", "food", "big cat", "bird", "fish")
# Words viewers use for the same things.
SYNONYMS = {
    "doggy": "dog",
    "puppy": "dog",
    "kitten": "cat",
    "kitty": "cat",
    "automobile": "car",
    "airplane": "plane",
    "aeroplane": "plane",
    "aircraft": "plane",
    "jet": "plane",
    "bike": "bicycle",
    "motorcycle": "motorbike",
    "ocean": "sea",
    "shore": "beach",
    "coast": "beach",
    "boats": "boat",
    "creature": "animal",
    "beast": "animal",
    "pet": "animal",
    "spectacles": "glasses",
    "sunglasses": "glasses",
    "rifle": "gun",
    "pistol": "gun",
    "revolver": "gun",
    "weapon": "gun",
    "lorry": "truck",
    "van": "truck",
    "bus": "bus",
    "coach": "bus",
    "tram": "train",
    "locomotive": "train",
    "mug": "cup",
    "lions": "lion",
    "wolves": "wolf",
    "sheep": "sheep",
    "mice": "rabbit",
    "cattle": "cow",
    "bull": "cow",
    "ox": "cow",
    "ape": "monkey",
    "gorilla": "monkey",
    "snowy": "snow",
    "winter": "snow",
    "hills": "mountain",
    "hill": "mountain",
    "television": "screen",
    "tv": "screen",
    "monitor": "screen",
    "telephone": "phone",
    "cellphone": "phone",
    "guns": "gun",
}


def word_of(token: str) -> str | None:
    """The everyday word a question's word names (plurals and synonyms included), or None."""
    token = token.lower()
    plurals = (
        token[:-1] if token.endswith("s") else "",
        token[:-2] if token.endswith("es") else "",
        token[:-3] + "y" if token.endswith("ies") else "",
    )
    for candidate in (token, *plurals):
        if candidate in SYNONYMS:
            return SYNONYMS[candidate]
        if candidate in EVERYDAY:
            return candidate
    return None


def words_in(question: str) -> list[str]:
    """The everyday picture words a question names, in order ("big cat" counts as one)."""
    text = question.lower()
    found = ["big cat"] if "big cat" in text else []
    for token in re.findall(r"[a-z]+", text.replace("big cat", "")):
        word = word_of(token)
        if word and word not in found:
            found.append(word)
    return found


@functools.lru_cache(maxsize=1)
def _matrix() -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(EVERYDAY)
    matrix = np.zeros((len(names), 1000), np.float32)
    for g, name in enumerate(names):
        matrix[g, list(EVERYDAY[name])] = 1.0
    return names, matrix


def everyday_probabilities(class_probs: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """(F, 1000) classifier probabilities -> the everyday words and their (F, W) probabilities."""
    names, matrix = _matrix()
    return names, np.asarray(class_probs, np.float32) @ matrix.T
