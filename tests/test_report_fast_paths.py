"""The report's fast paths write the very bytes of the plain ones (issue 14): elements made by one
factory element per thread against etree.Element for each, and the package zipped once from python-docx's
parts against python-docx's own save() zipped again by normalise_zip. A long table and a landscape
attachment, a 版记 and a 版头 are in the sample documents, so every kind of element is made."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from lxml import etree

from docx_helpers import sample_document
from kjplan.fsutil import normalise_zip, package_zip
from kjplan.render import docx as render, oxml
from test_docx_render import _example_report


def plain_members(package) -> dict[str, bytes]:
    """What package.save() writes, read back from the zip."""
    import zipfile

    raw = io.BytesIO()
    package.save(raw)
    source = zipfile.ZipFile(raw)
    return {name: source.read(name) for name in source.namelist()}


@pytest.fixture
def plain(monkeypatch):
    def use_plain_paths():
        monkeypatch.setattr(oxml, "_make", lambda tag, nsmap: etree.Element(tag, nsmap=nsmap))
        monkeypatch.setattr(render, "_members", plain_members)

    return use_plain_paths


def test_the_example_report_is_the_same_by_the_plain_paths(plain):
    fast = _example_report()
    plain()
    assert fast == _example_report()


@pytest.mark.parametrize("overrides", [{}, {"seal": False}])
def test_a_sample_document_is_the_same_by_the_plain_paths(plain, overrides):
    doc = sample_document(**overrides)
    when = dt.datetime(2020, 7, 6)
    fast = render.render_docx(doc, timestamp=when)[0]
    plain()
    assert fast == render.render_docx(doc, timestamp=when)[0]


def test_plain_save_and_normalise_zip_give_the_same_package_as_package_zip():
    import docx

    package = docx.Document()
    when = dt.datetime(2020, 7, 6)
    raw = io.BytesIO()
    package.save(raw)
    assert package_zip(render._members(package), when) == normalise_zip(raw.getvalue(), when)


def test_threads_rendering_at_once_get_the_bytes_of_one_alone():
    doc = sample_document()
    alone = render.render_docx(doc, timestamp=dt.datetime(2020, 7, 6))[0]
    results = []

    def draw():
        results.append(render.render_docx(doc, timestamp=dt.datetime(2020, 7, 6))[0])

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 4
