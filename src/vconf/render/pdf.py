"""An HTML agenda printed to PDF: the only WeasyPrint user (the optional extra `vconf[pdf]`).

WeasyPrint (~0.5 s to import, and Pango underneath) is imported inside `html_as_pdf`, so no other
command pays for it and vconf runs without it; `--format pdf` without it is one line naming the
install. The page size, running heads and page numbers come from the HTML's print stylesheet.
"""

from __future__ import annotations

from typing import Any

from vconf.agenda import Agenda
from vconf.errors import VconfError
from vconf.language import Language, language_for

INSTALL = "pip install 'vconf[pdf]'"


def html_as_pdf(html: str) -> bytes:
    """Return the PDF of a self-contained HTML document, printed as its stylesheet says.

    Nothing is fetched while printing: a document that names a file or web resource prints
    without it (vconf's HTML names none; SPEC §8 "no external request"), `data:` URLs only.
    """
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=_data_urls_only(weasyprint))
    pdf: bytes = document.write_pdf()
    return pdf


def _weasyprint() -> Any:
    """Return the weasyprint module, or raise the one line that says how to get it."""
    try:
        import weasyprint
    except ImportError as error:
        raise VconfError(f"--format pdf needs WeasyPrint: {INSTALL}") from error
    except OSError as error:  # installed, but Pango or its friends cannot be loaded
        raise VconfError(
            f"--format pdf: WeasyPrint cannot load its system libraries (Pango): {error}"
        ) from error
    return weasyprint


def _data_urls_only(weasyprint: Any) -> Any:
    """Return a URL fetcher that refuses everything but `data:` URLs (WeasyPrint >= 60)."""
    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 68+: a class (the function is deprecated)
        return weasyprint.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str) -> Any:
        if not url.lower().startswith("data:"):
            raise ValueError(f"vconf prints self-contained HTML only, not {url}")
        return weasyprint.default_url_fetcher(url)

    return fetch


def agenda_as_pdf(
    agenda: Agenda, *, language: Language | None = None, source: str | None = None
) -> bytes:
    """Return the agenda's HTML page (`agenda_as_html`) printed to an A4 PDF by WeasyPrint.

    `source` is the plan's file name, which the foot of each page names as a draft's origin.
    """
    from vconf.render.html import agenda_as_html

    page = agenda_as_html(agenda, language=language or language_for("en"), source=source)
    return html_as_pdf(page)
