"""Request bodies, bounded before they reach a view: nesting, size, fields and files.

Every refusal is problem+json (400, or 413 for size) through the one exception handler.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of ours nests deeper than a few levels; the audit sent 999 and crashed the parser.
MAX_DEPTH = 16


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.") from None
        if _depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.")
        return data


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the bytes of uploaded files as they stream in and
    stops the request at the limit, before the next handler writes more to memory or disk
    (Django otherwise spools a whole 300 MB body to a temporary file first)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        # An answer to a data-access request (its files, or a court order) has its own limit.
        path = getattr(request, "path", "")
        self.limit = (
            settings.DATA_ANSWER_MAX_BYTES
            if "/data-requests/" in path
            else settings.EVIDENCE_MAX_BYTES
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(f"Uploaded files are limited to {self.limit} bytes.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
