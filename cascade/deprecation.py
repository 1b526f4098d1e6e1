"""Old spellings kept for one release: the one way they warn.

Examples
--------
>>> import warnings
>>> @renamed_keyword("papers", "table")
... def count(table):
...     return len(table)
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     count(papers=[1, 2])
2
>>> str(caught[0].message)
'count(papers=...) is deprecated: use table= (the old spelling goes in the next release)'
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["deprecated_alias", "renamed_keyword", "warn_deprecated"]

F = TypeVar("F", bound=Callable[..., Any])


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (DeprecationWarning) that ``old`` is spelled ``new`` now."""
    warnings.warn(
        f"{old} is deprecated: use {new} (the old spelling goes in the next release)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_keyword(old: str, new: str) -> Callable[[F], F]:
    """Let a function still take its keyword ``new`` under its old name ``old``, with a warning."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{func.__name__}() got both {new}= and its old name {old}=")
                warn_deprecated(f"{func.__name__}({old}=...)", f"{new}=")
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return call  # type: ignore[return-value]

    return wrap


def deprecated_alias(func: F, old: str) -> F:
    """``func`` under its old name ``old``: the same function, warning when called."""

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        warn_deprecated(f"{old}()", f"{func.__name__}()")
        return func(*args, **kwargs)

    call.__name__ = call.__qualname__ = old
    call.__doc__ = f"Deprecated alias of :func:`{func.__module__}.{func.__name__}`."
    return call  # type: ignore[return-value]
