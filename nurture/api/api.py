from ninja import NinjaAPI

api = NinjaAPI(title="Nurture API", version="1", urls_namespace="api")
