"""PDF checks on the bytes alone (no PDF library): structure, encryption, active content.

The file must start with ``%PDF-`` and end with ``%%EOF`` (only padding and a small slack
after the last one). Stream bodies are cut out, leaving the object skeleton in which
every name is decoded (``/J#61vaScript`` is ``/JavaScript``) and searched for active
content. Object streams (``/Type /ObjStm``, where modern PDFs keep their dictionaries)
are inflated too, within a size budget; one that cannot be inflated is rejected, since
it cannot be checked.
"""

from __future__ import annotations

import re
import zlib
from typing import Dict, Iterator, List, Tuple

from filecheck.errors import FileRejected
from filecheck.images import check_trailing

ACTIVE_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "AA",
        "SubmitForm",
        "ImportData",
        "GoToE",
    }
)
OBJECT_STREAM_LIMIT = 4 * 1024 * 1024  # inflated bytes per object stream
TOTAL_INFLATE_LIMIT = 16 * 1024 * 1024  # inflated bytes per file
MAX_OBJECT_STREAMS = 2000

_DELIMITERS = rb"\x00\t\n\x0c\r /<>\[\]()%{}"
_NAME = re.compile(rb"/([^" + _DELIMITERS + rb"]*)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_OR_SKIP = re.compile(rb"\(|%|(?<!end)stream(?:\r\n|\n|\r)")
_LINE_END = re.compile(rb"\r\n|\n|\r")
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_OPEN_ACTION = re.compile(rb"/OpenAction\s*(<<|\[|(\d+)\s+(\d+)\s+R)")


def _decode_name(match: re.Match[bytes]) -> bytes:
    return b"/" + _HEX.sub(lambda hexed: bytes([int(hexed.group(1), 16)]), match[1])


def normalise(text: bytes) -> bytes:
    """Decodes ``#xx`` escapes in every name, so obfuscated names are seen."""
    if b"#" not in text:
        return text
    return _NAME.sub(_decode_name, text)


def names(text: bytes) -> set[str]:
    """Every name in a (normalised) piece of PDF syntax."""
    return {name.decode("latin-1") for name in _NAME.findall(text)}


def _string_end(data: bytes, start: int) -> int:
    """Index just after the literal string opening at ``start`` (balanced, escapes)."""
    depth, index = 0, start
    while index < len(data):
        byte = data[index]
        if byte == 0x5C:  # backslash: the next byte is escaped
            index += 2
            continue
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise FileRejected("pdf_corrupt", "The PDF is damaged: a string has no end.")


def _streams(data: bytes) -> Iterator[Tuple[int, int, int]]:
    """Yields (dictionary start, body start, body end) for every stream.

    Only a ``stream`` keyword outside strings and comments opens a stream: text such
    as ``(a stream)`` before a line break must not hide what follows from the checks.
    """
    position = 0
    while True:
        match = _STREAM_OR_SKIP.search(data, position)
        if match is None:
            return
        if match[0] == b"(":
            position = _string_end(data, match.start())
            continue
        if match[0] == b"%":
            line_end = _LINE_END.search(data, match.end())
            position = line_end.end() if line_end else len(data)
            continue
        body_start = match.end()
        body_end = data.find(b"endstream", body_start)
        if body_end < 0:
            raise FileRejected(
                "pdf_corrupt", "The PDF is damaged: a stream has no end."
            )
        header = data.rfind(b"obj", position, match.start())
        yield (header if header >= 0 else position), body_start, body_end
        position = body_end + len(b"endstream")


def _filters(dictionary: bytes) -> List[str]:
    found = re.search(rb"/Filter\s*(\[[^\]]*\]|/[^" + _DELIMITERS + rb"]+)", dictionary)
    return sorted(names(found.group(1))) if found else []


def _inflate(body: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(body, min(budget, OBJECT_STREAM_LIMIT) + 1)
    except zlib.error as error:
        raise FileRejected(
            "pdf_unscannable",
            f"The PDF's compressed objects cannot be read ({error}).",
        ) from error
    if len(out) > min(budget, OBJECT_STREAM_LIMIT):
        raise FileRejected(
            "pdf_unscannable",
            "The PDF's compressed objects are too large to be checked.",
        )
    return out


def _split(data: bytes) -> Tuple[bytes, List[Tuple[bytes, bytes]]]:
    """Returns the skeleton (streams cut out) and every object stream as (dict, body)."""
    skeleton: List[bytes] = []
    object_streams: List[Tuple[bytes, bytes]] = []
    budget = TOTAL_INFLATE_LIMIT
    previous = 0
    for dictionary_start, body_start, body_end in _streams(data):
        skeleton.append(data[previous:body_start])
        previous = body_end
        dictionary = normalise(data[dictionary_start:body_start])
        if not re.search(rb"/Type\s*/ObjStm\b", dictionary):
            continue
        if len(object_streams) >= MAX_OBJECT_STREAMS:
            raise FileRejected(
                "pdf_unscannable", "The PDF has too many object streams to check."
            )
        filters = _filters(dictionary)
        if filters not in ([], ["FlateDecode"]) or b"/DecodeParms" in dictionary:
            raise FileRejected(
                "pdf_unscannable",
                f"The PDF's object streams use {', '.join(filters)}, which cannot "
                "be checked.",
            )
        body = data[body_start:body_end]
        inflated = _inflate(body, budget) if filters else body
        budget -= len(inflated)
        object_streams.append((dictionary, normalise(inflated)))
    skeleton.append(data[previous:])
    return normalise(b"".join(skeleton)), object_streams


def _objects(
    skeleton: bytes, object_streams: List[Tuple[bytes, bytes]]
) -> Dict[Tuple[int, int], bytes]:
    """Text of every object, by (number, generation), for resolving references."""
    found: Dict[Tuple[int, int], bytes] = {}
    for match in _OBJ.finditer(skeleton):
        end = skeleton.find(b"endobj", match.end())
        found[(int(match[1]), int(match[2]))] = skeleton[
            match.end() : end if end >= 0 else len(skeleton)
        ]
    for dictionary, body in object_streams:
        first = re.search(rb"/First\s+(\d+)", dictionary)
        count = re.search(rb"/N\s+(\d+)", dictionary)
        if not first or not count:
            continue
        numbers = [int(n) for n in body[: int(first[1])].split()]
        pairs = list(zip(numbers[0::2], numbers[1::2], strict=False))[: int(count[1])]
        offsets = [int(first[1]) + offset for _, offset in pairs] + [len(body)]
        for index, (number, _) in enumerate(pairs):
            found.setdefault((number, 0), body[offsets[index] : offsets[index + 1]])
    return found


def _is_harmless_action(text: bytes) -> bool:
    """True for a destination array or a plain ``/GoTo`` action."""
    text = text.lstrip()
    if text.startswith(b"["):
        return True
    kind = re.search(rb"/S\s*/([^" + _DELIMITERS + rb"]+)", text)
    return text.startswith(b"<<") and kind is not None and kind[1] == b"GoTo"


def _check_open_actions(
    texts: List[bytes], objects: Dict[Tuple[int, int], bytes]
) -> None:
    for text in texts:
        for match in _OPEN_ACTION.finditer(text):
            if match[1] == b"[":
                continue
            if match[1] == b"<<":
                target = text[match.start(1) :]
            else:
                target = objects.get((int(match[2]), int(match[3])), b"")
            if not _is_harmless_action(target):
                raise FileRejected(
                    "pdf_active_content",
                    "The PDF runs an action when it is opened; save it again as a "
                    "plain PDF (print to PDF) and re-send it.",
                )


def check_pdf(data: bytes) -> None:
    """Checks a PDF's ends, encryption and active content.

    Raises:
        FileRejected: ``pdf_corrupt``, ``trailing_data``, ``pdf_encrypted``,
            ``pdf_active_content`` or ``pdf_unscannable``.
    """
    last_eof = data.rfind(b"%%EOF")
    if last_eof < 0:
        raise FileRejected(
            "pdf_corrupt", "The PDF is incomplete (truncated): it has no end marker."
        )
    check_trailing(data, last_eof + len(b"%%EOF"), "PDF")
    skeleton, object_streams = _split(data[:last_eof])
    texts = [skeleton] + [body for _, body in object_streams]
    found: set[str] = set()
    for text in texts:
        found |= names(text)
    if "Encrypt" in found:
        raise FileRejected(
            "pdf_encrypted",
            "The PDF is password-protected or encrypted; upload it without a password.",
        )
    active = sorted(found & ACTIVE_NAMES)
    if active:
        raise FileRejected(
            "pdf_active_content",
            f"The PDF contains active content ({', '.join('/' + n for n in active)}); "
            "save it again as a plain PDF (print to PDF) and re-send it.",
        )
    _check_open_actions(texts, _objects(skeleton, object_streams))
