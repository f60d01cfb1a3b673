"""The coursework API (DRF), over the same actions and access helpers as the pages."""

urlpatterns = []
