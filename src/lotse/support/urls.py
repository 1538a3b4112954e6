from django.urls import path

from lotse.support import mail_views, views

app_name = "support"

urlpatterns = [
    path("anfragen/", views.school_list, name="school_list"),
    path("anfragen/neu/", views.request_create, name="create"),
    path("anfragen/<int:pk>/", views.request_detail, name="detail"),
    path("anfragen/<int:pk>/schritt/<slug:action>/", views.request_action, name="action"),
    path("anfragen/<int:pk>/vorschlag/<slug:decision>/", views.proposal_decide, name="proposal"),
    path("anfragen/<int:pk>/kontrakt/", views.agreement_edit, name="agreement_edit"),
    path(
        "anfragen/<int:pk>/kontrakt/<int:version>/annehmen/",
        views.agreement_accept,
        name="agreement_accept",
    ),
    path(
        "anfragen/<int:pk>/kontrakt/<int:version>/pdf/", views.agreement_pdf, name="agreement_pdf"
    ),
    path(
        "anfragen/<int:pk>/anhaenge/<int:attachment_pk>/",
        mail_views.attachment_download,
        name="attachment",
    ),
    path("koordination/", views.inbox, name="inbox"),
    path("koordination/quarantaene/", mail_views.quarantine_list, name="quarantine"),
    path(
        "koordination/quarantaene/<int:pk>/",
        mail_views.quarantine_detail,
        name="quarantine_detail",
    ),
    path("organisation/<slug:slug>/postfaecher/", mail_views.mailbox_list, name="mailbox_list"),
    path(
        "organisation/<slug:slug>/postfaecher/<int:site_pk>/",
        mail_views.mailbox_edit,
        name="mailbox_edit",
    ),
    path("begleitung/", views.supporter_list, name="supporter_list"),
]
