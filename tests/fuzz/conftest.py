"""The atheris harness is run by hand (see README.md), not collected by pytest."""

collect_ignore = ["fuzz_decoders.py"]
