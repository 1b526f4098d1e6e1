"""The page's text: cascade's template, rendered with a fresh context per call (nothing is
stored on the shared Jinja environment, so threads can render at once), and its
Content-Security-Policy.

The scripts (vis-network 9.1.2 and tom-select, from pyvis's package folder) are either inlined,
for a single-file page, or loaded from a folder next to the page (:func:`write_assets`), for a
report with many pages. Either way the policy forbids every request to a network host.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import jinja2
import orjson

_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
_TEMPLATE = "graph.html.j2"
CSP_PLACEHOLDER = "cascade-csp-placeholder"

#: The asset files :func:`write_assets` writes, by the key the template uses.
ASSET_FILES = {
    "vis_js": "vis-network.min.js",
    "vis_css": "vis-network.css",
    "tom_js": "tom-select.complete.min.js",
    "tom_css": "tom-select.css",
}


@functools.lru_cache(maxsize=1)
def assets() -> dict[str, str]:
    """vis-network 9.1.2 and tom-select from pyvis's package folder (read once, then shared
    read-only)."""
    # Found, not imported: importing pyvis imports IPython (0.6-1.5 s), for files on disk.
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: its copy of vis-network is needed")
    lib = Path(next(iter(spec.submodule_search_locations))) / "lib"
    files = {
        "vis_js": lib / "vis-9.1.2" / "vis-network.min.js",
        "vis_css": lib / "vis-9.1.2" / "vis-network.css",
        "tom_js": lib / "tom-select" / "tom-select.complete.min.js",
        "tom_css": lib / "tom-select" / "tom-select.css",
    }
    out = {}
    for key, file in files.items():
        text = file.read_text(encoding="utf-8")
        # Inline code must not be able to close its own element.
        if re.search(r"</(script|style)", text, re.IGNORECASE):
            raise RuntimeError(f"{file} cannot be inlined: it contains a closing tag")
        # A source map comment would make DevTools look for a file that is not there.
        out[key] = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", text)
    return out


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def write_assets(folder: str | os.PathLike[str]) -> list[Path]:
    """Write the page scripts and styles into ``folder`` (created if needed), for pages made with
    ``to_html(..., assets="<relative path to folder>/")``.

    Parameters
    ----------
    folder : str or path-like
        Where to write; a report writes ``<report>/assets``.

    Returns
    -------
    list of Path
        The files written (always the same bytes).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(p.name for p in write_assets(d))
    ['tom-select.complete.min.js', 'tom-select.css', 'vis-network.css', 'vis-network.min.js']
    """
    from cascade.output import atomic_write

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, name in ASSET_FILES.items():
        with atomic_write(folder / name, "wb") as fh:
            fh.write(assets()[key].encode("utf-8"))
        written.append(folder / name)
    return written


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment (autoescape on, strict). Shared, and never modified after this."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Compact, sorted, UTF-8 JSON by orjson (a tenth of json's time on a 10,000-node page): smaller
    # files, and the same bytes for the same input (json's but for the spelling of some floats).
    # `tojson` still escapes <, >, & and ' so the data cannot end its <script>.
    env.policies["json.dumps_function"] = dumps
    env.policies["json.dumps_kwargs"] = {}
    return env


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys (orjson; json for what orjson refuses)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:  # a lone surrogate, which json writes as an escape
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _generator_version() -> str:
    from cascade import __version__  # the package's own number: no metadata lookup

    return str(__version__)


def render(
    page: dict[str, Any],
    data: dict[str, Any],
    options: dict[str, Any],
    *,
    assets_href: str | None = None,
) -> str:
    """The page's HTML text with its Content-Security-Policy filled in (``data``: the node and
    edge columns, stored compressed, :func:`cascade.render.html.columns.encode`)."""
    from cascade.render.html.columns import encode

    inline = assets_href is None
    context = {
        "page": {
            **page,
            **(assets() if inline else {k: "" for k in ASSET_FILES}),
            "assets_href": assets_href,
            "asset_files": ASSET_FILES,
            "csp_placeholder": CSP_PLACEHOLDER,
            "generator": _generator_version(),
        },
        "heading": page["heading"],
        "data": encode(data),
        "options": options,
    }
    text = environment().get_template(_TEMPLATE).render(**context)
    return with_csp(text, external=not inline)


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_csp(text: str, *, external: bool = False, sources: list[str] | None = None) -> str:
    """Fill in a page's Content-Security-Policy placeholder: its own inline scripts (by SHA-256),
    inline styles, data: images, nothing else; in particular no request to any host. With
    ``external``, scripts and stylesheets may also come from the page's own origin ('self': for
    a file: page, local files), and ``sources`` adds more script hashes.

    Examples
    --------
    >>> page = '<meta content="cascade-csp-placeholder"><script>1</script>'
    >>> "script-src 'sha256-" in with_csp(page) and "default-src 'none'" in with_csp(page)
    True
    """
    hashes = " ".join([_digest(m.group(1)) for m in _SCRIPT.finditer(text)] + (sources or []))
    # With ``external``, files of the page's own origin (for a file: page, local files; never a
    # network host) may load. Subresource integrity cannot pin them: file: pages have an opaque
    # origin, so an integrity check fails there.
    own = "'self' " if external else ""
    policy = (
        "default-src 'none'; "
        f"script-src {own}{hashes}; "
        f"style-src {own}'unsafe-inline'; "
        f"img-src {own}data:; "
        "base-uri 'none'; form-action 'none'"
    )
    head, sep, rest = text.partition(CSP_PLACEHOLDER)
    if not sep:
        raise RuntimeError("template lost its Content-Security-Policy placeholder")
    return head + policy + rest


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 bytes to ``path`` through a temporary file and a rename."""
    from cascade.output import atomic_write  # shared with the table writers

    # Bytes, not text mode: the file must hold exactly the returned text, "\n" line ends included.
    with atomic_write(path.expanduser(), "wb") as fh:
        fh.write(text.encode("utf-8"))
