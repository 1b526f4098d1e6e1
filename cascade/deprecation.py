"""Old spellings kept for one release: the one rule for a renamed keyword or option."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

__all__ = ["renamed"]

T = TypeVar("T")


def renamed(caller: str, old: str, new: str, old_value: Any, value: T, default: T) -> T:
    """``value``, or ``old_value`` when the caller used the 0.1 keyword ``old`` (deprecated).

    Parameters
    ----------
    caller : str
        The function, for the messages (``rank_users``).
    old, new : str
        The old and new keyword names.
    old_value : object
        What was passed as ``old``; ``None`` when it was not.
    value, default : object
        What was passed as ``new``, and its default.

    Returns
    -------
    object
        The value to use. A :class:`DeprecationWarning` names the new keyword when the old one
        was used; a :class:`TypeError` is raised when both were given different values.

    Examples
    --------
    >>> renamed("f", "top", "top_users", None, 5, None)
    5
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed("f", "top", "top_users", 3, None, None), str(caught[0].message)
    (3, 'f(top=...) is deprecated: use top_users=')
    """
    if old_value is None:
        return value
    if value != default and value != old_value:
        raise TypeError(f"{caller}: give {new}= or its deprecated spelling {old}=, not both")
    warnings.warn(
        f"{caller}({old}=...) is deprecated: use {new}=", DeprecationWarning, stacklevel=3
    )
    return old_value
