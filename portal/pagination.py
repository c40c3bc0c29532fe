"""Every list in the API pages the same way: newest first, `page_size` rows (50 unless asked,
at most 200), and `next_cursor` to pass as `?cursor=` for the next page (null on the last).
Cursors are DRF's opaque position cursors: stable while rows are added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from portal.serializers import StrictSerializer, Text

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageQuery(StrictSerializer):
    cursor = Text(required=False, max_length=500, help_text="`next_cursor` of the previous page.")
    # A query string holds text: the number is read from it, unlike a JSON body's.
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, help_text="50 unless given."
    )


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            # Well formed (any string is), but not one we gave out: a rule, not the schema.
            raise ValidationError({"cursor": ["Not a cursor this service gave out."]}) from None

    def next_cursor(self) -> str | None:
        link = self.get_next_link()
        if link is None:
            return None
        return parse_qs(urlparse(link).query)["cursor"][0]


def query_checked(request: Request, query: type[StrictSerializer] = PageQuery) -> dict[str, Any]:
    """The query string, refused (400) when a parameter is unknown or of the wrong type.
    A plain dict: as a QueryDict, DRF would read `?status=` as "not given"."""
    checked = query(data=request.query_params.dict())
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


def page(
    request: Request,
    view: Any,
    rows: QuerySet[Any],
    serialize: Callable[[Sequence[Any]], Any],
) -> Response:
    """One page of `rows` (newest first by id) as `{results, next_cursor}`."""
    paginator = NewestFirst()
    found = paginator.paginate_queryset(rows, request, view=view) or []
    return Response({"results": serialize(found), "next_cursor": paginator.next_cursor()})


def page_of(name: str, item: serializers.Serializer, rows: str) -> type[serializers.Serializer]:
    """The schema of a page of `item`s (`rows` names them for the reader)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": item,
            "next_cursor": serializers.CharField(
                allow_null=True, help_text="Pass as `cursor` for the next page; null on the last."
            ),
            "__doc__": f"A page of {rows}, newest first.",
        },
    )
