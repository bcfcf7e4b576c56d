"""The review file names exactly the planted records, besides what the emulators'
own seed data gives (the review of the export made before seeding).

    python check_review.py FOLDER COUNT
"""

import json
import os
import sys

import yaml


def named(review_file):
    with open(review_file, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    entries = sorted([section, str(entry["key"]), entry["problem"]]
                     for section, items in document["review"].items() for entry in items)
    return entries, document["summary"]


def main(folder, count):
    baseline, before = named(os.path.join(folder, "baseline", "subscribers.review.yml"))
    exported, after = named(os.path.join(folder, "repo", "subscribers.review.yml"))
    with open(os.path.join(folder, "planted.json"), encoding="utf-8") as handle:
        planted = json.load(handle)
    expected = sorted(baseline + planted)
    problems = []
    if exported != expected:
        problems.append("review: named but not planted: %s; planted but not named: %s" % (
            [e for e in exported if e not in expected], [e for e in expected if e not in exported]))
    # + EXA-01..03, EXJ-01..02
    wanted = dict(before, subscribers=before["subscribers"] + count + 5)
    for kind in ("unmatched", "ambiguous", "conflict"):
        wanted[kind] += sum(1 for entry in planted if entry[2] == kind)
    if after != wanted:
        problems.append("summary %s, expected %s" % (after, wanted))
    print("review: %d records named (%d planted), summary %s" % (len(exported), len(planted), after))
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
