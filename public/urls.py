from django.urls import path

from public import views

app_name = "public"
urlpatterns = [
    path("verify/checkpoints/", views.checkpoints_page, name="checkpoints"),
    path("verify/checkpoints.json", views.checkpoints_json, name="checkpoints-json"),
    path("verify/checkpoints.jsonl", views.checkpoints_lines, name="checkpoints-jsonl"),
]
