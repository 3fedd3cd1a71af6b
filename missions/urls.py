from django.urls import path

from . import views, views_documents

app_name = "missions"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("new/leg-row/", views.leg_row, name="leg_row"),
    path("new/travellers/", views.traveller_search, name="traveller_search"),
    path("unit/", views.unit, name="unit"),
    path("approvals/", views.approvals, name="approvals"),
    path("to-issue/", views.to_issue, name="to_issue"),
    path("returns/", views.returns, name="returns"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/confirm/<slug:action>/", views.confirm, name="confirm"),
    path("<int:pk>/return/", views.file_return, name="return"),
    path("file/<slug:kind>/<int:pk>/", views.file, name="file"),
    path("documents/<int:pk>/", views_documents.document_download, name="document_download"),
    path("<int:pk>/documents/render/", views_documents.document_rerender, name="document_rerender"),
    path("<int:pk>/return-package/", views_documents.return_package, name="return_package"),
]
