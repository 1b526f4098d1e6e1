"""The errors the package raises on purpose, told apart from bugs.

:class:`InputError` is bad input: the command line prints its one-line message and exits 2. Any
other exception escaping a command is a bug in cascade (exit 1, ``--debug`` for the traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["InputError"]


class InputError(ValueError):
    """Input that cannot be read: the message names the file and the line, column or record.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong, and what to do about it where that is not obvious.
    line, column : int, optional
        1-based position in the file.
    record : str, optional
        The record (tweet id, line number, paper id) at fault.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        record: str | None = None,
    ) -> None:
        self.path, self.line, self.column, self.record = path, line, column, record
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        if record is not None:
            where += f": record {record}"
        self.message = message
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[Callable[..., InputError], tuple[str, str, dict[str, Any]]]:
        # Errors cross process boundaries (parallel and Dask workers): rebuild with the keywords.
        kwargs = {"line": self.line, "column": self.column, "record": self.record}
        return _rebuild_input_error, (self.path, self.message, kwargs)


def _rebuild_input_error(path: str, message: str, kwargs: dict) -> InputError:
    return InputError(path, message, **kwargs)
