from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control


def healthz(request):
    """Liveness for load balancers: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


def platform_home(request):
    return render(request, "tenants/platform_home.html")


@cache_control(max_age=300)
def logo(request):
    institution = request.tenant
    if not institution.logo:
        raise Http404
    return FileResponse(institution.logo.open("rb"))
