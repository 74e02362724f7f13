"""Resource limits (issue 13, defect 5): a huge picture in a small file is refused from its header; an
XLSX member list is counted while streaming and refused early."""

from __future__ import annotations

import io
import struct
import time
import zlib
from typing import Any
from unittest import mock

import pytest
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from django.core.files.uploadedfile import SimpleUploadedFile

from sauti.monitoring.actions import ReportError, strip_exif
from sauti.monitoring.models import Report
from sauti.people import imports
from tests.conftest import World


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels: signature, IHDR, one tiny IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_12000_by_12000_png_is_refused_before_decoding(world: World) -> None:
    response = world.client_for(None).post(
        "/report/?org=umoja",
        {
            "description": "Maji yamekatwa",
            "attachment": SimpleUploadedFile("bomb.png", png_header(12000, 12000), "image/png"),
        },
    )
    assert response.status_code == 400
    assert "The image is too large: at most 60 megapixels." in response.content.decode()
    assert not Report.objects.exists()
    started = time.perf_counter()
    with pytest.raises(ReportError, match="too large"):
        strip_exif(png_header(12000, 12000), "image/png")
    assert time.perf_counter() - started < 0.5  # the header only: decoding took 9.6 s and ~860 MB


def test_a_picture_just_over_the_limit_is_refused_from_its_header(world: World) -> None:
    response = world.client_for(None).post(
        "/report/?org=umoja",
        {
            "description": "Maji",
            "attachment": SimpleUploadedFile("b.png", png_header(8000, 8000), "image/png"),
        },
    )
    assert response.status_code == 400, response.content.decode()[-3000:]
    assert "too large" in response.content.decode(), response.content.decode()[-3000:]


def test_an_xlsx_with_too_many_rows_is_refused_while_streaming() -> None:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["name", "phone"])
    for i in range(imports.MAX_ROWS + 2000):
        sheet.append([f"Person {i}", f"+2547{11000000 + i:08d}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    read: list[int] = []
    real = ReadOnlyWorksheet.iter_rows

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        for row in real(self, *args, **kwargs):
            read.append(1)
            yield row

    with mock.patch.object(ReadOnlyWorksheet, "iter_rows", counting):
        try:
            imports.read_table(io.BytesIO(buffer.getvalue()), "members.xlsx")
        except imports.ImportFileError as e:
            assert "more than 5000 rows" in str(e)
        else:
            raise AssertionError("not refused")
    assert len(read) == imports.MAX_ROWS + 2  # the header and one row too many: nothing further read
