from django.urls import path

from lotse.support.views import accompaniment as accompaniment_views
from lotse.support.views import agreements as agreement_views
from lotse.support.views import completion as completion_views
from lotse.support.views import concepts as concept_views
from lotse.support.views import mail as mail_views
from lotse.support.views import public as public_views
from lotse.support.views import records as record_views
from lotse.support.views import requests as request_views

app_name = "support"

urlpatterns = [
    path("anfragen/", request_views.school_list, name="school_list"),
    path("anfragen/neu/", request_views.request_create, name="create"),
    path("anfragen/<int:pk>/", request_views.request_detail, name="detail"),
    path("anfragen/<int:pk>/schritt/<slug:action>/", request_views.request_action, name="action"),
    path(
        "anfragen/<int:pk>/vorschlag/<slug:decision>/",
        request_views.proposal_decide,
        name="proposal",
    ),
    path("anfragen/<int:pk>/kontrakt/", agreement_views.agreement_edit, name="agreement_edit"),
    path(
        "anfragen/<int:pk>/kontrakt/<int:version>/annehmen/",
        agreement_views.agreement_accept,
        name="agreement_accept",
    ),
    path(
        "anfragen/<int:pk>/kontrakt/<int:version>/pdf/",
        agreement_views.agreement_pdf,
        name="agreement_pdf",
    ),
    path(
        "anfragen/<int:pk>/anhaenge/<int:attachment_pk>/",
        record_views.attachment_download,
        name="attachment",
    ),
    path("anfragen/<int:pk>/notiz/", record_views.note_add, name="note_add"),
    path("anfragen/<int:pk>/dokument/", record_views.document_upload, name="document_upload"),
    path(
        "anfragen/<int:pk>/sichtbarkeit/<slug:kind>/<int:entry_pk>/",
        record_views.entry_visibility,
        name="entry_visibility",
    ),
    path(
        "anfragen/<int:pk>/freigabe/<slug:kind>/<int:entry_pk>/",
        record_views.entry_release,
        name="entry_release",
    ),
    path(
        "anfragen/<int:pk>/freigaben/<int:release_pk>/widerrufen/",
        record_views.release_revoke,
        name="release_revoke",
    ),
    path(
        "anfragen/<int:pk>/begleitung/<int:proposal_pk>/beenden/",
        record_views.proposal_remove,
        name="proposal_remove",
    ),
    path("anfragen/<int:pk>/zugriffe/", record_views.access_log, name="access_log"),
    # Amendments, completion and evaluation (issue 6).
    path(
        "anfragen/<int:pk>/kontrakt/<int:version>/aenderungen/",
        agreement_views.agreement_changes,
        name="agreement_changes",
    ),
    path(
        "anfragen/<int:pk>/abschluss/reflexion/",
        completion_views.final_reflection_write,
        name="final_reflection",
    ),
    path(
        "anfragen/<int:pk>/abschluss/bestaetigen/",
        completion_views.final_reflection_confirm,
        name="final_reflection_confirm",
    ),
    path("anfragen/<int:pk>/auswertung/", completion_views.evaluation, name="evaluation"),
    path(
        "organisation/<slug:slug>/auswertung/",
        completion_views.report,
        name="evaluation_report",
    ),
    path(
        "organisation/<slug:slug>/auswertung/fragen/",
        completion_views.question_list,
        name="evaluation_questions",
    ),
    path(
        "organisation/<slug:slug>/auswertung/fragen/<int:question_pk>/",
        completion_views.question_edit,
        name="evaluation_question_edit",
    ),
    path(
        "organisation/<slug:slug>/auswertung/fragen/<int:question_pk>/loeschen/",
        completion_views.question_delete,
        name="evaluation_question_delete",
    ),
    path("anfragen/<int:pk>/konzept/", concept_views.concept_form, name="concept_form"),
    path(
        "organisation/<slug:slug>/konzepte/pruefen/",
        concept_views.review_queue,
        name="concept_queue",
    ),
    path(
        "organisation/<slug:slug>/konzepte/pruefen/<int:pk>/",
        concept_views.review_detail,
        name="concept_review",
    ),
    path("konzepte/", concept_views.library, name="concept_library"),
    path("konzepte/<int:pk>/", concept_views.library_detail, name="concept_detail"),
    path(
        "konzepte/<int:pk>/zurueckziehen/",
        concept_views.concept_withdraw,
        name="concept_withdraw",
    ),
    path("anfragen/<int:pk>/termine/neu/", accompaniment_views.session_plan, name="session_plan"),
    path(
        "anfragen/<int:pk>/termine/<int:session_pk>/verschieben/",
        accompaniment_views.session_reschedule,
        name="session_reschedule",
    ),
    path(
        "anfragen/<int:pk>/termine/<int:session_pk>/absagen/",
        accompaniment_views.session_cancel,
        name="session_cancel",
    ),
    path(
        "anfragen/<int:pk>/termine/<int:session_pk>/protokoll/",
        accompaniment_views.session_record,
        name="session_record",
    ),
    path(
        "anfragen/<int:pk>/termine/<int:session_pk>/einladung.ics",
        accompaniment_views.session_ics,
        name="session_ics",
    ),
    path(
        "anfragen/<int:pk>/naechste-schritte/",
        accompaniment_views.next_step_add,
        name="next_step_add",
    ),
    path(
        "anfragen/<int:pk>/naechste-schritte/<int:step_pk>/<slug:change>/",
        accompaniment_views.next_step_change,
        name="next_step_change",
    ),
    path("koordination/", request_views.inbox, name="inbox"),
    path("koordination/auslastung/", request_views.workload, name="workload"),
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
    path("organisation/<slug:slug>/methoden/", accompaniment_views.method_list, name="method_list"),
    path(
        "organisation/<slug:slug>/methoden/neu/",
        accompaniment_views.method_edit,
        name="method_create",
    ),
    path(
        "organisation/<slug:slug>/methoden/<int:method_pk>/",
        accompaniment_views.method_edit,
        name="method_edit",
    ),
    path("organisation/<slug:slug>/freigaben/", record_views.release_list, name="release_list"),
    path(
        "organisation/<slug:slug>/freigaben/<int:pk>/",
        record_views.release_detail,
        name="release_detail",
    ),
    path(
        "organisation/<slug:slug>/freigaben/<int:pk>/datei/",
        record_views.release_file,
        name="release_file",
    ),
    path("begleitung/", request_views.supporter_list, name="supporter_list"),
    path("katalog/<slug:slug>/anfrage/", public_views.public_request, name="public_request"),
    path(
        "katalog/<slug:slug>/anfrage/gesendet/",
        public_views.public_request_sent,
        name="public_request_sent",
    ),
]
