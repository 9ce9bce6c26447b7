"""Text in, text out: the normalisation pipeline built from :mod:`textacy.preprocessing`.

:func:`make_normalizer` composes textacy's steps (unicode form, quotation marks,
hyphenated words, whitespace, optional replacements) into a :class:`Normalizer`; each step
is skipped when a cheap check proves it would change nothing, so the output equals
textacy's functions applied in turn. :func:`normalize` applies the default pipeline.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit._validation import check_option

__all__ = ["Normalizer", "make_normalizer", "normalize"]


# textacy is imported on first use: importing it costs ~3 s of CPU (it loads spaCy), which
# a matrix served from the cache never needs.
@functools.lru_cache(maxsize=1)
def _tp() -> Any:
    from textacy import preprocessing

    return preprocessing


@functools.lru_cache(maxsize=1)
def _quotes() -> tuple[dict[int, int], re.Pattern[str]]:
    table = _tp().resources.QUOTE_TRANSLATION_TABLE
    return table, re.compile("[" + re.escape("".join(chr(k) for k in table)) + "]")


_RE_ZWSP = re.compile(r"[\u200B\u2060\uFEFF]+")  # as textacy's resources.RE_ZWSP
_RE_HYPHEN_GUARD = re.compile(r"-\s")
_RE_WS_GUARD = re.compile(r"[\u200B\u2060\uFEFF\r\v]|[^\S\n ]|  |\n\n|^\s|\s$")


def _quotation_marks(text: str) -> str:
    # Same output as textacy.preprocessing.normalize.quotation_marks (str.translate with
    # textacy's table), but only touches the characters that change: translate's slow path
    # on non-ASCII text took ~40 s on UNGDC.
    table, pattern = _quotes()
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: chr(table[ord(m.group())]), text)


def _hyphenated_words(text: str) -> str:
    # textacy's hyphenated_words, applied only where it can match. A match consists of word
    # characters, "-" and whitespace only, so pieces split at "." are independent and the
    # result equals the function applied to the whole text.
    if "-" not in text or not _RE_HYPHEN_GUARD.search(text):
        return text
    return ".".join(
        _tp().normalize.hyphenated_words(p) if _RE_HYPHEN_GUARD.search(p) else p
        for p in text.split(".")
    )


def _unicode(form: str) -> Callable[[str], str]:
    def step(text: str) -> str:
        if unicodedata.is_normalized(form, text):
            return text
        return _tp().normalize.unicode(text, form=form)

    step.__name__ = f"unicode_{form}"
    return step


def _whitespace(text: str) -> str:
    # textacy's whitespace(), skipped when a cheap check shows it would change nothing.
    if not _RE_WS_GUARD.search(text):
        return text
    return _tp().normalize.whitespace(text)


def _zero_width(text: str) -> str:
    if not _RE_ZWSP.search(text):
        return text
    return _RE_ZWSP.sub("", text)


def _replacer(name: str, mode: str) -> Callable[[str], str] | None:
    """textacy's ``replace.<name>`` step for a mode; None for "keep"."""
    if mode == "keep":
        return None
    if mode not in ("replace", "remove"):
        raise ValueError(f"{name}={mode!r}; use 'keep', 'replace' or 'remove'.")
    fn = getattr(_tp().replace, name)
    return functools.partial(fn) if mode == "replace" else functools.partial(fn, repl=" ")


@dataclass(frozen=True)
class Normalizer:
    """A composed normalisation pipeline (callable: ``str -> str``).

    Build it with :func:`make_normalizer`; ``config`` records the options (it is part of
    every cache key) and ``steps`` the functions applied, in order.
    """

    config: tuple[tuple[str, Any], ...]
    steps: tuple[Callable[[str], str], ...]

    def __call__(self, text: str) -> str:
        for step in self.steps:
            text = step(text)
        return text

    @property
    def step_names(self) -> list[str]:
        """The names of the steps, in order (for provenance and debugging)."""
        return [getattr(s, "__name__", repr(s)) for s in self.steps]

    def for_tokens(self) -> Normalizer:
        """The same pipeline with ``whitespace`` reduced to what can change tokens.

        The fast engine splits on every whitespace character, so textacy's whitespace
        step (collapse runs, unify line breaks, NBSP -> space, strip) cannot change its
        tokens; only the removal of zero-width spaces can. This keeps tokens identical
        and saves the slowest step (~25 s of CPU on UNGDC).

        Returns
        -------
        Normalizer
            Same ``config`` (so the same cache keys), ``whitespace`` step replaced.
        """
        steps = tuple(_zero_width if s is _whitespace else s for s in self.steps)
        return Normalizer(config=self.config, steps=steps)


