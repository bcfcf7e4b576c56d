"""The benchmark behind ``python3 tasks.py bench`` (not part of the test command)."""
