from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from notices import selectors
from registry.models import Platform


def bare_orders(request: HttpRequest) -> JsonResponse:
    """The same page of orders as GET /api/v1/orders/, with no auth, DRF or pagination."""
    platform = Platform.objects.get(name="Bench platform")
    rows = (
        selectors.orders_of_platform(platform=platform)
        .order_by("-id")
        .values(*selectors.ORDER_FIELDS)[:50]
    )
    return JsonResponse(
        {"next": None, "previous": None, "results": selectors.order_rows(list(rows))},
        encoder=DjangoJSONEncoder,
    )


urlpatterns = [path("bare/orders/", bare_orders), path("", include("config.urls"))]
