"""Argon2id parameters, measured: the time one password check takes on this machine for the library's
default and for OWASP's recommended settings, so that the platform's choice is a measured one.

    .venv/bin/python benchmarks/argon2_parameters.py [--repeat 20]

OWASP's Password Storage Cheat Sheet asks for Argon2id with at least 19 MiB of memory, 2 iterations
and 1 degree of parallelism (or equivalent trade-offs of more memory for fewer iterations). Each row
is the median and 95th percentile of `repeat` verifications, in one thread, as the gateway runs them
(one per sign-in, in a worker thread off the event loop).
"""

from __future__ import annotations

import argparse
import statistics
import time

from argon2 import PasswordHasher

CANDIDATES = {
    "argon2-cffi default (64 MiB, t=3, p=4)": (3, 65536, 4),
    "OWASP 46 MiB, t=1, p=1": (1, 47104, 1),
    "OWASP 19 MiB, t=2, p=1 (the platform's)": (2, 19456, 1),
    "19 MiB, t=3, p=1": (3, 19456, 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"{'parameters':42} {'median ms':>10} {'p95 ms':>8} {'checks/s per core':>18}")
    for name, (time_cost, memory_cost, parallelism) in CANDIDATES.items():
        hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        stored = hasher.hash("a-long-enough-password")
        took = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            hasher.verify(stored, "a-long-enough-password")
            took.append(time.perf_counter() - start)
        took.sort()
        median = statistics.median(took)
        p95 = took[min(len(took) - 1, int(len(took) * 0.95))]
        print(f"{name:42} {median * 1000:10.1f} {p95 * 1000:8.1f} {1 / median:18.1f}")


if __name__ == "__main__":
    main()
