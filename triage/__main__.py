"""``python -m triage`` runs the command-line interface, as the ``triage``
console script does (`run`)."""

import sys
from types import TracebackType


def run() -> None:
    """Run the ``triage`` command (`triage.cli.main`) as the program.

    A Ctrl-C while its modules are imported, in the first tenth of a second
    or so, ends it by SIGINT with no traceback, as one later does
    (`triage.cli.main`), so that a shell script running it stops too; it
    printed the traceback of the import it cut short.
    """
    try:
        from triage.cli import main
    except KeyboardInterrupt as exc:
        interrupt = exc
        hook = sys.excepthook

        def quiet(
            kind: type[BaseException], value: BaseException, tb: TracebackType | None
        ) -> None:
            if value is not interrupt:
                hook(kind, value, tb)

        # raised on, uncaught, it ends Python by SIGINT; its traceback not shown
        sys.excepthook = quiet
        raise
    sys.exit(main())


if __name__ == "__main__":
    run()
