"""A bare endpoint with the project's default throttles, for the throttling tests."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class PingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("ping", PingApi.as_view()),
    path("api/v1/", include("channelmanager.api_urls")),
]
