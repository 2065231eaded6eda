"""`python -m booklet`: the same as the `booklet` command."""

from booklet.cli import main

if __name__ == "__main__":  # not again in the worker processes, which import this module
    main()
