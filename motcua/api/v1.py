from ninja import NinjaAPI

api = NinjaAPI(title="Motcua API", version="1.0.0", urls_namespace="api-v1")


@api.get("/health", tags=["system"])
def health(request):  # type: ignore[no-untyped-def]
    return {"status": "ok"}
