def no_store_personal_pages(get_response):
    """Tell browsers and proxies not to keep pages with personal data: `Cache-Control: no-store`.

    Every response to a logged-in user is personal. Other responses get it unless their view chose
    its own caching. Static files never reach this middleware: whitenoise answers them first.
    """

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    return middleware
