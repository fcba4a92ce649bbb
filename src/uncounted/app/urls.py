"""URL map of the web application."""

urlpatterns: list = []
