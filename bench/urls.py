from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework.utils.encoders import JSONEncoder

from notices import selectors
from registry.models import Platform


def bare_orders(request: HttpRequest) -> JsonResponse:
    """The same page of orders as GET /api/v1/orders/, with no auth, DRF or pagination, written
    as DRF's stock renderer writes it (compact, UTF-8, timestamps to the microsecond with Z)."""
    platform = Platform.objects.get(name="Bench platform")
    rows = (
        selectors.orders_of_platform(platform=platform)
        .order_by("-id")
        .values(*selectors.ORDER_FIELDS)[:50]
    )
    return JsonResponse(
        {
            "next": None,
            "previous": None,
            "next_cursor": None,
            "results": selectors.order_rows(list(rows)),
        },
        encoder=JSONEncoder,
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )


urlpatterns = [path("bare/orders/", bare_orders), path("", include("config.urls"))]
