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
from portal.serializers import PROBLEMS

SHOWN = 500


class ObjectionList(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="objections_list",
        description=f"Your objections, newest first (the latest {SHOWN}), each with its "
        "decision once made.",
        responses={200: ObjectionOut(many=True), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        rows = objections_of(platform_id=platform_of(request).pk)[:SHOWN]
        return Response(ObjectionOut([objection_row(o) for o in rows], many=True).data)


class ObjectionDetail(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="objections_retrieve",
        responses={200: ObjectionOut, **PROBLEMS},
    )
    def get(self, request: Request, objection_id: int) -> Response:
        objection = objections_of(platform_id=platform_of(request).pk).filter(pk=objection_id)
        found = objection.first()
        if found is None:
            raise Http404
        return Response(ObjectionOut(objection_row(found)).data)
