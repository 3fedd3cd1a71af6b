from django.urls import path

from . import (views_delegations, views_documents, views_files, views_lists, views_order, views_request,
               views_return)

app_name = "missions"
urlpatterns = [
    path("", views_lists.mine, name="mine"),
    path("new/", views_request.new, name="new"),
    path("new/leg-row/", views_request.leg_row, name="leg_row"),
    path("new/travellers/", views_request.traveller_search, name="traveller_search"),
    path("unit/", views_lists.unit, name="unit"),
    path("approvals/", views_lists.approvals, name="approvals"),
    path("to-issue/", views_lists.to_issue, name="to_issue"),
    path("returns/", views_lists.returns, name="returns"),
    path("delegations/", views_delegations.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views_delegations.delegation_end, name="delegation_end"),
    path("<int:pk>/reassign/", views_order.reassign, name="reassign"),
    path("<int:pk>/", views_order.detail, name="detail"),
    path("<int:pk>/edit/", views_request.edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views_order.transition, name="transition"),
    path("<int:pk>/confirm/<slug:action>/", views_order.confirm, name="confirm"),
    path("<int:pk>/return/", views_return.file_return, name="return"),
    path("file/<slug:kind>/<int:pk>/", views_files.file, name="file"),
    path("documents/<int:pk>/", views_documents.document_download, name="document_download"),
    path("<int:pk>/documents/render/", views_documents.document_rerender, name="document_rerender"),
    path("<int:pk>/return-package/", views_documents.return_package, name="return_package"),
]
