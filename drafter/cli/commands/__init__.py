"""One module per group of commands; each module's COMMANDS maps a command name to its options and handler."""
