"""`python -m booklet`: the same as the `booklet` command."""

from .cli import main

main()
