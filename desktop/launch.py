"""The ``moviebuddy`` command: the app, or the headless CLI when the first word is one of its commands."""

from __future__ import annotations

import sys

# every command of core.cli (a test checks that none is missing), so that `moviebuddy library ...` runs it
CLI_COMMANDS = {"index", "status", "scenes", "ask", "recap", "sample", "dialogue"}
CLI_COMMANDS |= {"library", "analyze", "search", "export"}
CLI_WORDS = CLI_COMMANDS | {"--version", "--help-cli"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in CLI_WORDS:
        from core.cli import main as cli_main

        return cli_main(["--help"] if argv[0] == "--help-cli" else argv)
    from desktop.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
