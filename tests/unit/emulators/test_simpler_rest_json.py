"""SIMPLer's REST answers are json.dumps(..., indent=3), byte for byte, written faster."""

import json
import random

from tests.emulators.simpler import rest_json

STRINGS = ["", "OK: 3", 'a"b\\c\n\t', "\u00e9\u212a", "\U0001f600", "\ud800"]
SCALARS = [None, True, False, 0, -5, 1.5, 1e300, float("nan"), float("inf")]
KEYS = ["k", "\u00fc", 'a"', 1, 2.5, None, True]


def value(pick, depth=0):
    roll = pick.random()
    if depth > 3 or roll < 0.4:
        return pick.choice(STRINGS)
    if roll < 0.5:
        return pick.choice(SCALARS)
    if roll < 0.75:
        return {pick.choice(KEYS) if pick.random() < 0.3 else "k%d" % index: value(pick, depth + 1)
                for index in range(pick.randint(0, 4))}
    return [value(pick, depth + 1) for _index in range(pick.randint(0, 4))]


def test_every_shape_is_written_as_json_writes_it():
    pick = random.Random(15)
    for _index in range(3000):
        answer = value(pick)
        assert rest_json(answer) == json.dumps(answer, indent=3), answer
