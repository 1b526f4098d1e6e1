"""How to read and resolve inputs: one value passed from the CLI through every stage."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cascade.io import Corpus
    from cascade.reconstruct import Reconstructed, Reconstruction

__all__ = ["ReadOptions", "legacy_options"]


@dataclass(frozen=True)
class ReadOptions:
    """How to read and resolve a corpus; what :func:`cascade.read` and every worker are given.

    Parameters
    ----------
    input_format : str, optional
        Skip detection: one of the names in ``cascade.io.JSON_FORMATS`` / ``TEXT_FORMATS``.
    paper_id : str, optional
        The paper id for sources without one (or ``from-text`` to take it from each text).
    strict : bool
        Stop at the first unreadable file (raise :class:`~cascade.errors.InputError`).
    reconstruction : cascade.reconstruct.Reconstruction, optional
        How retweets get their parents: a reconstruction method and its parameters. Default
        None: the parents the data credit (as ``Reconstruction("credited")``).
    reconstruct, reconstruct_options
        The 0.1 spelling, a method name and a dict of its keywords (deprecated:
        ``reconstruction=Reconstruction(method, **options)``).
    same_text : bool
        Let resolution link a tweet to the earliest tweet by another user with the same text
        (resolution ``same_text``) in sources that store native retweets so (the Altmetric API);
        False turns the rule off (CLI ``--no-same-text``).

    Examples
    --------
    >>> ReadOptions(input_format="altmetric-tab").input_format
    'altmetric-tab'
    >>> from cascade.reconstruct import Reconstruction
    >>> ReadOptions(reconstruction=Reconstruction("influence")).method
    'influence'
    >>> ReadOptions(input_format="bogus")
    Traceback (most recent call last):
    ...
    ValueError: unknown input format 'bogus'; choose from altmetric-api, altmetric-tab, ...
    """

    input_format: str | None = None
    paper_id: str | None = None
    strict: bool = False
    same_text: bool = True
    reconstruction: Reconstruction | None = None
    reconstruct: str | None = None  # deprecated
    reconstruct_options: Mapping[str, Any] | None = None  # deprecated

    def __post_init__(self) -> None:
        if self.input_format is not None:
            from cascade.io import FORMAT_NAMES

            if self.input_format not in FORMAT_NAMES:
                raise ValueError(
                    f"unknown input format {self.input_format!r}; choose from "
                    + ", ".join(FORMAT_NAMES)
                )
        if self.reconstruct is not None or self.reconstruct_options is not None:
            self._convert_legacy()
        if self.reconstruction is not None and self.reconstruction.method == "credited":
            object.__setattr__(self, "reconstruction", None)

    def _convert_legacy(self) -> None:
        """``reconstruct=`` and ``reconstruct_options=`` (0.1) into ``reconstruction=``."""
        from cascade.deprecation import warn_deprecated
        from cascade.reconstruct import Reconstruction

        if self.reconstruction is not None:
            raise TypeError("ReadOptions: give reconstruction= or the old reconstruct=, not both")
        warn_deprecated(
            "ReadOptions(reconstruct=..., reconstruct_options=...)",
            "reconstruction=cascade.reconstruct.Reconstruction(method, **options)",
            stacklevel=5,
        )
        method = self.reconstruct or "credited"
        spec = Reconstruction(method, **dict(self.reconstruct_options or {}))
        object.__setattr__(self, "reconstruction", spec)
        object.__setattr__(self, "reconstruct", None)
        object.__setattr__(self, "reconstruct_options", None)

    @property
    def method(self) -> str:
        """The reconstruction method the papers come out with (``credited``: none)."""
        return "credited" if self.reconstruction is None else self.reconstruction.method

    def open(
        self, inputs: str | os.PathLike | Iterable[str | os.PathLike]
    ) -> Corpus | Reconstructed:
        """The papers of ``inputs`` read with these options: a :class:`~cascade.io.Corpus`, or
        its reconstruction (both have ``log``)."""
        from cascade.io import Corpus

        corpus = Corpus(
            inputs, input_format=self.input_format, paper_id=self.paper_id, strict=self.strict,
            same_text=self.same_text,
        )  # fmt: skip
        if self.reconstruction is None:
            return corpus
        from cascade.reconstruct import Reconstructed

        return Reconstructed(corpus, self.reconstruction)


def legacy_options(options: ReadOptions | None, legacy: dict[str, Any], caller: str) -> ReadOptions:
    """``options``, or one built from the separate keywords of 0.1 (deprecated for one release:
    ``input_format=``, ``paper_id=``, ``strict=``, ``reconstruct=``, ``reconstruct_options=``).

    Examples
    --------
    >>> legacy_options(None, {}, "f").strict
    False
    """
    if not legacy:
        return options or ReadOptions()
    if options is not None:
        raise TypeError(f"{caller}: give options=ReadOptions(...) or the old keywords, not both")
    unknown = set(legacy) - {f.name for f in fields(ReadOptions)}
    if unknown:
        raise TypeError(f"{caller}() got unexpected keyword arguments {sorted(unknown)}")
    warnings.warn(
        f"{caller}({', '.join(sorted(legacy))}=...) is deprecated: pass "
        "options=cascade.io.ReadOptions(...)",
        DeprecationWarning,
        stacklevel=3,
    )
    with warnings.catch_warnings():  # one warning, said above, for the old keywords
        warnings.simplefilter("ignore", DeprecationWarning)
        return ReadOptions(**legacy)