def make_normalizer(
    *,
    unicode_form: str | None = "NFC",
    quotes: bool = True,
    hyphenated_words: bool = True,
    bullet_points: bool = False,
    urls: str = "keep",
    emails: str = "keep",
    numbers: str = "keep",
    accents: bool = False,
    whitespace: bool = True,
    extra: Sequence[Callable[[str], str]] = (),
) -> Normalizer:
    """Compose a normalisation pipeline from :mod:`textacy.preprocessing`.

    The default pipeline is, in order: unicode NFC
    (``normalize.unicode``), fancy quotes and apostrophes to ASCII
    (``normalize.quotation_marks``), words hyphenated across line breaks joined
    (``normalize.hyphenated_words``), whitespace tidied (``normalize.whitespace``).
    Steps are skipped when a cheap check proves they would change nothing, so the output
    equals textacy's functions applied in turn.

    Parameters
    ----------
    unicode_form : {"NFC", "NFKC", "NFD", "NFKD"} or None, default="NFC"
        ``normalize.unicode`` to this form; None skips the step.
    quotes, hyphenated_words, whitespace : bool, default=True
        ``normalize.quotation_marks``, ``normalize.hyphenated_words`` and
        ``normalize.whitespace``.
    bullet_points : bool, default=False
        ``normalize.bullet_points``.
    urls, emails, numbers : {"keep", "replace", "remove"}, default="keep"
        ``replace`` uses textacy's placeholders (``_URL_``, ``_EMAIL_``, ``_NUMBER_``),
        which the tokenizer then drops; ``remove`` replaces with a space.
    accents : bool, default=False
        ``remove.accents`` (e.g. "Côte" -> "Cote").
    extra : sequence of callables ``str -> str``, default=()
        Appended last. Their names enter cache keys: rename a function when you change it.

    Returns
    -------
    Normalizer
        Callable ``str -> str``.
    """
    steps: list[Callable[[str], str]] = []
    if unicode_form is not None:
        check_option("unicode_form", unicode_form, ("NFC", "NFKC", "NFD", "NFKD", None))
        steps.append(_unicode(unicode_form))
    if quotes:
        steps.append(_quotation_marks)
    if bullet_points:
        steps.append(_tp().normalize.bullet_points)
    for name, mode in (("urls", urls), ("emails", emails), ("numbers", numbers)):
        step = _replacer(name, mode)
        if step is not None:
            steps.append(step)
    if hyphenated_words:
        steps.append(_hyphenated_words)
    if accents:
        steps.append(_tp().remove.accents)
    steps.extend(extra)
    if whitespace:
        steps.append(_whitespace)
    config = (
        ("unicode_form", unicode_form),
        ("quotes", quotes),
        ("hyphenated_words", hyphenated_words),
        ("bullet_points", bullet_points),
        ("urls", urls),
        ("emails", emails),
        ("numbers", numbers),
        ("accents", accents),
        ("whitespace", whitespace),
        ("extra", tuple(getattr(f, "__qualname__", repr(f)) for f in extra)),
    )
    return Normalizer(config=config, steps=tuple(steps))


def normalize(text: str, **options: Any) -> str:
    """Normalise one text with :func:`make_normalizer` ``(**options)``.

    Parameters
    ----------
    text : str
        One text.
    **options
        Options of :func:`make_normalizer`; none gives the default pipeline.

    Returns
    -------
    str
        The normalised text.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize expects a str, got {type(text).__name__}.")
    return _normalizer_from(options or True)(text)


def _normalizer_from(spec: Any) -> Normalizer | None:
    """The :class:`Normalizer` of a ``normalize=`` argument (None for False)."""
    if spec is True or spec is None or spec == "default":
        return _default_normalizer()
    if spec is False:
        return None
    if isinstance(spec, Normalizer):
        return spec
    if isinstance(spec, dict):
        return make_normalizer(**spec)
    if callable(spec):
        return Normalizer(config=(("callable", getattr(spec, "__qualname__", repr(spec))),),
                          steps=(spec,))
    raise TypeError(
        "normalize must be True, False, a dict of make_normalizer options, a Normalizer or a "
        f"callable, got {type(spec).__name__}."
    )


@functools.lru_cache(maxsize=1)
def _default_normalizer() -> Normalizer:
    return make_normalizer()

