"""What each command of the command line does; `cli` only parses arguments and calls these."""
