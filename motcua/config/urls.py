from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from motcua.core import health, metrics

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url="/static/img/favicon.svg", permanent=True)),
    # Answered by motcua.core.health.ProbeMiddleware; named here for reverse() and the matrix.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/xoa-du-lieu/", include("motcua.privacy.portal_urls")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    path("quan-tri/", include("motcua.backoffice.urls")),
    path("quan-tri/lich-lam-viec/", include("motcua.workdays.urls")),
    path("quan-tri/to-chuc/", include("motcua.org.urls")),
    path("quan-tri/nhat-ky/", include("motcua.core.urls")),
    path("quan-tri/du-lieu-ca-nhan/", include("motcua.privacy.urls")),
    path("quan-tri/thu-tuc/", include("motcua.catalog.urls")),
    path("thu-tuc/", include("motcua.catalog.public_urls")),
    path("quan-tri/ho-so/", include("motcua.dossiers.urls")),
    path("ho-so/", include("motcua.dossiers.portal_urls")),
    path("ho-so/", include("motcua.privacy.reads_portal_urls")),
    path("tai-lieu/", include("motcua.documents.urls")),
    path("xac-minh/", include("motcua.documents.public_urls")),
    path("quan-tri/giam-sat/", include("motcua.monitoring.urls")),
    path("quan-tri/phan-anh/", include("motcua.feedback.urls")),
    path("phan-anh-kien-nghi/", include("motcua.feedback.portal_urls")),
    path("quan-tri/thanh-toan/", include("motcua.payments.urls")),
    path("thanh-toan/", include("motcua.payments.portal_urls")),
    path("quan-tri/lien-thong/", include("motcua.integrations.urls")),
    path("quan-tri/ung-dung-api/", include("motcua.api.admin_urls")),
    path("thong-bao/", include("motcua.notifications.urls")),
    path("api/", include("motcua.api.urls")),
    path("tra-cuu-ngay-hen/", include("motcua.workdays.public_urls")),
    path("tra-cuu/", include("motcua.dossiers.public_urls")),
    path("", include("motcua.portal.urls")),
]

if settings.MOTCUA_SANDBOXES:
    urlpatterns = [
        path("sandbox/dvcqg/", include("motcua.sandbox_portal.urls")),
        path("sandbox/vneid/", include("motcua.sandbox_idp.urls")),
        path("sandbox/tin-nhan/", include("motcua.notifications.sandbox_urls")),
        *urlpatterns,
    ]
