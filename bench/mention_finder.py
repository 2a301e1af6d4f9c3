"""Linking prerequisites and news against a large catalogue: MentionFinder at 20,000 titles.

    .venv/bin/python -m bench.mention_finder

Builds a finder over 20,000 generated titles (2-4 words from a 2,025-word vocabulary) and
finds the known titles in 300 short texts that each name two of them; prints the CPU seconds
of the build and of the 300 texts, and the number of matches (600 expected)."""
from __future__ import annotations

import random
import time

from normalise.mentions import MentionFinder
from schema.news import KnownCourse


def main() -> None:
    rng = random.Random(1)
    vocab = ["Workplace", "Power", "Picket", "Captain", "Training", "Steward", "Learning", "Bargaining", "Health",
             "Safety", "Committee", "Advanced", "Essentials", "Financial", "Officers", "Human", "Rights", "Equality",
             "Conflict", "Resolution", "Pensions", "History", "Labour", "Union", "Structure"]
    vocab += [f"Word{i}" for i in range(2000)]
    titles = [KnownCourse(f"c{i}", " ".join(rng.sample(vocab, rng.randint(2, 4)))) for i in range(20000)]
    texts = [f"Completion of {rng.choice(titles).title} and {rng.choice(titles).title}." for _ in range(300)]
    t = time.process_time()
    finder = MentionFinder(titles)
    build = time.process_time() - t
    t = time.process_time()
    n = sum(len(finder.spans(x)) for x in texts)
    print(f"build {build:.2f} s CPU; 300 texts {time.process_time() - t:.2f} s CPU; {n} matches")


if __name__ == "__main__":
    main()
