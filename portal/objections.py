"""The platform's objections, with the officer's decision and reason."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notices.selectors import objection_row, objections_of
from portal.auth import platform_of
from portal.orders import ObjectionOut
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS


class ObjectionList(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="objections_list",
        description="Your objections, newest first, each with its decision once made.",
        parameters=[PageQuery],
        responses={
            200: page_of("ObjectionPage", ObjectionOut(many=True), "objections"),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            objections_of(platform_id=platform_of(request).pk),
            lambda found: ObjectionOut([objection_row(o) for o in found], many=True).data,
        )


class ObjectionDetail(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="objections_retrieve",
        description=("One of your objections, with the officer's decision and reason once made."),
        responses={200: ObjectionOut, **PROBLEMS},
    )
    def get(self, request: Request, objection_id: int) -> Response:
        objection = objections_of(platform_id=platform_of(request).pk).filter(pk=objection_id)
        found = objection.first()
        if found is None:
            raise Http404
        return Response(ObjectionOut(objection_row(found)).data)
