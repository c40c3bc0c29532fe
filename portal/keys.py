"""The platform's API keys: list them, revoke one (rotation). Keys are issued by the
regulator (the admin); a key is shown only once, when created."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.auth import PlatformPrincipal, actor_of, platform_of
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS
from registry import services
from registry.models import ApiKey


class ApiKeyOut(serializers.Serializer):
    prefix = serializers.CharField(help_text="The part after `cek_` that names the key.")
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text="To the minute; null if never used."
    )
    revoked_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text="The key this request was made with.")


def _rows(request: Request, keys: list[ApiKey]) -> list[dict[str, object]]:
    principal = request.user
    assert isinstance(principal, PlatformPrincipal)
    return [
        {
            "prefix": key.prefix,
            "name": key.name,
            "created_at": key.created_at,
            "last_used_at": key.last_used_at,
            "revoked_at": key.revoked_at,
            "current": key.pk == principal.api_key.pk,
        }
        for key in keys
    ]


class KeyList(APIView):
    open_to_revoked = True

    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="keys_list",
        description="Your API keys, newest first, revoked ones included.",
        parameters=[PageQuery],
        responses={200: page_of("ApiKeyPage", ApiKeyOut(many=True), "API keys"), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            ApiKey.objects.filter(platform=platform_of(request)),
            lambda found: ApiKeyOut(_rows(request, list(found)), many=True).data,
        )


class KeyRevoke(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="keys_revoke",
        request=None,
        description="Revoke one of your keys at once (after rotating to a new one). Your last "
        "active key cannot be revoked here (409): ask the regulator for a new key first.",
        responses={200: ApiKeyOut, **PROBLEMS},
    )
    @idempotent
    def post(self, request: Request, prefix: str) -> Response:
        key = get_object_or_404(ApiKey, prefix=prefix, platform=platform_of(request))
        revoked = services.api_key_revoke(api_key=key, actor=actor_of(request))
        return Response(ApiKeyOut(_rows(request, [revoked])[0]).data)
