from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import token_views, views

app_name = "accounts"

authority_patterns = [
    path("", views.authority_home, name="authority-home"),
    path("members/", views.member_list, name="member-list"),
    path("members/invite/", views.member_invite, name="member-invite"),
    path("members/<int:user_id>/", views.member_edit, name="member-edit"),
    path("members/<int:user_id>/remove/", views.member_remove, name="member-remove"),
    path("invitations/<int:invitation_id>/withdraw/", views.invitation_revoke, name="invitation-revoke"),
    path("settings/", views.authority_settings, name="authority-settings"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export/", views.audit_export, name="audit-export"),
    path("jobs/<int:job_id>/", views.job_detail, name="job-detail"),
    path("jobs/<int:job_id>/status/", views.job_status, name="job-status"),
    path("jobs/<int:job_id>/download/", views.job_download, name="job-download"),
]

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("account/register/", views.register, name="register"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    *token_views.urlpatterns,
    path("account/password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/join/", views.organisation_join, name="organisation-join"),
    path("organisations/<int:pk>/members/add/", views.organisation_member_add, name="organisation-member-add"),
    path(
        "organisations/<int:pk>/requests/<int:membership_id>/",
        views.organisation_request_decide,
        name="organisation-request-decide",
    ),
    path("community-groups/", views.community_group_list, name="community-group-list"),
    path("a/<slug:authority_slug>/", include(authority_patterns)),
    path("p/<slug:authority_slug>/", views.authority_public, name="authority-public"),
]
