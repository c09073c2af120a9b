"""The PDF door: WeasyPrint prints our HTML, read back with poppler; without it, one line."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vconf.errors import VconfError
from vconf.render.pdf import html_as_pdf

POPPLER = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdfimages")),
    reason="needs poppler-utils (pdfinfo, pdftotext, pdfimages)",
)
# A 1x1 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def page(body: str, *, title: str = "Lịch làm việc") -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>@page {{ size: A4; margin: 2cm }}</style></head>"
        f"<body>{body}</body></html>"
    )


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


@POPPLER
def test_a_vietnamese_a4_page_prints_with_its_text_and_title(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    html = page("<h1>Thứ Ba, 16 tháng 11, 2021</h1><p>Phiên họp toàn thể · Họp kín</p>")
    pdf = html_as_pdf(html)
    assert pdf.startswith(b"%PDF-")
    info = poppler("pdfinfo", pdf, tmp_path)
    assert "Pages:           1" in info
    assert "(A4)" in info
    assert "Lịch làm việc" in info  # the <title>, as the PDF's Title
    text = poppler("pdftotext", pdf, tmp_path, "-layout")
    assert "Thứ Ba, 16 tháng 11, 2021" in text
    assert "Phiên họp toàn thể · Họp kín" in text


@POPPLER
def test_the_stylesheet_decides_the_pages(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    html = page("".join(f'<p style="break-after: page">Trang {n}</p>' for n in (1, 2, 3)))
    info = poppler("pdfinfo", html_as_pdf(html), tmp_path)
    assert "Pages:           3" in info
    text = poppler("pdftotext", html_as_pdf(html), tmp_path)
    assert [page.strip() for page in text.split("\f") if page.strip()] == [
        "Trang 1",
        "Trang 2",
        "Trang 3",
    ]


def test_the_same_html_prints_the_same_bytes() -> None:
    pytest.importorskip("weasyprint")
    html = page("<p>Phiên họp</p>")
    assert html_as_pdf(html) == html_as_pdf(html)


@POPPLER
def test_printing_fetches_no_file_only_data_urls(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    image = tmp_path / "red.png"
    image.write_bytes(PNG)
    inline = "data:image/png;base64," + base64.b64encode(PNG).decode()
    body = f'<img src="{image.as_uri()}" width="50"><img src="{inline}" width="50">'
    listing = poppler("pdfimages", html_as_pdf(page(body)), tmp_path, "-list")
    images = listing.splitlines()[2:]  # under the two heading lines
    assert len(images) == 1  # the data: URL; the file was refused


def test_without_weasyprint_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` raises ImportError
    with pytest.raises(VconfError) as caught:
        html_as_pdf(page("<p>x</p>"))
    message = str(caught.value)
    assert "pip install 'vconf[pdf]'" in message
    assert "\n" not in message
