"""Portal endpoints for hash lists: match uploads, download the lists, report on matches."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fingerprints import selectors, services
from fingerprints.models import HashType, Match
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.serializers import PROBLEMS, Integer, StrictSerializer, Text, Url

HEX = r"^[0-9a-fA-F]+$"


def pdq_field() -> serializers.RegexField:
    return serializers.RegexField(HEX, min_length=64, max_length=64)


class HashIn(StrictSerializer):
    """One hash of an upload, of one of the listed types."""

    type = serializers.ChoiceField(choices=HashType.choices)
    hash = serializers.RegexField(
        HEX,
        min_length=32,
        max_length=64,
        required=False,
        help_text="Hexadecimal: SHA-256 and PDQ 64 digits, MD5 32. Not for a video.",
    )
    variants = serializers.ListField(
        child=pdq_field(),
        max_length=7,
        required=False,
        help_text="PDQ only: the hashes of the image's rotations and flips (pdqhash's "
        "dihedral hashes), to match the image however it was turned.",
    )
    frames = serializers.ListField(
        child=pdq_field(),
        min_length=1,
        max_length=settings.HASH_MATCH_MAX,
        required=False,
        help_text="Video only: the PDQ hashes of its frames, one a second, leaving out frames "
        "of PDQ quality under 50 (black, fades: they would match any video).",
    )
    quality = Integer(
        min_value=0,
        max_value=100,
        required=False,
        help_text="PDQ's quality, if known: under 50 is not matched.",
    )


class MatchIn(StrictSerializer):
    """The hashes of one or more uploads to check before publishing them."""

    hashes = serializers.ListField(child=HashIn(), min_length=1, max_length=settings.HASH_MATCH_MAX)


class ListMatchOut(serializers.Serializer):
    match_id = serializers.UUIDField(help_text="Report on it at /fingerprints/matches/{id}/.")
    list = serializers.CharField()
    category = serializers.CharField()
    distance = serializers.IntegerField(help_text="Hamming distance (0 for exact types).")
    share = serializers.FloatField(
        allow_null=True, help_text="Videos: the share of frames that match, both ways."
    )


class ResultOut(serializers.Serializer):
    matched = serializers.BooleanField()
    matches = ListMatchOut(many=True, help_text="The nearest entry of each list matched.")
    note = serializers.CharField(help_text="Why a hash was not matched, when it was not.")


class MatchOut(serializers.Serializer):
    results = ResultOut(many=True, help_text="One per hash, in the order given.")


class MatchHashes(APIView):
    @extend_schema(
        operation_id="fingerprints_match",
        request=MatchIn,
        responses={200: MatchOut, **PROBLEMS},
        description=f"Check up to {settings.HASH_MATCH_MAX} hashes (a PDQ variant or a video "
        "frame counts as one) against the hash lists open to you, before publishing an "
        "upload. A match names the list and category only, under an opaque id.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = MatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        queries = [
            services.HashQuery(
                hash_type=h["type"],
                value=h.get("hash", ""),
                variants=h.get("variants", ()),
                frames=h.get("frames", ()),
                quality=h.get("quality"),
            )
            for h in data.validated_data["hashes"]
        ]
        results = services.hashes_match(actor=actor_of(request), queries=queries)
        body = [
            {
                "matched": result.matched,
                "matches": [
                    {
                        "match_id": m.match_id,
                        "list": m.hash_list,
                        "category": m.category,
                        "distance": m.distance,
                        "share": m.share,
                    }
                    for m in result.matches
                ],
                "note": result.note,
            }
            for result in results
        ]
        return Response({"results": body})


class ChangesQuery(StrictSerializer):
    cursor = Text(
        required=False,
        allow_blank=True,
        max_length=8000,
        help_text="From `cursor` of your last page; none for a first download.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=10_000, required=False, default=1000)


class HashListOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    pdq_threshold = serializers.IntegerField(help_text="Match PDQ hashes within this distance.")
    video_share = serializers.FloatField(help_text="Share of frames that must match, both ways.")


class EntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    list = serializers.IntegerField()
    type = serializers.ChoiceField(choices=HashType.choices)
    hash = serializers.CharField(help_text="For a video: a digest of its frames, as its key.")
    quality = serializers.IntegerField(allow_null=True)
    frames = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    matchable = serializers.BooleanField(
        help_text="Keep this hash while true; drop it when false (withdrawn, quarantined)."
    )


class ChangesOut(serializers.Serializer):
    lists = HashListOut(many=True, help_text="Lists open to you; drop entries of any other.")
    results = EntryOut(many=True)
    cursor = serializers.CharField(help_text="Send it back to get what changed since.")
    more = serializers.BooleanField(help_text="More changes wait: ask again with the cursor.")


class HashChanges(APIView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="fingerprints_list",
        parameters=[ChangesQuery],
        responses={200: ChangesOut, **PROBLEMS},
        description="Your hash lists, to check uploads locally: a first call without a cursor "
        "sends every matchable hash; later calls with the last cursor send only what changed, "
        "withdrawals included. When you last synced is shown to the regulator.",
    )
    def get(self, request: Request) -> Response:
        query = ChangesQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        page = selectors.hash_changes_page(
            platform=platform_of(request),
            cursor=query.validated_data.get("cursor", ""),
            limit=query.validated_data["limit"],
        )
        services.hash_sync_record(actor=actor_of(request))
        lists = [
            {
                "id": h.pk,
                "name": h.name,
                "category": h.category.code,
                "pdq_threshold": h.pdq_threshold,
                "video_share": float(h.video_share),
            }
            for h in page.lists
        ]
        return Response(
            {"lists": lists, "results": page.entries, "cursor": page.cursor, "more": page.more}
        )


class FoundIn(StrictSerializer):
    """Where the matched content was found on your service."""

    url = Url(max_length=2000, help_text="Where the matched content is on your service.")


class FalsePositiveIn(StrictSerializer):
    """Why the matched content is not the listed content."""

    note = Text(max_length=2000, help_text="What the content actually is.")


class MatchStateOut(serializers.Serializer):
    match_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Match.Status.choices)


def _state(match_id: uuid.UUID, status: str) -> dict[str, Any]:
    return {"match_id": match_id, "status": status}


class ReportFound(APIView):
    @extend_schema(
        operation_id="fingerprints_matches_found",
        request=FoundIn,
        responses={200: MatchStateOut, **PROBLEMS},
        description="The matched content is on your service, at this URL: the regulator opens "
        "an order for it (take it down now; the order follows).",
    )
    @idempotent
    def post(self, request: Request, match_id: uuid.UUID) -> Response:
        data = FoundIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.match_report_found(
                actor=actor_of(request), public_id=match_id, url=data.validated_data["url"]
            )
        except Match.DoesNotExist:
            raise Http404 from None
        return Response(_state(match_id, Match.Status.FOUND))


class ReportFalsePositive(APIView):
    @extend_schema(
        operation_id="fingerprints_matches_false_positive",
        request=FalsePositiveIn,
        responses={200: MatchStateOut, **PROBLEMS},
        description="The match is not the listed content. Reports like this put an entry "
        "under review.",
    )
    @idempotent
    def post(self, request: Request, match_id: uuid.UUID) -> Response:
        data = FalsePositiveIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.match_report_false_positive(
                actor=actor_of(request), public_id=match_id, note=data.validated_data["note"]
            )
        except Match.DoesNotExist:
            raise Http404 from None
        return Response(_state(match_id, Match.Status.FALSE_POSITIVE))
