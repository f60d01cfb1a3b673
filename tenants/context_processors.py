def institution(request):
    """The current institution (None on the platform's own domain) for branding in templates."""
    return {"institution": getattr(request, "tenant", None)}
