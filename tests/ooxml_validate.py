"""Validate the WordprocessingML parts of .docx files against the ISO/IEC 29500 transitional schema.

The schemas are in tests/ooxml/ (MIT, from devoidfury/docx-validator), so that every clone runs the schema
tests. Word refuses or "repairs" documents whose XML breaks the schema (elements out of order, unknown
children) even where LibreOffice opens them silently.

Usage: python tests/ooxml_validate.py FILE.docx [FILE.docx ...]  (exit 0: valid, 1: invalid, 2: unusable)
"""

from __future__ import annotations

import sys
import zipfile
from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "ooxml" / "ISO-IEC29500-4_2016"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# python-docx's own default settings.xml writes <w:zoom> without w:percent; Word accepts it.
KNOWN_HARMLESS = ("Element '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}zoom': "
                  "The attribute '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}percent' is required")


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "wml.xsd")))


def strip_ignorable(root):
    """Drop what mc:Ignorable declares optional (Word 2010+ extensions), as a consumer would."""
    ignorable = root.get(f"{{{MC}}}Ignorable", "")
    uris = {root.nsmap.get(prefix) for prefix in ignorable.split()} - {None}
    prefixes = tuple(f"{{{u}}}" for u in uris) + (f"{{{MC}}}",)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag.startswith(prefixes) and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for name in [a for a in el.attrib if a.startswith(prefixes)]:
            del el.attrib[name]
    return root


def word_parts(zf: zipfile.ZipFile):
    for name in sorted(zf.namelist()):
        if name.startswith("word/") and name.endswith(".xml") and "/theme/" not in name \
                and not name.endswith("webSettings.xml") and "/_rels/" not in name:
            yield name


def validate(path: Path | str) -> list[str]:
    """Every schema error of the document's WordprocessingML parts, as 'part:line: message' (empty: valid)."""
    zf = zipfile.ZipFile(path)
    problems = []
    for part in word_parts(zf):
        try:
            root = strip_ignorable(etree.fromstring(zf.read(part)))
        except etree.XMLSyntaxError as exc:
            problems.append(f"{part}: not well-formed XML: {exc}")
            continue
        checker = schema()
        checker.validate(root)
        problems += [f"{part}:{e.line}: {e.message}" for e in checker.error_log
                     if not e.message.startswith(KNOWN_HARMLESS)]
    return problems


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            problems = validate(path)
        except (OSError, zipfile.BadZipFile) as exc:
            print(f"{path}: not a readable .docx ({exc})")
            return 2
        for problem in problems[:10]:
            print(f"{path}:{problem}")
        failed |= bool(problems)
    print("invalid" if failed else "valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
