import sys

if __name__ == "__main__":
    try:
        from .cli import Terminated, main
    except KeyboardInterrupt:  # Ctrl-C while the command line still loads: nothing was done
        sys.exit(130)
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C in the moment before the command began or after it ended
        sys.exit(130)
    except Terminated as stop:  # SIGTERM or SIGHUP as the command ended, before its handlers went
        sys.exit(128 + stop.signum)
