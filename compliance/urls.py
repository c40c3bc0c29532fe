from django.contrib import admin
from django.urls import path

from compliance import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/blocklist/", api.blocklist_json, name="blocklist"),
    path("api/v1/blocklist.txt", api.blocklist_text, name="blocklist-text"),
]
