"""The platform operator's admin. The scope middleware runs /admin/ unscoped, so only operators may reach it."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEvent,
    Authority,
    Invitation,
    Job,
    Membership,
    Organisation,
    OrganisationMembership,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        (
            "Platform access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "authority"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "nation", "gss_code"]
    list_filter = ["kind", "nation"]
    search_fields = ["name", "slug", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "postcode", "is_sme", "is_vcse"]
    list_filter = ["kind", "is_sme", "is_vcse"]
    search_fields = ["name", "company_number", "charity_number"]
    inlines = [OrganisationMembershipInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "authority", "actor_label", "verb", "object_type", "object_repr"]
    list_filter = ["verb", "authority"]
    search_fields = ["actor_label", "object_repr", "verb"]
    list_select_related = ["authority"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "authority", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["authority"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "authority", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["authority"]
