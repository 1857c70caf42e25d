import signal
import sys

from core.cli import main

try:
    code = main()
finally:
    # The command has finished (and said so): a Ctrl+C from here on would otherwise arrive while Python shuts
    # down, after its own handler is gone, and kill the process by the signal (-2) instead of exiting with code.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.exit(code)
