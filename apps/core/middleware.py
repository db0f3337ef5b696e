from .request_context import Actor, _current, client_ip


class RequestContextMiddleware:
    """Publishes the request's user and IP to the audit log for the request's duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(Actor(user=getattr(request, "user", None), ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
