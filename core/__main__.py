import signal
import sys

from core.cli import main
from core.cli_common import EXIT_CANCELLED, complain

code = EXIT_CANCELLED
try:
    try:
        code = main()
    except KeyboardInterrupt:  # outside a command's own handling: while its arguments are read or it ends
        complain("cancelled")
except KeyboardInterrupt:
    pass
finally:
    # The command has finished: a Ctrl+C from here on would otherwise come while Python shuts down, after
    # its own handler is gone, and kill the process by the signal (exit -2) instead of exiting with ``code``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.exit(code)
